import Foundation
import GraftCore
import Testing

extension AudioTrainCommandTests {
  /// `audio train --resume`: a fine-tune of a small pretrained base stopped after 1 epoch and
  /// resumed to 2 writes the same bundle as 2 straight; `--fine-tune-blocks 0` reports the head alone.
  @Test func resumeEqualsAnUninterruptedRun() throws {
    defer { removeDirectory() }
    try writeData()
    let made = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", "none", "--arch", "smallcnn",
                                    "--widths", "4,8", "--epochs", "1", "--batch-size", "8", "--out", path("base.graft"),
                                    "--quiet", "--no-cache"])
    #expect(made.status == 0, "\(made.stderr)")
    let common = ["audio", "train", "--data", path("data"), "--base", path("base.graft"), "--fine-tune-blocks", "2",
                  "--batch-size", "8", "--seed", "7", "--fine-tune-lr", "0.003", "--quiet"]
    let straight = try GraftBinary.run(common + ["--fine-tune-epochs", "2", "--out", path("s.graft")])
    #expect(straight.status == 0, "\(straight.stderr)")
    let first = try GraftBinary.run(common + ["--fine-tune-epochs", "1", "--out", path("r.graft"), "--checkpoint", path("ck")])
    #expect(first.status == 0, "\(first.stderr)")
    let resumed = try GraftBinary.run(common + ["--fine-tune-epochs", "2", "--out", path("r.graft"), "--resume", path("ck"),
                                                "--json"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try Data(contentsOf: URL(fileURLWithPath: path("s.graft/model.safetensors")))
    let b = try Data(contentsOf: URL(fileURLWithPath: path("r.graft/model.safetensors")))
    #expect(a == b)
    let object = try json(resumed.stdout)
    let fineTune = try #require(object["fine_tune"] as? [String: Any])
    #expect(fineTune["epochs_run"] as? Int == 2 && fineTune["kept"] as? Bool == true)
    #expect(object["head"] is [String: Any])

    let headOnly = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", path("s.graft"),
                                        "--fine-tune-blocks", "0", "--out", path("h.graft"), "--json"])
    #expect(headOnly.status == 0, "\(headOnly.stderr)")
    #expect(try json(headOnly.stdout)["fine_tune"] is NSNull)
  }
}
