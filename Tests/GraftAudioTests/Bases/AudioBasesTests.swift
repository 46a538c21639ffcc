import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

@Suite struct AudioBasesTests {
  static var patches: Tensor { randomTensor([2, 1, 96, 64], seed: 7) }

  static let vggishKeys = ["features.0", "features.3", "features.6", "features.8", "features.11", "features.13",
                           "embeddings.0", "embeddings.2", "embeddings.4"].flatMap { ["\($0).weight", "\($0).bias"] }

  @Test func vggishShapesKeysAndBlocks() {
    var g = Generator(seed: 1)
    let base = VGGish(widthMultiplier: 1.0 / 8, using: &g)
    #expect(base.widths == [8, 16, 32, 64] && base.hiddenSize == 512 && base.featureCount == 128)
    #expect(base.stateDict().map(\.0) == Self.vggishKeys)
    let shapes = Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1.shape) })
    #expect(shapes["features.0.weight"] == [8, 1, 3, 3] && shapes["features.13.weight"] == [64, 64, 3, 3])
    #expect(shapes["embeddings.0.weight"] == [512, 64 * 6 * 4] && shapes["embeddings.4.weight"] == [128, 512])
    let y = withoutGradients { base.features(Self.patches) }
    #expect(y.shape == [2, 128] && y.scalars.allSatisfy { $0 >= 0 })  // ReLU embedding
    #expect(base.blocks.count == 5)
    base.unfreezeTop(1)
    #expect(base.namedTrainableParameters().map(\.0) == Array(Self.vggishKeys.suffix(6)))
    base.unfreezeTop(2)
    #expect(base.namedTrainableParameters().map(\.0) == Array(Self.vggishKeys.suffix(10)))
    base.freeze()
    #expect(base.trainableParameters().isEmpty)
  }

  @Test func vggishFlattensChannelsLast() {
    // torchvggish flattens [N, H, W, C] (TensorFlow's order), not [N, C, H, W].
    var g = Generator(seed: 2)
    let base = VGGish(widthMultiplier: 1.0 / 32, inputHeight: 32, inputWidth: 16, embeddingSize: 4, using: &g)
    let x = randomTensor([1, 1, 32, 16], seed: 3)
    let map = withoutGradients { base.convolutions(x) }
    #expect(map.shape == [1, 16, 2, 1])
    let y = withoutGradients { base.features(x) }
    let channelsLast = withoutGradients { base.embeddings(map.permuted([0, 2, 3, 1]).flattened()) }
    let channelsFirst = withoutGradients { base.embeddings[0](map.flattened()) }
    let channelsLastHidden = withoutGradients { base.embeddings[0](map.permuted([0, 2, 3, 1]).flattened()) }
    #expect(y.scalars == channelsLast.scalars)
    #expect(channelsFirst.scalars != channelsLastHidden.scalars)
  }

  @Test func resnetShapesKeysAndBlocks() {
    var g = Generator(seed: 1)
    let base = AudioResNet(baseWidth: 4, layers: [1, 2], using: &g)
    #expect(base.featureCount == 8)
    let bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    let expected = ["conv1.weight"] + bn.map { "bn1.\($0)" }
      + ["layer1.0.conv1.weight"] + bn.map { "layer1.0.bn1.\($0)" } + ["layer1.0.conv2.weight"] + bn.map { "layer1.0.bn2.\($0)" }
      + ["layer2.0.conv1.weight"] + bn.map { "layer2.0.bn1.\($0)" } + ["layer2.0.conv2.weight"] + bn.map { "layer2.0.bn2.\($0)" }
      + ["layer2.0.downsample.0.weight"] + bn.map { "layer2.0.downsample.1.\($0)" }
      + ["layer2.1.conv1.weight"] + bn.map { "layer2.1.bn1.\($0)" } + ["layer2.1.conv2.weight"] + bn.map { "layer2.1.bn2.\($0)" }
    #expect(base.stateDict().map(\.0) == expected)
    base.eval()
    let y = withoutGradients { base.features(Self.patches) }
    #expect(y.shape == [2, 8])
    #expect(base.blocks.count == 3)
    base.unfreezeTop(1)
    #expect(base.namedTrainableParameters().allSatisfy { $0.0.hasPrefix("layer2.") })
    #expect(base.namedTrainableParameters().count == 15)  // block 0: 3 convs + 3 BN pairs; block 1: 2 + 2
    base.unfreezeTop(3)
    #expect(base.namedTrainableParameters().count == base.namedParameters().count)
  }

  @Test func registryRebuildsBothBasesWithTheSameKeys() throws {
    GraftAudio.registerArchitectures()
    GraftAudio.registerArchitectures()  // idempotent
    #expect(ArchitectureRegistry.names.contains("vggish") && ArchitectureRegistry.names.contains("audio_resnet"))
    var g = Generator(seed: 4)
    let bases: [any FeatureExtractor] = [VGGish(widthMultiplier: 1.0 / 16, using: &g),
                                         AudioResNet(baseWidth: 8, layers: [1, 1, 1], using: &g)]
    for base in bases {
      let rebuilt = try ArchitectureRegistry.makeBase(base.architecture)
      #expect(rebuilt.architecture == base.architecture)
      #expect(rebuilt.stateDict().map { "\($0.0)\($0.1.shape)" } == base.stateDict().map { "\($0.0)\($0.1.shape)" })
      try rebuilt.load(from: base)
      base.eval(); rebuilt.eval()
      let x = randomTensor([1, 1, 96, 64], seed: 9)
      #expect(withoutGradients { rebuilt.features(x) }.scalars == withoutGradients { base.features(x) }.scalars)
    }
    for bad: [String: JSONValue] in [["width_multiplier": -1], ["input_height": 8], ["embedding_size": "x"]] {
      #expect(throws: ArchitectureError.self) { try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "vggish", hyperparameters: bad)) }
    }
    for bad: [String: JSONValue] in [["layers": []], ["layers": [1, 0]], ["base_width": 0]] {
      #expect(throws: ArchitectureError.self) {
        try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "audio_resnet", hyperparameters: bad))
      }
    }
  }

  @Test func unfrozenBlocksReceiveGradients() {
    var g = Generator(seed: 5)
    let base = VGGish(widthMultiplier: 1.0 / 16, using: &g)
    base.unfreezeTop(2)
    let loss = base.features(Self.patches).sum()
    loss.backward()
    for (name, p) in base.namedParameters() {
      let trainable = name.hasPrefix("embeddings.") || name.hasPrefix("features.11.") || name.hasPrefix("features.13.")
      #expect((p.grad != nil) == trainable, "\(name)")
    }
  }
}
