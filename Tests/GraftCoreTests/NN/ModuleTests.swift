@testable import GraftCore
import Testing
import _GraftTestSupport

/// A torchvision-style residual block, to check keys like `layer1.0.conv1.weight`.
final class TinyBlock: Layer {
  let conv1: Conv2d
  let bn1: BatchNorm2d
  let conv2: Conv2d
  let bn2: BatchNorm2d
  let downsample: Sequential?
  init(_ cin: Int, _ cout: Int, using g: inout Generator) {
    conv1 = Conv2d(cin, cout, kernelSize: 3, padding: 1, bias: false, using: &g)
    bn1 = BatchNorm2d(cout)
    conv2 = Conv2d(cout, cout, kernelSize: 3, padding: 1, bias: false, using: &g)
    bn2 = BatchNorm2d(cout)
    downsample = cin == cout ? nil : Sequential(Conv2d(cin, cout, kernelSize: 1, bias: false, using: &g), BatchNorm2d(cout))
    super.init()
  }
  override func forward(_ x: Tensor) -> Tensor {
    let y = bn2(conv2(bn1(conv1(x)).relu()))
    return (y + (downsample?(x) ?? x)).relu()
  }
}

final class TinyNet: Layer {
  let conv1: Conv2d
  let bn1: BatchNorm2d
  let layer1: Sequential
  let pool = AdaptiveAvgPool2d()
  let fc: Linear
  init(using g: inout Generator) {
    conv1 = Conv2d(3, 4, kernelSize: 3, padding: 1, bias: false, using: &g)
    bn1 = BatchNorm2d(4)
    layer1 = Sequential(TinyBlock(4, 4, using: &g), TinyBlock(4, 8, using: &g))
    fc = Linear(8, 3, using: &g)
    super.init()
  }
  override func forward(_ x: Tensor) -> Tensor {
    fc(pool(layer1(bn1(conv1(x)).relu())).flattened())
  }
}

@Suite struct ModuleTests {
  @Test func stateDictKeysFollowPyTorch() {
    var g = Generator(seed: 1)
    let net = TinyNet(using: &g)
    let keys = net.stateDict().map(\.0)
    #expect(keys.prefix(7) == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                               "bn1.num_batches_tracked", "layer1.0.conv1.weight"])
    #expect(keys.contains("layer1.1.downsample.0.weight"))
    #expect(keys.contains("layer1.1.downsample.1.running_var"))
    #expect(!keys.contains { $0.hasPrefix("layer1.0.downsample") })
    #expect(keys.suffix(2) == ["fc.weight", "fc.bias"])
    #expect(net.namedParameters().count == 1 + 2 + (1 + 2 + 1 + 2) * 2 + 1 + 2 + 2)
  }

