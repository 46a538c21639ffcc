import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// A base's stated input (`LoadedBase.preprocessing`) chooses a classifier's preprocessing when the
/// user gives none, and the bundle records what was used.
@Suite struct BasePreprocessingTests {
  static let tflite = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  /// `forBase`: the user's size, else the stated side, else 224; the stated mean/std under
  /// `.base`, ImageNet's without one or under `.imagenet`, [0, 1] under `.none`.
  @Test func forBaseRules() throws {
    let stated: [String: JSONValue] = ["width": 48, "height": 40, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]]
    let half = Normalization(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
    #expect(try ImageFolder.Preprocessing.forBase(stated) == .init(width: 48, height: 40, normalization: half))
    #expect(try ImageFolder.Preprocessing.forBase(stated, size: 32, normalization: .imagenet)
      == .init(width: 32, height: 32, normalization: .imageNet))
    #expect(try ImageFolder.Preprocessing.forBase(stated, normalization: .none)
      == .init(width: 48, height: 40, normalization: .unit))
    #expect(try ImageFolder.Preprocessing.forBase([:]) == .init(width: 224, height: 224, normalization: .imageNet))
    #expect(try ImageFolder.Preprocessing.forBase([:], size: 64, resizeShorterSide: 72)
      == .init(width: 64, height: 64, normalization: .imageNet, resizeShorterSide: 72))
    // A bundle base states everything: its channels, filter and shorter side are kept.
    let bundle = ImageFolder.Preprocessing(width: 20, height: 20, layout: .gray, normalization: Normalization(mean: [0.1], std: [0.3]),
                                           filter: .box, resizeShorterSide: 24)
    #expect(try ImageFolder.Preprocessing.forBase(bundle.json) == bundle)
    // What is stated must be a preprocessing.
    #expect(throws: SettingsError.self) { try ImageFolder.Preprocessing.forBase(["width": 48]) }
    #expect(throws: SettingsError.self) { try ImageFolder.Preprocessing.forBase(["width": 0, "height": 4]) }
    #expect(throws: SettingsError.self) { try ImageFolder.Preprocessing.forBase(["mean": [0.5, 0.5, 0.5], "std": [0.25, 0, 0.25]]) }
    #expect(throws: SettingsError.self) { try ImageFolder.Preprocessing.forBase(["mean": [0.5], "std": [0.25]]) }
    #expect(try ImageFolder.Preprocessing.forBase(["mean": [0.5], "std": [0.25]], normalization: .imagenet).normalization == .imageNet)
  }

  /// A tiny safetensors base whose metadata states 12×12 and mean 0.5 / std 0.25: trained with no
  /// size given, the classifier uses exactly that, the bundle records it, and the reloaded
  /// classifier reproduces the trained one's probabilities. A size and normalization given win.
  @Test func statedPreprocessingReachesTheBundle() throws {
    GraftVision.registerArchitectures()
    let dir = try TemporaryDirectory("graft-base-preprocessing")
    defer { dir.remove() }
    let root = dir.file("shapes")
    try writeShapesFolder(root, perClass: 4)
    let spec = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [4, 6]])
    let tensors = Dictionary(uniqueKeysWithValues: try ArchitectureRegistry.makeBase(spec).stateDict().map { ($0.0, $0.1) })
    let path = dir.file("stated.safetensors")
    try SafeTensors.write(tensors, metadata: [
      "architecture": String(decoding: try JSONEncoder().encode(spec.json), as: UTF8.self),
      "preprocessing": #"{"width": 12, "height": 12, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}"#,
    ], to: path)
    let recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 4, seed: 3, quiet: true)
    let expected = ImageFolder.Preprocessing(width: 12, height: 12,
                                             normalization: Normalization(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))

    let training = try ImageClassifier.train(base: .weights(path), on: root, recipe: recipe, validationFraction: 0)
    #expect(training.preprocessing == expected)
    #expect(try ImageFolder.Preprocessing(json: training.bundle.config.preprocessing) == expected)
    let written = dir.file("stated.graft")
    try training.bundle.write(to: written)
    let reloaded = try ImageClassifier(bundlePath: written)
    #expect(reloaded.preprocessing == expected)
    let image = try PNGDecoder.decode(at: root + "/disc/0.png")
    let trained = ImageClassifier(model: training.result.model, labels: training.bundle.config.labels,
                                  preprocessing: training.preprocessing)
    #expect(reloaded.probabilities(image) == trained.probabilities(image))

    // The user's size and normalization win over the stated ones.
    let overridden = try ImageClassifier.train(base: .weights(path), on: root, recipe: recipe, size: 16,
                                               normalization: .imagenet, validationFraction: 0)
    #expect(overridden.preprocessing == ImageFolder.Preprocessing(width: 16, height: 16, normalization: .imageNet))
    // A base stating a broken preprocessing is refused, naming the file.
    let broken = dir.file("broken.safetensors")
    try SafeTensors.write(tensors, metadata: [
      "architecture": String(decoding: try JSONEncoder().encode(spec.json), as: UTF8.self),
      "preprocessing": #"{"width": 12}"#,
    ], to: broken)
    do {
      _ = try ImageClassifier.train(base: .weights(broken), on: root, recipe: recipe, validationFraction: 0)
      Issue.record("a stated width without a height must be refused")
    } catch let error as ImageClassifierError {
      guard case .invalidBasePreprocessing = error.reason else { Issue.record("\(error)"); return }
      #expect(error.path == broken)
    }
  }

  /// The ImageNet MobileNetV2 `.tflite` states 224×224 and (u8 − 128)/128 (mean = std = 128/255).
  @Test(.enabled(if: SharedData.has(tflite), SharedData.skipMessage(tflite)))
  func imageNetTFLiteStatesItsInput() throws {
    let path = try #require(SharedData.path(Self.tflite))
    let loaded = try ImageClassifier.load(.weights(path))
    let p = try ImageClassifier.preprocessing(for: loaded, source: .weights(path))
    #expect(p.width == 224 && p.height == 224 && p.layout == .rgb && p.resizeShorterSide == nil)
    for v in p.normalization.mean + p.normalization.std { #expect(abs(v - 128 / 255) < 1e-6) }
  }
}
