import GraftCore
import Testing
import _GraftTestSupport

/// TensorFlow SAME padding: the resolution rule, SAME convolutions against convolutions of an
/// explicitly padded input, and their gradients.
@Suite struct ConvPaddingTests {
  /// TF's rule, worked by hand: (input, kernel, stride, dilation) → (before, after).
  @Test func sameFollowsTensorFlowsRule() {
    let table: [((Int, Int, Int, Int), (Int, Int))] = [
      ((224, 3, 2, 1), (0, 1)),  // MobileNet's stride-2 layers on even inputs: extra row at the bottom
      ((225, 3, 2, 1), (1, 1)),
      ((7, 3, 1, 1), (1, 1)),    // stride 1, odd kernel: always symmetric
      ((6, 2, 1, 1), (0, 1)),    // even kernel
      ((6, 1, 2, 1), (0, 0)),    // 1×1: never padded (the total would be negative)
      ((8, 5, 3, 1), (1, 2)),
      ((9, 5, 3, 1), (1, 1)),
      ((6, 3, 1, 2), (2, 2)),    // dilation 2: an effective 5×5 window
      ((6, 3, 2, 2), (1, 2)),
      ((1, 3, 2, 1), (1, 1)),
    ]
    for ((input, kernel, stride, dilation), expected) in table {
      let p = ConvPadding.same(input: input, kernel: kernel, stride: stride, dilation: dilation)
      #expect(p.before == expected.0 && p.after == expected.1, "in \(input) k \(kernel) s \(stride) d \(dilation): \(p)")
      // The output is ceil(in / stride).
      let out = (input + p.before + p.after - dilation * (kernel - 1) - 1) / stride + 1
      #expect(out == (input + stride - 1) / stride)
    }
    #expect(ConvPadding.same.resolved(height: 224, width: 225, kernel: (3, 3), stride: (2, 2))
            == Padding2d(top: 0, bottom: 1, left: 1, right: 1))
    #expect(ConvPadding.symmetric(2, 1).resolved(height: 5, width: 5, kernel: (3, 3), stride: (2, 2))
            == Padding2d(symmetric: 2, 1))
  }

  struct Case: @unchecked Sendable, CustomTestStringConvertible {
    var input: [Int], weight: [Int], stride: (Int, Int), dilation: (Int, Int) = (1, 1), groups: Int = 1
    var testDescription: String { "x\(input) w\(weight) s\(stride) d\(dilation) g\(groups)" }
  }

  static let cases: [Case] = [
    Case(input: [1, 2, 6, 6], weight: [3, 2, 3, 3], stride: (1, 1)),
    Case(input: [2, 2, 6, 6], weight: [3, 2, 3, 3], stride: (2, 2)),
    Case(input: [1, 2, 7, 7], weight: [3, 2, 3, 3], stride: (2, 2)),
    Case(input: [1, 2, 7, 8], weight: [3, 2, 3, 3], stride: (3, 3)),
    Case(input: [1, 2, 6, 5], weight: [2, 2, 1, 1], stride: (2, 2)),
    Case(input: [1, 2, 9, 8], weight: [2, 2, 5, 5], stride: (2, 2)),
    Case(input: [1, 2, 8, 9], weight: [2, 2, 5, 5], stride: (3, 3)),
    Case(input: [1, 2, 6, 7], weight: [2, 2, 3, 3], stride: (1, 1), dilation: (2, 2)),
    Case(input: [1, 2, 6, 7], weight: [2, 2, 3, 3], stride: (2, 2), dilation: (2, 2)),
    Case(input: [1, 2, 6, 7], weight: [2, 2, 2, 3], stride: (1, 2)),
    Case(input: [1, 4, 6, 6], weight: [4, 2, 3, 3], stride: (2, 2), groups: 2),
    Case(input: [2, 4, 8, 6], weight: [4, 1, 3, 3], stride: (2, 2), groups: 4),  // depthwise vector kernel
    Case(input: [1, 4, 9, 10], weight: [4, 1, 3, 3], stride: (2, 2), groups: 4),
    Case(input: [1, 3, 6, 7], weight: [6, 1, 3, 3], stride: (2, 2), groups: 3),  // depth multiplier 2
    Case(input: [1, 3, 8, 8], weight: [3, 1, 5, 5], stride: (2, 2), groups: 3),  // depthwise, Swift loops
    Case(input: [1, 16, 5, 6], weight: [16, 16, 3, 3], stride: (1, 1)),          // Winograd
  ]

  /// A SAME convolution equals an unpadded convolution of the input padded by TF's rule
  /// (built element by element), and its output is ceil(in / stride).
  @Test(arguments: cases)
  func sameEqualsConvOfPaddedInput(_ c: Case) {
    let x = randomTensor(c.input, seed: 11), w = randomTensor(c.weight, seed: 12, scale: 0.5)
    let b = randomTensor([c.weight[0]], seed: 13)
    let p = ConvPadding.same.resolved(height: c.input[2], width: c.input[3], kernel: (c.weight[2], c.weight[3]),
                                      stride: c.stride, dilation: c.dilation)
    let expected = conv2d(PaddingTests.naivePad(x, p), weight: w, bias: b, stride: c.stride, dilation: c.dilation,
                          groups: c.groups)
    let same = conv2d(x, weight: w, bias: b, stride: c.stride, padding: .same, dilation: c.dilation, groups: c.groups)
    #expect(same.shape == [c.input[0], c.weight[0], (c.input[2] + c.stride.0 - 1) / c.stride.0,
                           (c.input[3] + c.stride.1 - 1) / c.stride.1])
    assertClose(same, expected, tolerance: 1e-5, c.testDescription)
    // The layer resolves the same padding on each call.
    var g = Generator(seed: 0)
    let layer = Conv2d(c.input[1], c.weight[0], kernelSize: (c.weight[2], c.weight[3]), stride: c.stride,
                       padding: .same, dilation: c.dilation, groups: c.groups, using: &g)
    layer.weight = w
    layer.bias = b
    assertClose(layer(x), expected, tolerance: 1e-5, "layer \(c.testDescription)")
  }

  /// Explicit per-side padding equals the same convolution of the padded input.
  @Test func explicitPadding() {
    let x = randomTensor([1, 3, 5, 6], seed: 14), w = randomTensor([4, 3, 3, 3], seed: 15)
    let p = Padding2d(top: 2, bottom: 0, left: 1, right: 3)
    let y = conv2d(x, weight: w, stride: (2, 1), padding: .explicit(top: 2, bottom: 0, left: 1, right: 3))
    assertClose(y, conv2d(PaddingTests.naivePad(x, p), weight: w, stride: (2, 1)), tolerance: 1e-5)
  }

  @Test(arguments: [cases[1], cases[5], cases[6], cases[9], cases[11], cases[14]])
  func sameGradients(_ c: Case) {
    checkGradient([randomTensor(c.input, seed: 16), randomTensor(c.weight, seed: 17, scale: 0.5),
                   randomTensor([c.weight[0]], seed: 18)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: c.stride, padding: .same, dilation: c.dilation, groups: c.groups)
    }
  }

  /// Today's symmetric spellings still mean what they did.
  @Test func symmetricSpellings() {
    var g = Generator(seed: 0)
    #expect(Conv2d(2, 3, kernelSize: 3, padding: 1, using: &g).padding == .symmetric(1, 1))
    #expect(Conv2d(2, 3, kernelSize: (3, 5), padding: (1, 2), using: &g).padding == .symmetric(1, 2))
    #expect(Conv2d(2, 3, kernelSize: 3, using: &g).padding == .symmetric(0, 0))
    #expect(Conv2d(2, 3, kernelSize: 3, stride: 2, padding: .same, using: &g).padding == .same)
  }
}