  @Test func freezeStopsGradientsAndKeepsBatchNormInInference() {
    var g = Generator(seed: 2)
    let net = TinyNet(using: &g)
    net.layer1.freeze()
    #expect(net.trainableParameters().count == 1 + 2 + 2)  // conv1, bn1, fc
    let block = net.layer1[0] as! TinyBlock
    #expect(block.bn1.isFrozen && !block.bn1.usesBatchStatistics)
    #expect(net.bn1.usesBatchStatistics)
    let before = block.bn1.runningMean.scalars
    let x = randomTensor([2, 3, 5, 5], seed: 3)
    let loss = crossEntropy(logits: net(x), labels: [0, 2])
    loss.backward()
    #expect(block.bn1.runningMean.scalars == before)         // frozen BN did not update
    #expect(block.bn1.batchesTracked.item == 0)
    #expect(net.bn1.batchesTracked.item == 1)                // trainable BN did
    for p in net.layer1.parameters() { #expect(p.grad == nil) }
    #expect(net.fc.weight.grad != nil && net.conv1.weight.grad != nil)
    net.layer1.unfreeze()
    #expect(net.trainableParameters().count == net.parameters().count)
    #expect(block.bn1.usesBatchStatistics)
  }

  @Test func evalUsesRunningStatistics() {
    let bn = BatchNorm1d(2)
    bn.runningMean.assign(Tensor(shape: [2], [1, -1]))
    bn.runningVar.assign(Tensor(shape: [2], [4, 1]))
    bn.eval()
    let y = bn(Tensor(shape: [1, 2], [3, 0]))
    assertClose(y.scalars, [1 / (4 + 1e-5 as Float).squareRoot() * 2, 1 / (1 + 1e-5 as Float).squareRoot()], tolerance: 1e-6)
  }

  @Test func loadReportsEveryProblemAtOnce() throws {
    var g = Generator(seed: 4)
    let net = TinyNet(using: &g)
    var state = Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.0, $0.1.copy()) })
    state["fc.weight"] = Tensor.zeros([5, 8])
    state.removeValue(forKey: "bn1.bias")
    state["head.weight"] = Tensor.zeros([1])
    let original = net.fc.bias.scalars
    state["fc.bias"] = Tensor.zeros([3])
    do {
      try net.load(state, source: "model.safetensors")
      Issue.record("load should have failed")
    } catch {
      #expect(error.missing == ["bn1.bias"])
      #expect(error.unexpected == ["head.weight"])
      #expect(error.mismatched == [.init(key: "fc.weight", expected: [3, 8], actual: [5, 8])])
      #expect(error.description.hasPrefix("model.safetensors: missing keys: bn1.bias"))
    }
    #expect(net.fc.bias.scalars == original)  // nothing changed on failure

    // Non-strict load skips missing/unexpected keys but still copies the rest.
    state["fc.weight"] = Tensor.zeros([3, 8])
    try net.load(state, strict: false)
    #expect(net.fc.bias.scalars == [0, 0, 0])
    #expect(net.fc.weight.scalars.allSatisfy { $0 == 0 })
  }

  @Test func loadKeepsTensorIdentity() throws {
    var g = Generator(seed: 5), h = Generator(seed: 6)
    let a = TinyNet(using: &g), b = TinyNet(using: &h)
    let weight = a.fc.weight
    try a.load(from: b)
    #expect(a.fc.weight === weight)
    #expect(a.fc.weight.scalars == b.fc.weight.scalars)
    #expect(a.layer1.stateDict().map(\.1.scalars) == b.layer1.stateDict().map(\.1.scalars))
  }

  @Test func summaryListsLayersShapesAndTotals() {
    var g = Generator(seed: 7)
    let net = TinyNet(using: &g)
    net.layer1.freeze()
    let rows = net.summaryRows(input: randomTensor([2, 3, 6, 6]))
    let fc = rows.first { $0.name == "fc" }
    #expect(fc?.outputShape == [2, 3] && fc?.parameters == 27 && fc?.trainable == 27)
    #expect(rows.first { $0.name == "layer1.1.conv1" }?.outputShape == [2, 8, 6, 6])
    #expect(rows.first { $0.name == "layer1.1.conv1" }?.trainable == 0)
    let text = net.summary(input: randomTensor([2, 3, 6, 6]))
    #expect(text.contains("Total parameters: \(Module.grouped(net.parameterCount()))"))
    #expect(text.contains("Frozen: \(Module.grouped(net.layer1.parameterCount()))"))
  }

  /// Sequential runs BatchNorm + ReLU/ReLU6 as one fused pass: the same values as the two
  /// layers one after the other (eval and training mode, with and without a tape), the same
  /// gradients, and the activation still appears in a summary.
  @Test(arguments: [true, false])
  func fusedNormActivationMatchesTheTwoLayers(_ relu6: Bool) {
    var g = Generator(seed: 21)
    let bn = BatchNorm2d(4)
    bn.weight = randomTensor([4], seed: 22)
    bn.bias = randomTensor([4], seed: 23)
    bn.runningMean = randomTensor([4], seed: 24, scale: 0.1)
    bn.runningVar = randomTensor([4], seed: 25, scale: 0.1).mapValues { 1 + abs($0) }
    let activation: Layer = relu6 ? ReLU6() : ReLU()
    let fused = Sequential(Conv2d(3, 4, kernelSize: 3, padding: 1, using: &g), bn, activation)
    let x = randomTensor([2, 3, 5, 5], seed: 26, scale: 8)  // large enough to reach 6
    func twoStep() -> Tensor { activation(bn(fused[0](x))) }
    for training in [false, true] {
      training ? fused.train() : fused.eval()
      let reference = withoutGradients { twoStep() }
      let noTape = withoutGradients { fused(x) }
      #expect(noTape.scalars == reference.scalars)
      // Both bounds are reached (batch statistics keep training-mode values near unit scale).
      #expect(noTape.scalars.contains(0) && (!relu6 || training || noTape.scalars.contains(6)))
    }
    // With a tape (eval and batch statistics): the same input and weight gradients.
    for training in [false, true] {
      training ? fused.train() : fused.eval()
      let xg = x.copy()
      xg.requiresGrad = true
      let upstream = randomTensor([2, 4, 5, 5], seed: 27)
      let y = fused(xg)
      #expect(y.requiresGrad && y.scalars == twoStepOn(xg).scalars)
      (y * upstream).sum().backward()
      let (fusedX, fusedW) = (xg.grad!.scalars, bn.weight.grad!.scalars)
      xg.grad = nil
      bn.weight.grad = nil
      (twoStepOn(xg) * upstream).sum().backward()
      #expect(fusedX == xg.grad!.scalars && fusedW == bn.weight.grad!.scalars, "training \(training)")
      bn.weight.grad = nil
    }
    func twoStepOn(_ input: Tensor) -> Tensor { activation(bn(fused[0](input))) }
    let rows = fused.summaryRows(input: x)
    #expect(rows.map(\.name).contains("2") && rows.first { $0.name == "2" }?.outputShape == [2, 4, 5, 5])
  }

  @Test func embeddingPaddingRowGetsNoGradient() {
    var g = Generator(seed: 8)
    let e = Embedding(5, 3, paddingIndex: 0, using: &g)
    #expect(e.weight.scalars.prefix(3) == [0, 0, 0])
    let y = e([0, 2, 2, 4], shape: [2, 2])
    #expect(y.shape == [2, 2, 3])
    y.sum().backward()
    let grad = e.weight.grad!.scalars
    #expect(grad.prefix(3) == [0, 0, 0])
    #expect(grad[6..<9] == [2, 2, 2])  // row 2 used twice
    e.freeze()
    #expect(e([1]).gradFn == nil)
  }

  @Test func dropoutOnlyInTraining() {
    let d = Dropout(0.5, seed: 1)
    let x = Tensor.ones([100])
    #expect(d(x).scalars.contains(0))
    d.eval()
    #expect(d(x).scalars == x.scalars)
    d.train()
    d.freeze()
    #expect(d(x).scalars == x.scalars)
  }
}
