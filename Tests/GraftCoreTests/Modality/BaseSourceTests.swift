import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// `plain.pt`'s network (Conv2d → BatchNorm2d → … → Linear, keys `0.*`, `1.*`, `4.*`) as a base,
/// registered under `pytorch_plain` so a `torch.save` file can be loaded through `BaseSource`.
final class PlainCheckpointBase: Layer, FeatureExtractor {
  let conv: Conv2d
  let bn: BatchNorm2d
  let linear: Linear

  override init() {
    var g = Generator(seed: 0)
    conv = Conv2d(2, 3, kernelSize: 3, using: &g)
    bn = BatchNorm2d(3)
    linear = Linear(12, 4, using: &g)
    super.init()
  }

  override func namedChildren() -> [(String, Module)] { [("0", conv), ("1", bn), ("4", linear)] }
  var featureCount: Int { 4 }
  var architecture: ArchitectureSpec { ArchitectureSpec(name: "pytorch_plain") }
  var blocks: [Module] { [conv, bn, linear] }
  func features(_ x: Tensor) -> Tensor { linear(bn(conv(x)).flattened()) }
  override func forward(_ x: Tensor) -> Tensor { features(x) }
}

@Suite(.serialized) struct BaseSourceTests {
  static let smallcnn = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 1, "widths": [2, 3]])

  static func directory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-base-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func reason(_ body: () throws -> Any) -> BaseSourceError.Reason? {
    do {
      _ = try body()
      return nil
    } catch {
      return (error as? BaseSourceError)?.reason
    }
  }

  static func stateOf(_ base: any FeatureExtractor) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1.scalars) })
  }

  /// safetensors: with the architecture given, named by `architecture` (a JSON spec) or `arch`
  /// metadata, and refused when it names none, names another, or names it badly.
  @Test func safetensorsNameTheirArchitectureOrNeedOne() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let source = try ArchitectureRegistry.makeBase(Self.smallcnn)
    for (_, t) in source.stateDict() { for i in 0..<t.count { t.data[i] = Float(i % 7) * 0.25 } }
    let tensors = Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.0, $0.1) })
    let spec = String(decoding: try JSONEncoder().encode(Self.smallcnn.json), as: UTF8.self)

    let bare = dir + "/bare.safetensors", named = dir + "/named.safetensors", byName = dir + "/arch.safetensors"
    try SafeTensors.write(tensors, to: bare)
    try SafeTensors.write(tensors, metadata: ["architecture": spec], to: named)
    try SafeTensors.write(tensors, metadata: ["arch": "smallcnn"], to: byName)

    let given = try BaseSource.weights(bare, architecture: Self.smallcnn).load()
    #expect(given.format == .safetensors && !given.isScratch && given.bundle == nil)
    #expect(Self.stateOf(given.network) == Self.stateOf(source))
    let fromMetadata = try BaseSource.weights(named).load()
    #expect(fromMetadata.network.architecture == Self.smallcnn)
    #expect(Self.stateOf(fromMetadata.network) == Self.stateOf(source))
    #expect(Self.reason { try BaseSource.weights(bare).load() } == .needsArchitecture(.safetensors))
    // `arch` names only the architecture, built with its defaults: smallcnn has none, so it
    // cannot be built; an architecture whose defaults fit loads.
    #expect(throws: ArchitectureError.self) { try BaseSource.weights(byName).load() }
    ArchitectureRegistry.register("smallcnn_1x2x3") { _ throws(ArchitectureError) in
      var g = Generator(seed: 0)
      return SmallCNN(inputChannels: 1, widths: [2, 3], using: &g)
    }
    try SafeTensors.write(tensors, metadata: ["arch": "smallcnn_1x2x3"], to: byName)
    #expect(Self.stateOf(try BaseSource.weights(byName).load().network) == Self.stateOf(source))
    #expect(Self.reason { try BaseSource.weights(named, architecture: ArchitectureSpec(name: "other")).load() }
      == .architectureConflict(file: "smallcnn", given: "other"))
    let badSpec = dir + "/bad.safetensors"
    try SafeTensors.write(tensors, metadata: ["architecture": "{\"widths\": 3"], to: badSpec)
    do {
      _ = try BaseSource.weights(badSpec).load()
      Issue.record("malformed architecture metadata must be refused")
    } catch {
      guard let e = error as? BaseSourceError, case .invalidMetadata = e.reason else {
        Issue.record("\(error)")
        return
      }
    }
    #expect(Self.reason { try BaseSource.weights(bare, architecture: Self.smallcnn).load(architectures: ["vggish"]) }
      == .notForThisModality("smallcnn", allowed: ["vggish"]))
  }

  /// The one key rule: a Graft classifier's `base.`/`head.` state dict gives its base; a source
  /// classifier (`fc.`, `classifier.`) the base lacks is dropped; anything else is refused.
  @Test func oneKeyRuleForEveryFormat() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let source = try ArchitectureRegistry.makeBase(Self.smallcnn)
    let own = source.stateDict()
    let prefixed = dir + "/classifier.safetensors"
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: own.map { ("base." + $0.0, $0.1) } + [("head.weight", Tensor.ones([2, 3]))]),
                          to: prefixed)
    #expect(Self.stateOf(try BaseSource.weights(prefixed, architecture: Self.smallcnn).load().network) == Self.stateOf(source))
    let withFC = dir + "/fc.safetensors"
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: own.map { ($0.0, $0.1) }
      + [("fc.weight", Tensor.ones([10, 3])), ("classifier.1.bias", Tensor.ones([10]))]), to: withFC)
    #expect(Self.stateOf(try BaseSource.weights(withFC, architecture: Self.smallcnn).load().network) == Self.stateOf(source))
    let stray = dir + "/stray.safetensors"
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: own.map { ($0.0, $0.1) } + [("extra.weight", Tensor.ones([1]))]),
                          to: stray)
    if case .weightsDoNotFit(_, let error)? = Self.reason({ try BaseSource.weights(stray, architecture: Self.smallcnn).load() }) {
      #expect(error.unexpected == ["extra.weight"] && error.missing.isEmpty)
    } else {
      Issue.record("an unexpected key must be refused")
    }
  }

  /// A `torch.save` zip is detected by content (whatever its name) and loaded as the named
  /// architecture; it never names its own.
  @Test func pytorchCheckpointsLoadByContent() throws {
    ArchitectureRegistry.register("pytorch_plain") { _ throws(ArchitectureError) in PlainCheckpointBase() }
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = dir + "/weights.bin"
    try FileManager.default.copyItem(atPath: PyTorchFixture.path("plain.pt"), toPath: file)
    let loaded = try BaseSource.weights(file, architecture: ArchitectureSpec(name: "pytorch_plain")).load()
    #expect(loaded.format == .pytorch)
    let expected = try SafeTensors.read(PyTorchFixture.path("plain.expected.safetensors")).tensors
    #expect(Self.stateOf(loaded.network) == expected.mapValues(\.scalars))
    #expect(Self.reason { try BaseSource.weights(file).load() } == .needsArchitecture(.pytorch))
  }

  /// TFLite files go through the registered `WeightsMapper`s: the one asked for, or the first
  /// that recognises the file; none registered for an architecture is an error naming it.
  @Test func tfliteFilesGoThroughRegisteredMappers() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // A file TFLite's identifier announces; the test mapper recognises it by its tail.
    func write(_ path: String, tail: String) throws {
      try Data([0x10, 0, 0, 0] + Array("TFL3".utf8) + [UInt8](repeating: 0, count: 8) + Array(tail.utf8))
        .write(to: URL(fileURLWithPath: path))
    }
    let mine = dir + "/mine.tflite", other = dir + "/other.model"
    try write(mine, tail: "smallcnn-fixture")
    try write(other, tail: "something else")
    WeightsMapper.register(WeightsMapper(architecture: "smallcnn", format: .tflite) { path, requested in
      let weights = try ArchitectureRegistry.makeBase(Self.smallcnn).stateDict()
      guard let data = FileManager.default.contents(atPath: path), String(decoding: data.suffix(16), as: UTF8.self) == "smallcnn-fixture"
      else { throw BaseSourceError(path: path, reason: .invalidMetadata("not the test graph")) }
      return MappedWeights(architecture: requested ?? Self.smallcnn, stateDict: Dictionary(uniqueKeysWithValues: weights.map { ($0.0, $0.1) }))
    })
    let recognised = try BaseSource.weights(mine).load()
    #expect(recognised.format == .tflite && recognised.network.architecture == Self.smallcnn)
    #expect(try BaseSource.weights(mine, architecture: Self.smallcnn).load().network.architecture == Self.smallcnn)
    if case .unrecognised(let format, let tried)? = Self.reason({ try BaseSource.weights(other).load() }) {
      #expect(format == .tflite && tried.contains { $0.hasPrefix("smallcnn: ") })
    } else {
      Issue.record("an unrecognised graph must be refused")
    }
    #expect(Self.reason { try BaseSource.weights(mine, architecture: ArchitectureSpec(name: "no_such_mapper")).load() }
      == .noMapper(architecture: "no_such_mapper", format: .tflite))
  }

  /// Missing files, directories and files of no known format are typed errors naming the file.
  @Test func unreadableSourcesAreTypedErrors() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(Self.reason { try BaseSource.weights(dir + "/none.pt").load() } == .missing)
    #expect(Self.reason { try BaseSource.weights(dir).load() } == .notAWeightsFile)
    let text = dir + "/notes.pth"
    try Data("just some text".utf8).write(to: URL(fileURLWithPath: text))
    #expect(throws: WeightsFormatError.self) { try BaseSource.weights(text).load() }
    let error = try #require(Self.missingError(dir + "/none.pt"))
    #expect(error.description == "\(dir)/none.pt: no such weights file")
  }

  static func missingError(_ path: String) -> BaseSourceError? {
    do { _ = try BaseSource.weights(path).load() } catch { return error as? BaseSourceError }
    return nil
  }

  /// A bundle lends its base (weights included); `modality` restricts whose; scratch is random.
  @Test func bundlesAndScratch() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let base = try ArchitectureRegistry.makeBase(Self.smallcnn)
    for (_, t) in base.stateDict() { for i in 0..<t.count { t.data[i] = Float(i % 5) } }
    var g = Generator(seed: 1)
    let model = Classifier(base: base, head: Linear(base.featureCount, 2, using: &g))
    let config = ModelBundle.Config(modality: "test", architecture: ArchitectureSpec(name: "classifier", hyperparameters: [
      "base": Self.smallcnn.json, "head": HeadSpec.linear.json, "classes": 2,
    ]), labels: ["a", "b"])
    try ModelBundle(config: config, model: model).write(to: dir + "/m.graft")
    let loaded = try BaseSource.bundle(dir + "/m.graft").load()
    #expect(loaded.bundle?.config.modality == "test" && loaded.format == .bundle)
    #expect(Self.stateOf(loaded.network) == Self.stateOf(base))
    #expect(throws: BundleError(path: dir + "/m.graft", reason: .wrongModality(expected: "vision", actual: "test"))) {
      try BaseSource.bundle(dir + "/m.graft").load(modality: "vision")
    }
    let scratch = try BaseSource.scratch(Self.smallcnn).load()
    #expect(scratch.isScratch && scratch.network.architecture == Self.smallcnn)
  }

  /// The policies: scratch trains every block at the head's rate with batch statistics; a
  /// modality's pretrained policy scales the rate and fine-tunes only when asked; a recipe's own
  /// `FineTune` always wins.
  @Test func fineTunePolicies() throws {
    let pretrained = FineTunePolicy(name: "test", baseLearningRateScale: 0.01, headLearningRateScale: 0.1, defaultEpochs: 3)
    #expect(pretrained.fineTune(FineTuneRequest(), learningRate: 1, headEpochs: 10, blockCount: 4) == nil)
    #expect(pretrained.fineTune(FineTuneRequest(blocks: 2), learningRate: 1, headEpochs: 10, blockCount: 4)
      == FineTune(topBlocks: 2, epochs: 3, baseLearningRate: 0.01, headLearningRate: 0.1, trainBatchNorm: false))
    #expect(FineTunePolicy.scratch.fineTune(FineTuneRequest(), learningRate: 0.5, headEpochs: 7, blockCount: 4)
      == FineTune(topBlocks: 4, epochs: 7, baseLearningRate: 0.5, headLearningRate: 0.5, trainBatchNorm: true))
    #expect(FineTunePolicy.scratch.fineTune(.headOnly, learningRate: 0.5, headEpochs: 7, blockCount: 4) == nil)
    #expect(FineTunePolicy.scratch.fineTune(FineTuneRequest(blocks: 9, epochs: 2), learningRate: 1, headEpochs: 7,
                                            blockCount: 4)?.topBlocks == 4)
    // Random weights train jointly from the first epoch: the base is not frozen, there is no
    // second stage, and the head stage's rate and cap are the whole network's.
    let scratch = try BaseSource.scratch(Self.smallcnn).load()
    let recipe = TransferRecipe(headEpochs: 5, headLearningRate: 0.2)
    #expect(FineTunePolicy.scratch.jointFromStart && !pretrained.jointFromStart)
    let joint = scratch.recipe(recipe, fineTune: FineTuneRequest(), pretrained: pretrained)
    #expect(joint.fineTune == nil && !joint.freezeBase && joint.headEpochs == 5 && joint.headLearningRate == 0.2)
    let asked = scratch.recipe(recipe, fineTune: FineTuneRequest(blocks: 1, epochs: 2), pretrained: pretrained)
    #expect(asked.fineTune == nil && !asked.freezeBase)
    var own = recipe
    own.fineTune = FineTune(topBlocks: 1)
    #expect(scratch.recipe(own, fineTune: FineTuneRequest(), pretrained: pretrained).fineTune == FineTune(topBlocks: 1))
  }

  /// Settings errors name the key and what it must be, and become one bundle error.
  @Test func settingsDecoderNamesTheField() throws {
    let s = SettingsDecoder(["width": 0, "filter": "cubic", "front_end": ["hop": "x"]])
    #expect(throws: SettingsError(key: "width", expected: "an integer in 1...8")) { try s.int("width", in: 1...8) }
    #expect(throws: SettingsError(key: "front_end.hop", expected: "a number")) { try s.object("front_end").double("hop") }
    #expect(throws: BundleError(path: "m.graft", reason: .invalidConfig("preprocessing: height must be an integer in 1...8"))) {
      try SettingsDecoder.decode(["height": "tall"], path: "m.graft") { try $0.int("height", in: 1...8) }
    }
  }
}

