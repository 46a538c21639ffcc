import Foundation
import GraftCore
import GraftVision
import Testing

/// `graft vision train`, `graft evaluate`, `graft predict`, run as processes on a generated folder.
@Suite struct VisionTrainCommandTests {
  /// A fresh directory holding `shapes/{bar,disc,frame}/*.png` (12×12 RGB, `perClass` each, a
  /// colour per class) and `shapes/disc/corrupt.png`.
  static func makeFolder(perClass: Int = 6) throws -> String {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("graft-cli-train-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)").path
    var g = Generator(seed: 3)
    for (channel, cls) in ["bar", "disc", "frame"].enumerated() {
      try FileManager.default.createDirectory(atPath: "\(dir)/shapes/\(cls)", withIntermediateDirectories: true)
      for i in 0..<perClass {
        var samples = [UInt8](repeating: 0, count: 12 * 12 * 3)
        for p in 0..<(12 * 12) {
          for c in 0..<3 { samples[p * 3 + c] = UInt8(c == channel ? 200 + g.int(below: 50) : g.int(below: 50)) }
        }
        try PNGEncoder.write(Image(width: 12, height: 12, channels: 3, samples: samples), to: "\(dir)/shapes/\(cls)/\(i).png")
      }
    }
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: "\(dir)/shapes/disc/corrupt.png"))
    return dir
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func trainEvaluatePredict() throws {
    let dir = try Self.makeFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let bundle = dir + "/shapes.graft"
    let train = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "8,16",
      "--size", "12", "--out", bundle, "--batch-size", "8", "--validation", "0.34", "--json", "--quiet",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let trained = try Self.json(train.stdout)
    #expect(trained["labels"] as? [String] == ["bar", "disc", "frame"])
    #expect((trained["confusion"] as? [[Int]])?.count == 3)
    #expect(trained["accuracy"] is Double && trained["macro_f1"] is Double)
    let skipped = try #require(trained["skipped"] as? [[String: Any]])
    #expect(skipped.count == 1 && (skipped[0]["path"] as? String)?.hasSuffix("disc/corrupt.png") == true)
    // From scratch (the defaults: every block with the head at 3e-3, at most 30 epochs, early
    // stopping on validation loss): no cached features, no exact fit.
    #expect(trained["feature_cache"] as? Bool == false && trained["head_fit"] is NSNull)
    #expect((trained["epochs"] as? Int).map { $0 >= 1 && $0 <= 30 } == true, "\(train.stdout)")
    #expect(FileManager.default.fileExists(atPath: bundle + "/config.json"))
    // From scratch without --size: the images' own size (12, raised to the 16 floor), not 224.
    let native = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "4",
      "--out", dir + "/native.graft", "--epochs", "1", "--json", "--quiet",
    ])
    #expect(native.status == 0, "\(native.stderr)")
    let nativePreprocessing = try #require(try Self.json(native.stdout)["preprocessing"] as? [String: Any])
    #expect(nativePreprocessing["width"] as? Int == 16 && nativePreprocessing["height"] as? Int == 16, "\(native.stdout)")

    // A pretrained base (the bundle's) and the defaults: the linear head is fitted exactly on cached
    // features; the validation split holds 2 images per class, so λ is cross-validated over both.
    let exact = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", bundle, "--size", "12",
                                     "--out", dir + "/exact.graft", "--json", "--quiet"])
    #expect(exact.status == 0, "\(exact.stderr)")
    let fit = try #require(try Self.json(exact.stdout)["head_fit"] as? [String: Any], "\(exact.stdout)")
    #expect((fit["selection"] as? String)?.hasPrefix("3-fold cross-validation over training and validation rows") == true)
    #expect(try Self.json(exact.stdout)["feature_cache"] as? Bool == true)
    // Head only: once the tiny split has chosen λ, the head is refitted on all 18 readable images,
    // unless --no-head-refit.
    for (flag, refitted) in [([String](), 18 as Int?), (["--no-head-refit"], nil)] {
      let run = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", bundle, "--size", "12",
                                     "--fine-tune-blocks", "0", "--out", dir + "/refit.graft", "--json", "--quiet"] + flag)
      #expect(run.status == 0, "\(run.stderr)")
      let headFit = try #require(try Self.json(run.stdout)["head_fit"] as? [String: Any], "\(run.stdout)")
      #expect(headFit["refitted_on"] as? Int == refitted, "\(flag): \(run.stdout)")
    }
    let adam = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", bundle, "--size", "12",
                                    "--out", dir + "/adam.graft", "--head-solver", "adam", "--epochs", "3", "--json", "--quiet"])
    #expect(adam.status == 0, "\(adam.stderr)")
    #expect(try Self.json(adam.stdout)["head_fit"] is NSNull && Self.json(adam.stdout)["epochs"] as? Int == 3)

    let text = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", bundle, "--size", "12",
                                    "--out", dir + "/again.graft", "--epochs", "1", "--augment", "flip,crop",
                                    "--fine-tune-blocks", "1", "--fine-tune-epochs", "1", "--quiet"])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("skipped 1 unreadable file(s):") && text.stdout.contains("corrupt.png"))
    #expect(text.stdout.contains("validation: accuracy") && text.stdout.contains("wrote \(dir)/again.graft"))
    #expect(text.stdout.contains("base features recomputed every batch (augmentation)"))

    let evaluate = try GraftBinary.run(["evaluate", bundle, "--data", dir + "/shapes", "--json"])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    let metrics = try Self.json(evaluate.stdout)
    #expect(metrics["count"] as? Int == 18)
    #expect(metrics["labels"] as? [String] == ["bar", "disc", "frame"])
    #expect((metrics["accuracy"] as? Double ?? 0) >= 0.9, "\(evaluate.stdout)")
    #expect((metrics["skipped"] as? [Any])?.count == 1)

    let predict = try GraftBinary.run(["predict", bundle, dir + "/shapes/frame/2.png", dir + "/shapes/bar/0.png",
                                       "--top", "2", "--json"])
    #expect(predict.status == 0, "\(predict.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
    #expect(entries.count == 2)
    let first = try #require(entries[0]["predictions"] as? [[String: Any]])
    #expect(first.count == 2 && first[0]["label"] as? String == "frame")
    #expect((first[0]["probability"] as? Double ?? 0) >= (first[1]["probability"] as? Double ?? 1))
    #expect((entries[1]["predictions"] as? [[String: Any]])?.first?["label"] as? String == "bar")

    // A corrupt file among the inputs: the others are predicted, the error named, exit 1.
    let bad = try GraftBinary.run(["predict", bundle, dir + "/shapes/disc/corrupt.png", dir + "/shapes/bar/1.png"])
    #expect(bad.status == 1)
    #expect(bad.stdout.hasPrefix("\(dir)/shapes/bar/1.png: bar "))
    #expect(bad.stderr.hasPrefix("graft: \(dir)/shapes/disc/corrupt.png: "))
  }

  @Test func failuresAreOneLineWithTheRightExitCode() throws {
    let dir = try Self.makeFolder(perClass: 2)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let missing = try GraftBinary.run(["vision", "train", "--data", dir + "/nowhere", "--base", "none", "--arch", "smallcnn",
                                       "--out", dir + "/x.graft", "--quiet"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "graft: \(dir)/nowhere: no such directory\n")

    let unknown = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "vgg16",
                                       "--out", dir + "/x.graft"])
    #expect(unknown.status == 2)
    #expect(unknown.stderr.contains("unknown --arch \"vgg16\"") && unknown.stderr.contains("resnet18"))

    let badAugment = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn",
                                          "--augment", "flip,mixup", "--out", dir + "/x.graft"])
    #expect(badAugment.status == 2 && badAugment.stderr.contains("unknown --augment \"mixup\""))

    // From scratch there is one stage (every block with the head), so no fine-tune flags; the exact
    // solver needs cached features.
    let scratchFineTune = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch",
                                               "smallcnn", "--fine-tune-blocks", "1", "--out", dir + "/x.graft"])
    #expect(scratchFineTune.status == 2 && scratchFineTune.stderr.contains("--base none trains every block"))
    let lbfgsAugment = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/b.graft",
                                            "--head-solver", "lbfgs", "--augment", "flip", "--out", dir + "/x.graft"])
    #expect(lbfgsAugment.status == 2 && lbfgsAugment.stderr.contains("--head-solver lbfgs fits cached features"))

    let noArch = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "w.safetensors",
                                      "--out", dir + "/x.graft"])
    // A weights file may name its own architecture, so --arch is optional: the missing file is the error.
    #expect(noArch.status == 1 && noArch.stderr == "graft: w.safetensors: no such weights file\n")

    let noWeights = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/w.safetensors",
                                         "--arch", "resnet18", "--out", dir + "/x.graft"])
    #expect(noWeights.status == 1 && noWeights.stderr == "graft: \(dir)/w.safetensors: no such weights file\n")

    let noBundle = try GraftBinary.run(["evaluate", dir + "/none.graft", "--data", dir + "/shapes"])
    #expect(noBundle.status == 1 && noBundle.stderr == "graft: \(dir)/none.graft: no such bundle\n")
  }

  @Test func bundlesOfOtherModalitiesAreRefusedClearly() throws {
    let dir = try Self.makeFolder(perClass: 2)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var g = Generator(seed: 0)
    let base = SmallCNN(inputChannels: 1, widths: [4], using: &g)
    let config = ModelBundle.Config(modality: "audio", architecture: ArchitectureSpec(name: "smallcnn"), labels: ["a", "b"])
    let path = dir + "/sound.graft"
    try ModelBundle(config: config, model: base).write(to: path)
    // An audio bundle whose config lacks the audio front end: the audio reader names the problem.
    let evaluate = try GraftBinary.run(["evaluate", path, "--data", dir + "/shapes"])
    #expect(evaluate.status == 1)
    #expect(evaluate.stderr.hasPrefix("graft: \(path): invalid config.json: ") && evaluate.stderr.hasSuffix("\n"))
    #expect(evaluate.stderr.split(separator: "\n").count == 1)
    // A modality this build does not know.
    let tabular = dir + "/table.graft"
    try ModelBundle(config: ModelBundle.Config(modality: "tabular", architecture: ArchitectureSpec(name: "smallcnn"),
                                               labels: ["a", "b"]), model: base).write(to: tabular)
    let predict = try GraftBinary.run(["predict", tabular, dir + "/shapes/bar/0.png"])
    #expect(predict.status == 1 && predict.stderr == "graft: \(tabular): bundle of modality \"tabular\": not supported by this build yet\n")
    let train = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", path, "--out", dir + "/y.graft"])
    #expect(train.status == 1 && train.stderr == "graft: \(path): this bundle's modality is audio, expected vision\n")
  }
}
