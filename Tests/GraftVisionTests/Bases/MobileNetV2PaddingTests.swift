import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// MobileNetV2 with TensorFlow SAME padding and a classifier from its spec (the TF-slim ImageNet
/// file's shape: `["padding": "same", "classes": 1001]`).
@Suite struct MobileNetV2PaddingTests {
  static func quarterWidth(_ padding: MobileNetV2.Padding) throws -> MobileNetV2 {
    var g = Generator(seed: 5)
    let net = MobileNetV2(widthMultiplier: 0.25, classCount: 10, padding: padding, using: &g)
    try net.load(try SafeTensors.read(BaseFixtures.path("mobilenet_v2_025.safetensors")).tensors, source: "mobilenet_v2_025")
    net.eval()
    return net
  }

  /// torchvision's network with every convolution padded by TF's rule (`F.pad` then conv), at
  /// 64×64, where all five stride-2 convolutions pad one row/column at the bottom/right only.
  @Test func sameParityAtWidthQuarter() throws {
    let net = try Self.quarterWidth(.same)
    let io = try Fixture(path: BaseFixtures.path("mobilenet_v2_025_same_io.safetensors"))
    #expect(io.metadata["script"] == "Tools/fixtures/vision_bases.py")
    withoutGradients {
      assertClose(net.logits(io["input"]), io["logits"], tolerance: 1e-4, "logits")
      assertClose(net.features(io["input"]), io["features"], tolerance: 1e-4, "features")
      assertClose(net.featureMap(io["input"], upTo: "features.13"), io["intermediate"], tolerance: 1e-4, "features.13")
      // The symmetric network differs on this input (the fixture would not catch a no-op otherwise).
      let symmetric = try! Self.quarterWidth(.symmetric)
      let d = maxRelativeError(symmetric.featureMap(io["input"], upTo: "features.13").scalars, io["intermediate"].scalars)
      #expect(d > 1e-3)
    }
  }

  /// On 2^k + 1 inputs every SAME padding of the network is symmetric, so the two agree exactly.
  @Test func sameEqualsSymmetricOnOddSizes() throws {
    let same = try Self.quarterWidth(.same), symmetric = try Self.quarterWidth(.symmetric)
    let x = randomTensor([1, 3, 33, 33], seed: 3)
    withoutGradients { #expect(same.logits(x).scalars == symmetric.logits(x).scalars) }
  }

  @Test func specBuildsTheTFSlimShape() throws {
    VisionBases.register()
    let spec = ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["padding": "same", "classes": 1001])
    let net = try #require(try ArchitectureRegistry.makeBase(spec) as? MobileNetV2)
    #expect(net.padding == .same && net.classCount == 1001)
    // torchvision's keys, with a 1001-way classifier.
    let expected = try BaseFixtures.torchvisionKeys("mobilenet_v2").map { key, shape in
      (key, key.hasPrefix("classifier.1.") ? [1001] + shape.dropFirst() : shape)
    }
    let actual = net.stateDict().map { ($0.0, $0.1.shape) }
    #expect(actual.map(\.0) == expected.map(\.0))
    #expect(actual.map(\.1) == expected.map(\.1))
    // Every convolution pads SAME; the stride-2 ones are what differ from torchvision.
    let convs = net.namedModules().compactMap { $0.1 as? Conv2d }
    #expect(convs.count == 52 && convs.allSatisfy { $0.padding == .same })
    // The architecture rebuilds the same network, also through JSON.
    #expect(net.architecture == ArchitectureSpec(name: "mobilenet_v2",
                                                 hyperparameters: ["width_mult": 1, "padding": "same", "classes": 1001]))
    let decoded = try JSONDecoder().decode(ArchitectureSpec.self, from: JSONEncoder().encode(net.architecture))
    #expect(decoded == net.architecture)
    let rebuilt = try #require(try ArchitectureRegistry.makeBase(decoded) as? MobileNetV2)
    #expect(rebuilt.padding == .same && rebuilt.classCount == 1001)
    // The defaults stay torchvision's and say nothing new.
    let plain = try #require(try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "mobilenet_v2")) as? MobileNetV2)
    #expect(plain.padding == .symmetric && plain.classifier == nil)
    #expect(plain.architecture == ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 1]))
  }

  @Test func invalidHyperparameters() {
    VisionBases.register()
    for bad: [String: JSONValue] in [["padding": "valid"], ["padding": 1], ["classes": 0], ["classes": 2.5]] {
      #expect(throws: ArchitectureError.self, "\(bad)") {
        try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "mobilenet_v2", hyperparameters: bad))
      }
    }
  }

  /// With `classes` the source file's classifier is loaded, not dropped; without, it is dropped.
  @Test func loadBaseKeepsTheClassifierWhenTheSpecHasClasses() throws {
    VisionBases.register()
    let path = BaseFixtures.path("mobilenet_v2_025.safetensors")
    let spec = ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 0.25, "classes": 10])
    let net = try #require(try BaseSource.weights(path, architecture: spec).load().network as? MobileNetV2)
    #expect(net.stateDict().contains { $0.0 == "classifier.1.weight" })
    let io = try Fixture(path: BaseFixtures.path("mobilenet_v2_025_io.safetensors"))
    withoutGradients { assertClose(net.logits(io["input"]), io["logits"], tolerance: 1e-4, "logits") }
    let headless = try BaseSource.weights(path, architecture: ArchitectureSpec(name: "mobilenet_v2",
                                                                                hyperparameters: ["width_mult": 0.25])).load().network
    #expect(!headless.stateDict().contains { $0.0.hasPrefix("classifier.") })
    // A classifier of the wrong size is a shape mismatch, not a silent drop.
    let wrong = ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 0.25, "classes": 7])
    #expect {
      try BaseSource.weights(path, architecture: wrong).load().network
    } throws: { error in
      guard let e = error as? BaseSourceError, case .weightsDoNotFit(_, let e) = e.reason else { return false }
      return e.mismatched.contains { $0.key == "classifier.1.weight" }
    }
  }

  /// A bundle of a classifier on a SAME-padded base with its own classifier rebuilds both.
  @Test func bundleRoundTrip() throws {
    VisionBases.register()
    var g = Generator(seed: 2)
    let base = MobileNetV2(widthMultiplier: 0.25, classCount: 5, padding: .same, using: &g)
    base.eval()
    let model = Classifier(base: base, head: HeadSpec.linear.make(featureCount: base.featureCount, classCount: 2, seed: 3))
    model.eval()
    let config = ModelBundle.Config(
      modality: "vision",
      architecture: ArchitectureSpec(name: "classifier", hyperparameters: [
        "base": base.architecture.json, "head": HeadSpec.linear.json, "classes": 2,
      ]),
      labels: ["a", "b"])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-mnv2-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/m.graft"
    try ModelBundle(config: config, model: model).write(to: path)
    let loaded = try ModelBundle.read(from: path).makeClassifier(path: path)
    let rebuilt = try #require(loaded.base as? MobileNetV2)
    #expect(rebuilt.padding == .same && rebuilt.classCount == 5 && rebuilt.widthMultiplier == 0.25)
    let x = randomTensor([1, 3, 32, 32], seed: 4)
    withoutGradients { #expect(loaded(x).scalars == model(x).scalars) }
  }
}
