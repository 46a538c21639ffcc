import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// YAMNet's wiring: keys, shapes, blocks, the registry, SAME padding (needs no ../shared; the
/// numbers against the released model are in YAMNetReferenceTests).
@Suite struct YAMNetTests {
  @Test func keysShapesAndBlocks() {
    var g = Generator(seed: 1)
    let model = YAMNet(using: &g)
    let state = model.stateDict()
    let keys = state.map(\.0)
    #expect(keys.count == 56)  // as the conversion in ../shared/pretrained/make_refs.py
    #expect(keys.first == "layer1.conv.weight" && keys.last == "logits.bias")
    let shapes = Dictionary(uniqueKeysWithValues: state.map { ($0.0, $0.1.shape) })
    #expect(shapes["layer1.conv.weight"] == [32, 1, 3, 3])
    #expect(shapes["layer2.depthwise.weight"] == [32, 1, 3, 3] && shapes["layer2.pointwise.weight"] == [64, 32, 1, 1])
    #expect(shapes["layer14.depthwise.weight"] == [1024, 1, 3, 3] && shapes["layer14.pointwise.bias"] == [1024])
    #expect(shapes["logits.weight"] == [521, 1024])
    #expect(model.parameterCount() == 3_729_481)
    #expect(model.featureCount == 1024 && model.blocks.count == 6)
    model.unfreezeTop(1)
    #expect(Set(model.namedTrainableParameters().map { $0.0.split(separator: ".")[0] }) == ["layer13", "layer14"])
    model.freeze()
    #expect(model.trainableParameters().isEmpty)
  }

  @Test func patchShapesAndLogits() {
    var g = Generator(seed: 2)
    let model = YAMNet(classCount: 7, using: &g)
    model.eval()
    let x = randomTensor([2, 1, 96, 64], seed: 3)
    let map = withoutGradients { model.featureMap(x) }
    #expect(map.shape == [2, 1024, 3, 2])
    let (logits, features) = withoutGradients { model.logitsAndFeatures(x) }
    #expect(logits.shape == [2, 7] && features.shape == [2, 1024])
    #expect(withoutGradients { model.features(x) }.scalars == features.scalars)
    let scores = withoutGradients { model.scores(x) }
    assertClose(scores, logits.sigmoid(), tolerance: 0, "scores")
  }

  /// TF SAME: a stride-2 3×3 convolution on an even size pads 0 before and 1 after, so the
  /// top-left tap of output (0, 0) reads input (0, 0) (PyTorch's symmetric padding: a zero pad).
  @Test func layer1PadsLikeTensorFlow() throws {
    var g = Generator(seed: 4)
    let model = YAMNet(classCount: nil, using: &g)
    var state = Dictionary(uniqueKeysWithValues: model.stateDict())
    let weight = Tensor.zeros([32, 1, 3, 3])
    weight.data[0] = 1  // filter 0, tap (0, 0): with SAME it reads input (0, 0), with symmetric padding the zero pad
    state["layer1.conv.weight"] = weight
    state["layer1.conv.bias"] = Tensor.zeros([32])
    try model.load(state, strict: true)
    let x = Tensor.ones([1, 1, 4, 4])
    let y = withoutGradients { model.stem(x) }
    #expect(y.shape == [1, 32, 2, 2] && y.data[0] == 1)
  }

  @Test func registryRebuildsIt() throws {
    GraftAudio.registerArchitectures()
    var g = Generator(seed: 5)
    for model in [YAMNet(using: &g), YAMNet(classCount: nil, using: &g)] {
      let rebuilt = try ArchitectureRegistry.makeBase(model.architecture)
      #expect(rebuilt is YAMNet && rebuilt.architecture == model.architecture)
      #expect(rebuilt.stateDict().map(\.0) == model.stateDict().map(\.0))
    }
    let bare = try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "yamnet", hyperparameters: [:]))
    #expect((bare as? YAMNet)?.classCount == 521)
    #expect(throws: ArchitectureError.self) {
      try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "yamnet", hyperparameters: ["classes": .number(-1)]))
    }
  }
}
