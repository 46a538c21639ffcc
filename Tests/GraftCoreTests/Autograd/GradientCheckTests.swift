import GraftCore
import Testing
import _GraftTestSupport

/// Every differentiable op against central finite differences: one line per case.
@Suite struct GradientCheckTests {
  // Elementwise and broadcasting
  @Test func add() { checkGradient([randomTensor([3, 4], seed: 1), randomTensor([4], seed: 2)]) { $0[0] + $0[1] } }
  @Test func subtract() { checkGradient([randomTensor([2, 1, 3], seed: 1), randomTensor([4, 1], seed: 2)]) { $0[0] - $0[1] } }
  @Test func multiply() { checkGradient([randomTensor([2, 3, 4], seed: 3), randomTensor([3, 1], seed: 4)]) { $0[0] * $0[1] } }
  @Test func divide() {
    checkGradient([randomTensor([3, 4], seed: 5), randomTensor([3, 4], seed: 6).abs() + 1]) { $0[0] / $0[1] }
  }
  @Test func scalarOps() { checkGradient([randomTensor([5], seed: 7)]) { 2 - $0[0] * 3 + 1 / ($0[0].square() + 2) } }
  @Test func maximumMinimum() {
    checkGradient([randomTensor([4, 3], seed: 8), randomTensor([3], seed: 9)]) { $0[0].maximum($0[1]) + $0[0].minimum($0[1]) * 2 }
  }

  // Unary math (inputs kept away from kinks so differences are smooth)
  @Test func exp() { checkGradient([randomTensor([6], seed: 10)]) { $0[0].exp() } }
  @Test func log() { checkGradient([randomTensor([6], seed: 11).abs() + 0.5]) { $0[0].log() } }
  @Test func sqrt() { checkGradient([randomTensor([6], seed: 12).abs() + 0.5]) { $0[0].sqrt() } }
  @Test func tanh() { checkGradient([randomTensor([6], seed: 13)]) { $0[0].tanh() } }
  @Test func sigmoid() { checkGradient([randomTensor([6], seed: 14, scale: 3)]) { $0[0].sigmoid() } }
  @Test func relu() { checkGradient([Tensor(shape: [6], [-2, -0.5, 0.3, 1, 2.5, -1.2])]) { $0[0].relu() } }
  @Test func relu6() { checkGradient([Tensor(shape: [6], [-2, 0.5, 3, 5.5, 6.5, 9])]) { $0[0].relu6() } }
  @Test func gelu() { checkGradient([randomTensor([8], seed: 15, scale: 2)]) { $0[0].gelu() } }
  @Test func pow() { checkGradient([randomTensor([5], seed: 16).abs() + 0.5]) { $0[0].pow(2.5) } }

  // Reductions
  @Test func sumAxes() { checkGradient([randomTensor([2, 3, 4], seed: 17)]) { $0[0].sum(axes: [0, 2]) } }
  @Test func sumKeepDims() { checkGradient([randomTensor([2, 3, 4], seed: 18)]) { $0[0].sum(axis: 1, keepDims: true) } }
  @Test func mean() { checkGradient([randomTensor([3, 5], seed: 19)]) { $0[0].mean(axis: -1) } }
  @Test func max() { checkGradient([Self.spaced([3, 5], seed: 20)]) { $0[0].max(axis: 1) } }
  @Test func logSumExp() { checkGradient([randomTensor([3, 5], seed: 21)]) { $0[0].logSumExp(axis: 1) } }

