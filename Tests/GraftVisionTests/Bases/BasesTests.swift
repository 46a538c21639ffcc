import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// `Fixtures/bases/`, made by `Tools/fixtures/vision_bases.py` (torch 2.11, torchvision 0.26).
enum BaseFixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/bases").path
  static func path(_ name: String) -> String { directory + "/" + name }

  /// torchvision's `state_dict` keys and shapes for each architecture, in order.
  static func torchvisionKeys(_ arch: String) throws -> [(String, [Int])] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path("torchvision_keys.json")))
    let root = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    let entries = (root?["architectures"] as? [String: Any])?[arch] as? [[Any]] ?? []
    return entries.compactMap { e in
      guard let key = e.first as? String, let shape = e.last as? [Int] else { return nil }
      return (key, shape)
    }
  }
}

@Suite struct ResNetTests {
  @Test(arguments: ResNet.Depth.allCases)
  func keysAndShapesMatchTorchvision(_ depth: ResNet.Depth) throws {
    var g = Generator(seed: 0)
    let net = ResNet(depth, classCount: 1000, using: &g)
    let expected = try BaseFixtures.torchvisionKeys(depth.rawValue)
    #expect(!expected.isEmpty)
    let actual = net.stateDict().map { ($0.0, $0.1.shape) }
    #expect(actual.map(\.0) == expected.map(\.0))
    #expect(actual.map(\.1) == expected.map(\.1))
  }

  @Test func resnet18Parity() throws { try checkParity("resnet18_w8", ResNet.Depth.resnet18, intermediate: "layer3") }
  @Test func resnet50BottleneckParity() throws { try checkParity("resnet50_w8", .resnet50, intermediate: "layer2") }

  func checkParity(_ name: String, _ depth: ResNet.Depth, intermediate: String) throws {
    var g = Generator(seed: 5)
    let net = ResNet(depth, width: 8, classCount: 10, using: &g)
    let weights = try SafeTensors.read(BaseFixtures.path(name + ".safetensors"))
    try net.load(weights.tensors, source: name)
    net.eval()
    let io = try Fixture(path: BaseFixtures.path(name + "_io.safetensors"))
    withoutGradients {
      assertClose(net.logits(io["input"]), io["logits"], tolerance: 1e-4, "\(name) logits")
      assertClose(net.features(io["input"]), io["features"], tolerance: 1e-4, "\(name) features")
      assertClose(net.featureMap(io["input"], upTo: intermediate), io["intermediate"], tolerance: 1e-4,
                  "\(name) \(intermediate)")
    }
  }

  @Test func featuresBlocksAndSpec() {
    var g = Generator(seed: 1)
    let net = ResNet(.resnet50, width: 4, using: &g)
    #expect(net.featureCount == 4 * 8 * 4)
    #expect(net.blocks.count == 5)
    #expect(net.fc == nil && !net.stateDict().contains { $0.0.hasPrefix("fc.") })
    #expect(net.architecture == ArchitectureSpec(name: "resnet50", hyperparameters: ["width": 4]))
    let x = Tensor.randomNormal([2, 3, 32, 32], using: &g)
    net.eval()
    #expect(net.features(x).shape == [2, 128])
    #expect(net.featureMap(x, upTo: "stem").shape == [2, 4, 8, 8])
    #expect(net.featureMap(x, upTo: "layer3").shape == [2, 64, 2, 2])
  }

  @Test func unfreezeTopOpensOnlyTheTopBlocks() {
    var g = Generator(seed: 1)
    let net = ResNet(.resnet18, width: 4, using: &g)
    net.unfreezeTop(1)
    let trainable = Set(net.namedTrainableParameters().map(\.0))
    #expect(!trainable.isEmpty && trainable.allSatisfy { $0.hasPrefix("layer4.") })
    #expect(trainable.count == net.layer4.namedParameters().count)
    net.unfreezeTop(5)
    #expect(net.namedTrainableParameters().count == net.namedParameters().count)
    net.freeze()
    #expect(net.trainableParameters().isEmpty && net.bn1.isFrozen)
  }

  @Test func registryRebuildsFromSpec() throws {
    GraftVision.registerArchitectures()
    GraftVision.registerArchitectures()  // idempotent
    let base = try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "resnet34", hyperparameters: ["width": 8]))
    #expect(base.architecture == ArchitectureSpec(name: "resnet34", hyperparameters: ["width": 8]))
    #expect(base.featureCount == 64)
    #expect(throws: ArchitectureError.self) {
      try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "resnet18", hyperparameters: ["width": -1]))
    }
  }

  @Test func loadBaseDropsTheClassifierAndChecksEveryKey() throws {
    let spec = ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 8])
    let base = try BaseSource.weights(BaseFixtures.path("resnet18_w8.safetensors"), architecture: spec).load().network
    let io = try Fixture(path: BaseFixtures.path("resnet18_w8_io.safetensors"))
    withoutGradients { assertClose(base.features(io["input"]), io["features"], tolerance: 1e-4, "loaded base") }
    // The wrong width: every shape mismatch is reported in one error.
    let wrong = ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 16])
    #expect {
      try BaseSource.weights(BaseFixtures.path("resnet18_w8.safetensors"), architecture: wrong).load().network
    } throws: { error in
      guard let e = error as? BaseSourceError, case .weightsDoNotFit(_, let e) = e.reason else { return false }
      return e.mismatched.count > 10 && e.mismatched.contains { $0.key == "conv1.weight" }
    }
    // The wrong architecture: missing and unexpected keys.
    #expect(throws: BaseSourceError.self) {
      try BaseSource.weights(BaseFixtures.path("resnet18_w8.safetensors"), architecture: ArchitectureSpec(name: "mobilenet_v2")).load().network
    }
  }
}