/// The input a source states: a safetensors file's `preprocessing` metadata (a JSON object) is
/// carried as it is, none gives an empty one, one that is not an object is refused.
@Suite struct BaseSourceStatedPreprocessingTests {
  @Test func safetensorsStateTheirPreprocessing() throws {
    let dir = try BaseSourceTests.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = BaseSourceTests.smallcnn
    let tensors = Dictionary(uniqueKeysWithValues: try ArchitectureRegistry.makeBase(spec).stateDict().map { ($0.0, $0.1) })
    let specText = String(decoding: try JSONEncoder().encode(spec.json), as: UTF8.self)
    let stated = dir + "/stated.safetensors", silent = dir + "/silent.safetensors", bad = dir + "/bad.safetensors"
    try SafeTensors.write(tensors, metadata: ["architecture": specText,
                                              "preprocessing": #"{"width": 12, "height": 10, "mean": [0.5], "std": [0.25]}"#],
                          to: stated)
    try SafeTensors.write(tensors, metadata: ["architecture": specText], to: silent)
    try SafeTensors.write(tensors, metadata: ["architecture": specText, "preprocessing": "[12, 10]"], to: bad)
    #expect(try BaseSource.weights(stated).load().preprocessing
      == ["width": 12, "height": 10, "mean": [0.5], "std": [0.25]])
    #expect(try BaseSource.weights(silent).load().preprocessing == [:])
    #expect(try BaseSource.scratch(spec).load().preprocessing == [:])
    #expect(BaseSourceTests.reason { try BaseSource.weights(bad).load() }
      == .invalidMetadata("preprocessing is not a JSON object"))
    #expect(BaseSource.weights(stated).path == stated && BaseSource.scratch(spec).path == "smallcnn")
  }
}