  // Shape ops
  @Test func reshape() { checkGradient([randomTensor([2, 6], seed: 22)]) { $0[0].reshaped([3, -1]) * $0[0].reshaped([3, 4]) } }
  @Test func permute() { checkGradient([randomTensor([2, 3, 4], seed: 23)]) { $0[0].permuted([2, 0, 1]) } }
  @Test func slice() { checkGradient([randomTensor([3, 5, 2], seed: 24)]) { $0[0].slice(axis: 1, start: 1, count: 3) } }
  @Test func concat() {
    checkGradient([randomTensor([2, 3], seed: 25), randomTensor([2, 2], seed: 26)]) { Tensor.concat([$0[0], $0[1]], axis: 1) }
  }
  @Test func stack() { checkGradient([randomTensor([2, 3], seed: 27), randomTensor([2, 3], seed: 28)]) { Tensor.stack([$0[0], $0[1]], axis: 1) } }
  @Test func indexSelect() { checkGradient([randomTensor([5, 3], seed: 29)]) { $0[0].indexSelect(axis: 0, [4, 0, 4, 2]) } }
  @Test func pad() { checkGradient([randomTensor([2, 3, 3], seed: 30)]) { $0[0].padded([(1, 2), (0, 1)], value: 0.5) } }
  @Test func expand() { checkGradient([randomTensor([3, 1], seed: 31)]) { $0[0].expanded(to: [2, 3, 4]) } }

  // Linear algebra
  @Test func matmul2d() { checkGradient([randomTensor([3, 4], seed: 32), randomTensor([4, 5], seed: 33)]) { matmul($0[0], $0[1]) } }
  @Test func matmulFolded() { checkGradient([randomTensor([2, 3, 4], seed: 34), randomTensor([4, 2], seed: 35)]) { matmul($0[0], $0[1]) } }
  @Test func matmulBatched() { checkGradient([randomTensor([2, 3, 4], seed: 36), randomTensor([2, 4, 2], seed: 37)]) { matmul($0[0], $0[1]) } }
  @Test(arguments: [(false, true), (true, false), (true, true)])
  func matmulTransposed(_ flags: (Bool, Bool)) {
    let a = flags.0 ? randomTensor([4, 3], seed: 38) : randomTensor([3, 4], seed: 38)
    let b = flags.1 ? randomTensor([5, 4], seed: 39) : randomTensor([4, 5], seed: 39)
    checkGradient([a, b]) { matmul($0[0], $0[1], transposeA: flags.0, transposeB: flags.1) }
  }
  @Test func linearShape() {
    // x·Wᵀ + b over a [B, T, F] input, as a Linear layer computes it.
    checkGradient([randomTensor([2, 3, 4], seed: 40), randomTensor([5, 4], seed: 41), randomTensor([5], seed: 42)]) {
      matmul($0[0], $0[1], transposeB: true) + $0[2]
    }
  }