@Suite struct MobileNetV2Tests {
  @Test func keysAndShapesMatchTorchvision() throws {
    var g = Generator(seed: 0)
    let net = MobileNetV2(classCount: 1000, using: &g)
    let expected = try BaseFixtures.torchvisionKeys("mobilenet_v2")
    #expect(!expected.isEmpty)
    let actual = net.stateDict().map { ($0.0, $0.1.shape) }
    #expect(actual.map(\.0) == expected.map(\.0))
    #expect(actual.map(\.1) == expected.map(\.1))
    #expect(net.featureCount == 1280 && net.blocks.count == 9)
  }

  @Test func parityAtWidthQuarter() throws {
    var g = Generator(seed: 5)
    let net = MobileNetV2(widthMultiplier: 0.25, classCount: 10, using: &g)
    let weights = try SafeTensors.read(BaseFixtures.path("mobilenet_v2_025.safetensors"))
    try net.load(weights.tensors, source: "mobilenet_v2_025")
    net.eval()
    let io = try Fixture(path: BaseFixtures.path("mobilenet_v2_025_io.safetensors"))
    withoutGradients {
      assertClose(net.logits(io["input"]), io["logits"], tolerance: 1e-4, "logits")
      assertClose(net.features(io["input"]), io["features"], tolerance: 1e-4, "features")
      assertClose(net.featureMap(io["input"], upTo: "features.13"), io["intermediate"], tolerance: 1e-4, "features.13")
    }
  }

  @Test func unfreezeTopFollowsStages() {
    var g = Generator(seed: 1)
    let net = MobileNetV2(widthMultiplier: 0.25, using: &g)
    net.unfreezeTop(2)  // features.17 and features.18
    let trainable = Set(net.namedTrainableParameters().map(\.0))
    #expect(!trainable.isEmpty)
    #expect(trainable.allSatisfy { $0.hasPrefix("features.17.") || $0.hasPrefix("features.18.") })
    #expect(trainable.contains("features.18.0.weight") && trainable.contains("features.17.conv.1.0.weight"))
    #expect(net.architecture == ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 0.25]))
  }
}

/// Opt-in: full-width torchvision networks with random weights (about 250 MB, not committed).
/// `python Tools/fixtures/vision_bases.py --full DIR`, then
/// `GRAFT_FULL_BASES=DIR swift test --filter FullWidthParity`.
@Suite struct FullWidthParity {
  static let directory = ProcessInfo.processInfo.environment["GRAFT_FULL_BASES"]

  @Test(.enabled(if: directory != nil, "opt-in: set GRAFT_FULL_BASES (see above)"), arguments: ["resnet18", "resnet34", "resnet50", "mobilenet_v2"])
  func logitsMatchTorchvision(_ arch: String) throws {
    let dir = try #require(Self.directory)
    var g = Generator(seed: 0)
    let net: Layer
    let layer: String
    if let depth = ResNet.Depth(rawValue: arch) {
      net = ResNet(depth, classCount: 1000, using: &g)
      layer = "layer3"
    } else {
      net = MobileNetV2(classCount: 1000, using: &g)
      layer = "features.13"
    }
    try net.load(try SafeTensors.read("\(dir)/\(arch).safetensors").tensors, source: arch)
    net.eval()
    let io = try Fixture(path: "\(dir)/\(arch)_io.safetensors")
    // Random full-depth networks with random BatchNorm statistics reach activations of several
    // hundred (ResNet-50), so errors are measured against the tensor's largest magnitude.
    func scaledError(_ a: Tensor, _ b: Tensor) -> Float {
      let scale = max(1, b.scalars.map(abs).max() ?? 0)
      return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
    }
    withoutGradients {
      let logits = net(io["input"])
      #expect(logits.shape == io["logits"].shape)
      #expect(scaledError(logits, io["logits"]) <= 1e-5, "\(arch) logits")
      let map = (net as? ResNet)?.featureMap(io["input"], upTo: layer) ?? (net as? MobileNetV2)?.featureMap(io["input"], upTo: layer)
      let expected = io["intermediate"]
      #expect(map?.shape == expected.shape)
      if let map { #expect(scaledError(map, expected) <= 1e-5, "\(arch) \(layer): \(scaledError(map, expected))") }
    }
  }
}
