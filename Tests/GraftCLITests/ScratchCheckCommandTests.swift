import Foundation
import Testing

/// `graft vision train` with a pretrained base on small images: the default scratch check trains
/// smallcnn at the images' own size and says which model the bundle holds.
@Suite struct ScratchCheckCommandTests {
  @Test func smallImagesGetAScratchCheckByDefault() throws {
    let dir = try VisionTrainCommandTests.makeFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // A "pretrained" base whose stated input is 48×48: the 12×12 images (16 after the floor) are small.
    let base = dir + "/base48.graft"
    let made = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn",
                                    "--widths", "4", "--size", "48", "--epochs", "1", "--out", base, "--quiet"])
    #expect(made.status == 0, "\(made.stderr)")
    func train(_ extra: [String]) throws -> [String: Any] {
      let run = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", base, "--out", dir + "/t.graft",
                                     "--validation", "0.34", "--json", "--quiet"] + extra)
      #expect(run.status == 0, "\(run.stderr)")
      return try VisionTrainCommandTests.json(run.stdout)
    }
    let checked = try train([])
    let check = try #require(checked["scratch_check"] as? [String: Any], "\(checked)")
    #expect(check["side"] as? Int == 16 && check["architecture"] as? String == "smallcnn")
    let (scratch, transfer) = (try #require(check["accuracy"] as? Double), try #require(check["transfer_accuracy"] as? Double))
    let kept = try #require(check["kept"] as? Bool)
    #expect(kept == (scratch > transfer + 0.01))
    // The bundle's input is the model's it holds: 16 for the scratch model, 48 for the transfer.
    let preprocessing = try #require(checked["preprocessing"] as? [String: Any])
    #expect(preprocessing["width"] as? Int == (kept ? 16 : 48), "\(checked)")
    #expect(checked["accuracy"] as? Double == (kept ? scratch : transfer))
    // Off by flag, by an explicit --size, or when the images are not small against the base.
    #expect(try train(["--no-scratch-check"])["scratch_check"] is NSNull)
    #expect(try train(["--size", "48"])["scratch_check"] is NSNull)
    #expect(try train(["--fine-tune-blocks", "0"])["scratch_check"] is NSNull)
  }
}