  // Convolution and pooling
  struct ConvCase: @unchecked Sendable, CustomTestStringConvertible {
    var input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int
    var testDescription: String { "x\(input) w\(weight) s\(stride) p\(padding) d\(dilation) g\(groups)" }
  }
  static let convCases: [ConvCase] = [
    ConvCase(input: [2, 3, 5, 6], weight: [4, 3, 3, 3], stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1),
    ConvCase(input: [1, 2, 7, 6], weight: [3, 2, 2, 3], stride: (2, 1), padding: (1, 0), dilation: (1, 1), groups: 1),
    ConvCase(input: [1, 2, 7, 7], weight: [2, 2, 3, 3], stride: (2, 2), padding: (0, 0), dilation: (2, 2), groups: 1),
    ConvCase(input: [2, 4, 5, 5], weight: [6, 2, 3, 3], stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 2),
    ConvCase(input: [2, 3, 6, 5], weight: [6, 1, 3, 3], stride: (2, 2), padding: (1, 1), dilation: (1, 1), groups: 3),
    ConvCase(input: [2, 3, 4, 4], weight: [5, 3, 1, 1], stride: (1, 1), padding: (0, 0), dilation: (1, 1), groups: 1),
  ]
  @Test(arguments: convCases)
  func conv2dGradients(_ c: ConvCase) {
    checkGradient([randomTensor(c.input, seed: 43), randomTensor(c.weight, seed: 44, scale: 0.5), randomTensor([c.weight[0]], seed: 45)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    }
  }
  /// Distinct values spaced far wider than the finite-difference step, so no window has a near-tie.
  static func spaced(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = Generator(seed: seed)
    return Tensor(shape: shape, g.permutation(Shape.count(shape)).map { Float($0) * 0.1 })
  }
  @Test func maxPool() { checkGradient([Self.spaced([2, 2, 5, 6], seed: 46)]) { maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) } }
  @Test func maxPoolCeil() { checkGradient([Self.spaced([1, 2, 5, 5], seed: 47)]) { maxPool2d($0[0], kernel: (2, 2), ceilMode: true) } }
  @Test(arguments: [true, false])
  func avgPool(_ countIncludePad: Bool) {
    checkGradient([randomTensor([2, 2, 5, 6], seed: 48)]) {
      avgPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: countIncludePad)
    }
  }
  @Test func globalAveragePool() { checkGradient([randomTensor([2, 3, 4, 5], seed: 49)]) { globalAveragePool2d($0[0]) } }

  // Normalization, softmax, losses
  @Test func batchNormTraining() {
    checkGradient([randomTensor([4, 3, 2, 2], seed: 50), randomTensor([3], seed: 51), randomTensor([3], seed: 52)]) {
      batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: nil, runningVar: nil, useBatchStatistics: true)
    }
  }
  @Test func batchNormEval() {
    let mean = randomTensor([3], seed: 53), variance = randomTensor([3], seed: 54).abs() + 0.5
    checkGradient([randomTensor([4, 3, 2], seed: 55), randomTensor([3], seed: 56), randomTensor([3], seed: 57)]) {
      batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: mean, runningVar: variance, useBatchStatistics: false)
    }
  }
  @Test func layerNorm() {
    checkGradient([randomTensor([3, 2, 4], seed: 58), randomTensor([2, 4], seed: 59), randomTensor([2, 4], seed: 60)]) {
      GraftCore.layerNorm($0[0], normalizedCount: 8, weight: $0[1], bias: $0[2])
    }
  }
  @Test func softmax() { checkGradient([randomTensor([3, 4, 2], seed: 61)]) { GraftCore.softmax($0[0], axis: 1) } }
  @Test func logSoftmax() { checkGradient([randomTensor([3, 5], seed: 62)]) { GraftCore.logSoftmax($0[0], axis: -1) } }
  @Test func crossEntropy() {
    checkGradient([randomTensor([4, 5], seed: 63)]) {
      GraftCore.crossEntropy(logits: $0[0], labels: [1, 0, 4, 4], classWeights: [1, 2, 0.5, 1, 3], labelSmoothing: 0.1)
    }
  }
  @Test func binaryCrossEntropy() {
    let targets = Tensor(shape: [3, 2], [1, 0, 0, 1, 1, 1])
    checkGradient([randomTensor([3, 2], seed: 67, scale: 2)]) {
      binaryCrossEntropyWithLogits(logits: $0[0], targets: targets, positiveWeight: [2, 0.5])
    }
  }
  @Test func mse() { checkGradient([randomTensor([3, 2], seed: 64), randomTensor([3, 2], seed: 65)]) { mseLoss($0[0], $0[1]) } }
  @Test func dropoutScalesKeptValues() {
    var g = Generator(seed: 3)
    let mask = dropout(Tensor.ones([1000]), probability: 0.3, training: true, using: &g)
    // Kept entries are scaled by 1/(1-p); about 30% are dropped.
    #expect(mask.scalars.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.7) < 1e-6 })
    let dropped = mask.scalars.filter { $0 == 0 }.count
    #expect(dropped > 240 && dropped < 360)
    let g2 = Generator(seed: 3)
    checkGradient([randomTensor([6], seed: 66)]) { x in
      var copy = g2
      return dropout(x[0], probability: 0.5, training: true, using: &copy)
    }
  }
}
