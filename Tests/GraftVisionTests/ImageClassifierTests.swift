import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// A tiny class-per-folder set: 16×16 RGB images of a red disc, a green bar and a blue frame
/// (jittered position and noise), `perClass` of each, plus one corrupt file in `disc/`.
func writeShapesFolder(_ root: String, perClass: Int = 8, seed: UInt64 = 1) throws {
  var g = Generator(seed: seed)
  for cls in ["bar", "disc", "frame"] {
    try FileManager.default.createDirectory(atPath: root + "/" + cls, withIntermediateDirectories: true)
    for i in 0..<perClass {
      let dx = g.int(below: 3) - 1, dy = g.int(below: 3) - 1
      var samples = [UInt8](repeating: 0, count: 16 * 16 * 3)
      for y in 0..<16 {
        for x in 0..<16 {
          let u = x - 8 - dx, v = y - 8 - dy
          let on: Bool, channel: Int
          switch cls {
          case "disc": on = u * u + v * v <= 25; channel = 0
          case "bar": on = abs(u) <= 2; channel = 1
          default: on = max(abs(u), abs(v)) >= 5 && max(abs(u), abs(v)) <= 6; channel = 2
          }
          for c in 0..<3 {
            let noise = g.int(below: 40)
            samples[(y * 16 + x) * 3 + c] = UInt8(on && c == channel ? 215 + noise : noise)
          }
        }
      }
      try PNGEncoder.write(Image(width: 16, height: 16, channels: 3, samples: samples), to: "\(root)/\(cls)/\(i).png")
    }
  }
  try Data("not a png at all".utf8).write(to: URL(fileURLWithPath: root + "/disc/corrupt.png"))
}

