import Foundation
import GraftCore
import Testing

/// `graft vision train`'s fine-tune decision, `--lr-find`, `--fine-tune-lr` and
/// `--checkpoint`/`--resume`, run as processes on a generated folder with a bundle as the base.
@Suite struct VisionFineTuneCommandTests {
  /// A folder and a bundle whose base (smallcnn 4,8 at 12×12) serves as the pretrained one.
  static func setUp() throws -> (dir: String, base: String) {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 6)
    let base = dir + "/base.graft"
    let train = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "4,8",
      "--size", "12", "--out", base, "--epochs", "1", "--quiet",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    return (dir, base)
  }

  static func train(_ dir: String, _ base: String, out: String, _ extra: [String]) throws -> CLIResult {
    try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", base, "--out", dir + "/" + out,
                         "--epochs", "2", "--batch-size", "4", "--validation", "0.34", "--quiet"] + extra)
  }

  @Test func theDefaultDecidesAndReportsBothEvaluations() throws {
    let (dir, base) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let run = try Self.train(dir, base, out: "a.graft", ["--json"])
    #expect(run.status == 0, "\(run.stderr)")
    let object = try VisionTrainCommandTests.json(run.stdout)
    let head = try #require(object["head"] as? [String: Any])
    #expect(head["accuracy"] is Double && head["loss"] is Double)
    let fineTune = try #require(object["fine_tune"] as? [String: Any])
    let decision = try #require(fineTune["decision"] as? String)
    #expect(["kept", "discarded"].contains(decision) && fineTune["kept"] as? Bool == (decision == "kept"))
    #expect(fineTune["blocks"] as? Int == 2 && fineTune["epochs"] as? Int == 3 && fineTune["budget_image_epochs"] as? Int == 20000)
    let validation = try #require(fineTune["validation"] as? [String: Any])
    // The top-level accuracy is the returned model's: the fine-tuned one only when kept.
    let returned = decision == "kept" ? validation["accuracy"] as? Double : head["accuracy"] as? Double
    #expect(object["accuracy"] as? Double == returned)
    let sweep = try #require(fineTune["lr_find"] as? [String: Any])
    let rates = try #require(sweep["learning_rates"] as? [Double]), losses = try #require(sweep["losses"] as? [Double])
    #expect(rates.count == losses.count && rates.count >= 10 && rates == rates.sorted())
    if let suggestion = sweep["suggestion"] as? Double {
      #expect(abs((fineTune["base_learning_rate"] as? Double ?? 0) - suggestion) <= suggestion * 1e-6)
    }

    // --lr-find prints the curve; the report draws it.
    let text = try Self.train(dir, base, out: "b.graft", ["--lr-find", "--report", dir + "/report"])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("learning rate (log scale)") && text.stdout.contains("suggestion (a tenth of where the loss rises"))
    #expect(text.stdout.contains("validation (images) after the head: accuracy"))
    #expect(text.stdout.contains("fine-tuned 2 blocks, kept") || text.stdout.contains("fine-tuned 2 blocks, discarded"))
    let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Learning-rate sweep (fine-tune)") && html.contains("<th>fine-tune</th>"))
  }

  @Test func headOnlyNoValidationAndGivenRates() throws {
    let (dir, base) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let headOnly = try VisionTrainCommandTests.json(try Self.train(dir, base, out: "h.graft", ["--fine-tune-blocks", "0", "--json"]).stdout)
    #expect(headOnly["fine_tune"] is NSNull && headOnly["head"] is [String: Any])

    let none = try Self.train(dir, base, out: "n.graft", ["--validation", "0"])
    #expect(none.status == 0, "\(none.stderr)")
    #expect(none.stdout.contains("not fine-tuned: no validation split") && none.stdout.contains("--fine-tune-blocks 2"))

    let given = try VisionTrainCommandTests.json(try Self.train(dir, base, out: "g.graft", [
      "--fine-tune-blocks", "1", "--fine-tune-epochs", "1", "--fine-tune-lr", "0.002", "--json"]).stdout)
    let fineTune = try #require(given["fine_tune"] as? [String: Any])
    #expect(fineTune["decision"] as? String == "kept" && fineTune["lr_find"] is NSNull)
    #expect(abs((fineTune["base_learning_rate"] as? Double ?? 0) - 0.002) < 1e-9)
    #expect(abs((fineTune["head_learning_rate"] as? Double ?? 0) - 0.02) < 1e-8)
    let bad = try Self.train(dir, base, out: "x.graft", ["--fine-tune-lr", "fast"])
    #expect(bad.status == 2)
  }

  /// 1 fine-tune epoch with a checkpoint, resumed to 2, writes the same bundle as 2 straight.
  @Test func resumeEqualsAnUninterruptedRun() throws {
    let (dir, base) = try Self.setUp()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let common = ["--fine-tune-blocks", "1", "--fine-tune-lr", "0.002"]
    let straight = try Self.train(dir, base, out: "s.graft", common + ["--fine-tune-epochs", "2"])
    #expect(straight.status == 0, "\(straight.stderr)")
    let first = try Self.train(dir, base, out: "r.graft", common + ["--fine-tune-epochs", "1", "--checkpoint", dir + "/ck"])
    #expect(first.status == 0, "\(first.stderr)")
    let resumed = try Self.train(dir, base, out: "r.graft", common + ["--fine-tune-epochs", "2", "--resume", dir + "/ck"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/s.graft/model.safetensors"))
    let b = try Data(contentsOf: URL(fileURLWithPath: dir + "/r.graft/model.safetensors"))
    #expect(a == b)

    let missing = try Self.train(dir, base, out: "m.graft", common + ["--resume", dir + "/nothing"])
    #expect(missing.status == 1 && missing.stderr.contains(dir + "/nothing: cannot read checkpoint"))
    let headOnly = try Self.train(dir, base, out: "m.graft", ["--fine-tune-blocks", "0", "--resume", dir + "/ck"])
    #expect(headOnly.status == 1 && headOnly.stderr.contains("this run does not fine-tune"))
  }
}
