import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// EfficientAT's MN: wiring against a tiny PyTorch fixture (Tools/fixtures/mobilenet_v3.py), keys,
/// blocks and the registry.
@Suite struct MNTests {
  static let fixturePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/mn_tiny.safetensors").path

  @Test func tinyNetworkMatchesEfficientAT() throws {
    let f = try Fixture(path: Self.fixturePath)
    var g = Generator(seed: 1)
    let model = MN(widthMultiplier: 0.1, classCount: 5, using: &g)
    let state = Dictionary(uniqueKeysWithValues: f.tensors.filter { $0.key.hasPrefix("model.") }
      .map { (String($0.key.dropFirst("model.".count)), $0.value) })
    try model.load(state, strict: true, source: "mn_tiny")
    model.eval()
    let (logits, features) = withoutGradients { model.logitsAndFeatures(f["x"]) }
    assertClose(logits, f["logits"], tolerance: 1e-4, "logits")
    assertClose(features, f["features"], tolerance: 1e-4, "features")
    let alone = withoutGradients { model.features(f["x"]) }
    #expect(alone.scalars == features.scalars)
  }

  @Test func mn04ShapesKeysAndBlocks() {
    var g = Generator(seed: 1)
    let model = MN(using: &g)
    let keys = model.stateDict().map(\.0)
    #expect(keys.count == 312)
    #expect(keys.first == "features.0.0.weight" && keys.last == "classifier.5.bias")
    #expect(keys.contains("features.4.block.2.conc_se_layers.0.fc1.weight"))
    #expect(keys.contains("features.16.1.running_var") && keys.contains("classifier.2.weight"))
    let shapes = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.shape) })
    #expect(shapes["features.15.block.1.0.weight"] == [384, 1, 5, 5])
    #expect(shapes["features.12.block.2.conc_se_layers.0.fc1.weight"] == [72, 272])
    #expect(shapes["classifier.5.weight"] == [527, 512])
    #expect(model.parameterCount() == 983_599)  // EfficientAT's count for mn04 (pretrained/README.md)
    #expect(model.featureCount == 384 && model.blocks.count == 8)
    model.unfreezeTop(1)
    #expect(model.namedTrainableParameters().map(\.0) == ["features.16.0.weight", "features.16.1.weight", "features.16.1.bias"])
    model.unfreezeTop(2)
    #expect(model.namedTrainableParameters().allSatisfy { ["13", "14", "15", "16"].contains($0.0.split(separator: ".")[1]) })
    model.freeze()
    #expect(model.trainableParameters().isEmpty)
  }

  @Test func anyNumberOfFramesAndABatch() {
    var g = Generator(seed: 2)
    let model = MN(widthMultiplier: 0.1, classCount: nil, using: &g)
    model.eval()
    for frames in [1, 7, 33] {
      let y = withoutGradients { model(randomTensor([2, 1, 128, frames], seed: 3)) }
      #expect(y.shape == [2, 96])
    }
    // Each item of a batch is computed as alone (eval mode).
    let x = randomTensor([2, 1, 40, 19], seed: 4)
    let both = withoutGradients { model.features(x) }
    let second = withoutGradients { model.features(x.slice(axis: 0, start: 1, count: 1)) }
    assertClose(Tensor(shape: [1, 96], Array(both.scalars[96...])), second, tolerance: 1e-5, "batch item 1")
  }

  @Test func registryRebuildsMN() throws {
    GraftAudio.registerArchitectures()
    var g = Generator(seed: 1)
    let model = MN(using: &g)
    #expect(model.architecture == ArchitectureSpec(name: "mn04_as", hyperparameters: ["width_mult": .number(0.4),
                                                                                      "num_classes": .number(527)]))
    let rebuilt = try ArchitectureRegistry.makeBase(model.architecture)
    #expect(rebuilt.featureCount == 384 && rebuilt.stateDict().map(\.0) == model.stateDict().map(\.0))
    let headless = try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "mn04_as", hyperparameters: ["num_classes": .number(0)]))
    #expect(!headless.stateDict().contains { $0.0.hasPrefix("classifier") })
    #expect(throws: ArchitectureError.self) {
      try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "mn04_as", hyperparameters: ["width_mult": .number(-1)]))
    }
  }
}