@Suite struct ImageClassifierTests {
  static let preprocessing = ImageFolder.Preprocessing(width: 16, height: 16, normalization: .imageNet)
  static let base = BaseSource.scratch(ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 4]))

  @Test func trainBundleReloadPredictEvaluate() throws {
    let dir = try TemporaryDirectory("graft-imageclassifier")
    defer { dir.remove() }
    let root = dir.file("shapes")
    try writeShapesFolder(root)
    // An explicit two-stage schedule on a random base: Adam epochs for the head (the exact fit's
    // weakly regularised head on random features makes the fine-tune stage start at a loss of ~400).
    let recipe = TransferRecipe(headEpochs: 30, headLearningRate: 0.05, batchSize: 8,
                                fineTune: FineTune(topBlocks: 5, epochs: 8, baseLearningRate: 0.01, headLearningRate: 0.01),
                                seed: 7, headSolver: nil, quiet: true)
    let training = try ImageClassifier.train(base: Self.base, on: root, recipe: recipe,
                                             preprocessing: Self.preprocessing, validationFraction: 0.25)
    // The corrupt file is reported and skipped; the rest are used.
    #expect(training.report.skipped.map(\.path) == [root + "/disc/corrupt.png"])
    #expect(training.report.classCounts.map(\.count) == [8, 8, 8])
    #expect(training.result.usedFeatureCache && training.result.fineTuneHistory?.epochs.count == 8)
    let metrics = try #require(training.metrics)
    #expect(metrics.labels == ["bar", "disc", "frame"] && metrics.count == 6)

    let config = training.bundle.config
    #expect(config.modality == "vision")
    #expect(config.preprocessing["width"] == 16 && config.preprocessing["channels"] == 3)
    #expect(config.architecture.hyperparameters["base"]?["name"] == "resnet18")

    let path = dir.file("shapes.graft")
    try training.bundle.write(to: path)
    let loaded = try ImageClassifier(bundlePath: path)
    #expect(loaded.preprocessing == Self.preprocessing)
    #expect(loaded.labels == ["bar", "disc", "frame"])

    // The reloaded model computes what the trained one does.
    let image = try PNGDecoder.decode(at: root + "/disc/3.png")
    let trained = ImageClassifier(model: training.result.model, labels: config.labels, preprocessing: Self.preprocessing)
    assertClose(loaded.probabilities(image).map(Float.init), trained.probabilities(image).map(Float.init),
                tolerance: 1e-6, "reloaded probabilities")
    let top = try loaded.predict(file: root + "/disc/3.png", top: 3)
    #expect(top.map(\.label).sorted() == ["bar", "disc", "frame"])
    #expect(top[0].probability >= top[1].probability && top[1].probability >= top[2].probability)
    #expect(abs(top.map(\.probability).reduce(0, +) - 1) < 1e-5)

    // The shapes are easy: the head separates them on the (mostly training) images.
    let (evaluation, report, skipped) = try loaded.evaluate(on: root, batchSize: 8)
    #expect(evaluation.metrics.count == 24 && report.skipped.count == 1 && skipped.isEmpty)
    #expect(evaluation.metrics.accuracy >= 0.9, "accuracy \(evaluation.metrics.accuracy)")
    #expect(top[0].label == "disc")
  }

  @Test func evaluateRejectsUnknownClassesAndWrongModality() throws {
    let dir = try TemporaryDirectory("graft-imageclassifier")
    defer { dir.remove() }
    try writeShapesFolder(dir.file("shapes"), perClass: 3)
    let recipe = TransferRecipe(headEpochs: 1, batchSize: 8, seed: 1, quiet: true)
    let training = try ImageClassifier.train(base: Self.base, on: dir.file("shapes"), recipe: recipe,
                                             preprocessing: Self.preprocessing, validationFraction: 0)
    #expect(training.metrics == nil)
    try FileManager.default.moveItem(atPath: dir.file("shapes/bar"), toPath: dir.file("shapes/stripe"))
    let model = ImageClassifier(model: training.result.model, labels: training.bundle.config.labels,
                                preprocessing: Self.preprocessing)
    #expect(throws: ImageClassifierError(path: dir.file("shapes") + "/stripe",
                                         reason: .unknownClass(name: "stripe", known: ["bar", "disc", "frame"]))) {
      try model.evaluate(on: dir.file("shapes"))
    }
    var bundle = training.bundle
    bundle.config.modality = "audio"
    #expect(throws: BundleError(path: "x.graft", reason: .wrongModality(expected: "vision", actual: "audio"))) {
      try ImageClassifier(bundle: bundle, path: "x.graft")
    }
  }

  @Test func augmentedItemsChangePerEpochAndRepeatPerSeed() throws {
    let dir = try TemporaryDirectory("graft-imageclassifier")
    defer { dir.remove() }
    try writeShapesFolder(dir.file("shapes"), perClass: 2)
    let folder = try ImageFolder(root: dir.file("shapes"), preprocessing: Self.preprocessing)
    let augmentation = Augmentation([.randomResizedCrop(width: 16, height: 16, scale: 0.3...0.6), .horizontalFlip()])
    let a = AugmentedImageFolder(folder: folder, indices: [0, 1, 2], augmentation: augmentation, seed: 3)
    let b = AugmentedImageFolder(folder: folder, indices: [0, 1, 2], augmentation: augmentation, seed: 3)
    let first = try a.example(at: 1).input.scalars, second = try a.example(at: 1).input.scalars
    #expect(first != second)                                  // a new draw each visit (epoch)
    #expect(try b.example(at: 1).input.scalars == first)      // the same seed repeats the first
    #expect(try b.example(at: 1).input.scalars == second)
    #expect(try a.example(at: 0).label == folder.items[0].label)
  }

  @Test func trainsWithAugmentationWithoutTheCache() throws {
    let dir = try TemporaryDirectory("graft-imageclassifier")
    defer { dir.remove() }
    try writeShapesFolder(dir.file("shapes"), perClass: 3)
    let recipe = TransferRecipe(headEpochs: 2, batchSize: 8, seed: 1, quiet: true)
    let training = try ImageClassifier.train(
      base: .scratch(ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 0.25])),
      on: dir.file("shapes"), recipe: recipe, preprocessing: Self.preprocessing,
      augmentation: Augmentation([.horizontalFlip()]), validationFraction: 0.34)
    #expect(!training.result.usedFeatureCache)
    #expect(training.result.headHistory.epochs.count == 2)
    #expect(training.bundle.config.preprocessing["train_augmentation"]?.array?.count == 1)
  }

  @Test func preprocessingJSONRoundTrips() throws {
    let p = ImageFolder.Preprocessing(width: 224, height: 200, layout: .gray, normalization: .unit, filter: .box,
                                      resizeShorterSide: 256)
    #expect(try ImageFolder.Preprocessing(json: p.json) == p)
    var bad = p.json
    bad["filter"] = "lanczos"
    #expect(throws: SettingsError.self) { try ImageFolder.Preprocessing(json: bad) }
    // A damaged bundle cannot ask for an unbounded image (issue 16).
    var huge = p.json
    huge["width"] = .number(Double(1 << 40))
    #expect(performing: { try ImageFolder.Preprocessing(json: huge) }, throws: { error in
      (error as? SettingsError)?.description == "width must be an integer in 1...16384"
    })
  }
}
