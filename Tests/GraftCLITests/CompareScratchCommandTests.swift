import Foundation
import Testing

/// `--compare-scratch`: the base's architecture trained from random weights on the same split,
/// printed beside the transfer result.
@Suite struct CompareScratchCommandTests {
  @Test func visionTrainComparesWithItsArchitectureFromScratch() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 4)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let base = try CacheCommandTests.visionBase(dir)
    let r = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", base, "--size", "12",
                                 "--batch-size", "4", "--epochs", "2", "--fine-tune-blocks", "0", "--compare-scratch",
                                 "--out", dir + "/t.graft", "--json", "--quiet", "--no-cache"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let scratch = try #require(object["scratch"] as? [String: Any])
    #expect(scratch["architecture"] as? String == "smallcnn")
    let accuracy = try #require(scratch["accuracy"] as? Double)
    #expect(accuracy >= 0 && accuracy <= 1 && (scratch["epochs"] as? Int ?? 0) >= 1 && (scratch["epochs"] as? Int ?? 0) <= 30)  // the none defaults: at most 30
    #expect(scratch["transfer_accuracy"] as? Double == object["accuracy"] as? Double)
    // The same validation split: as many items as the transfer run validated on.
    #expect(scratch["validation_count"] as? Int == object["count"] as? Int)
    let text = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", base, "--size", "12",
                                    "--batch-size", "4", "--epochs", "1", "--fine-tune-blocks", "0", "--compare-scratch",
                                    "--out", dir + "/u.graft", "--quiet", "--no-cache"])
    #expect(text.status == 0 && text.stdout.contains("from scratch (smallcnn, random weights"), "\(text.stdout)")
    let refused = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn",
                                       "--compare-scratch", "--out", dir + "/x.graft"])
    #expect(refused.status == 2 && refused.stderr.contains("--compare-scratch"))
  }

  @Test func audioTrainComparesWithItsArchitectureFromScratch() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-scratch-audio-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for i in 0..<4 {
      try HealthCommandTests.writeWAV(dir + "/data/tone/t\(i).wav", HealthCommandTests.samples(seconds: 2, seed: UInt64(i), tone: true))
      try HealthCommandTests.writeWAV(dir + "/data/noise/n\(i).wav", HealthCommandTests.samples(seconds: 2, seed: UInt64(10 + i), tone: false))
    }
    let made = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", "none", "--arch", "smallcnn",
                                    "--width-multiplier", "0.25", "--epochs", "1", "--out", dir + "/base.graft", "--no-cache"])
    #expect(made.status == 0, "\(made.stderr)")
    let r = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", dir + "/base.graft", "--positive", "tone",
                                 "--fine-tune-blocks", "0", "--compare-scratch", "--out", dir + "/t.graft", "--json", "--no-cache"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let scratch = try #require(object["scratch"] as? [String: Any])
    #expect(scratch["architecture"] as? String == "smallcnn" && scratch["validation_count"] as? Int == object["validation_clips"] as? Int)
    #expect(scratch["accuracy"] is Double && scratch["verdict"] is String)
  }
}
