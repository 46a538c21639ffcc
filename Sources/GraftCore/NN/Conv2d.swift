/// 2-D convolution layer over [N, C, H, W], as `torch.nn.Conv2d`.
/// https://pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
///
/// `padding` is PyTorch's symmetric `(ph, pw)` or any `ConvPadding`: `.same` is TensorFlow's
/// SAME (resolved for each input size, as Keras' `Conv2D(padding="same")`), `.explicit` pads each
/// side on its own.
public final class Conv2d: Layer {
  @Param public var weight: Tensor  // [K, C/groups, R, S]
  @Param public var bias: Tensor    // [K], or [0] when there is none
  public let hasBias: Bool
  public let stride: (Int, Int)
  public let padding: ConvPadding
  public let dilation: (Int, Int)
  public let groups: Int
  public var inChannels: Int { weight.shape[1] * groups }
  public var outChannels: Int { weight.shape[0] }
  public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }

  /// PyTorch's default initialisation: U(−1/√fan_in, 1/√fan_in), fan_in = C/groups·R·S.
  public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
              padding: ConvPadding = .symmetric(0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
              bias: Bool = true, using generator: inout Generator) {
    precondition(inChannels % groups == 0 && outChannels % groups == 0,
                 "Conv2d: \(inChannels) → \(outChannels) channels not divisible by \(groups) groups")
    let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
    let bound = 1 / Float(fanIn).squareRoot()
    weight = Tensor.randomUniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                  low: -bound, high: bound, using: &generator)
    self.bias = bias ? Tensor.randomUniform([outChannels], low: -bound, high: bound, using: &generator) : Tensor.zeros([0])
    hasBias = bias
    self.stride = stride
    self.padding = padding
    self.dilation = dilation
    self.groups = groups
    super.init()
  }

  /// PyTorch's symmetric `padding=(ph, pw)`.
  public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                          padding: (Int, Int), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                          using generator: inout Generator) {
    self.init(inChannels, outChannels, kernelSize: kernelSize, stride: stride, padding: .symmetric(padding.0, padding.1),
              dilation: dilation, groups: groups, bias: bias, using: &generator)
  }

  /// Square-kernel convenience.
  public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                          dilation: Int = 1, groups: Int = 1, bias: Bool = true, using generator: inout Generator) {
    self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
              padding: .symmetric(padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
              using: &generator)
  }

  /// Square-kernel convenience with any `ConvPadding` (`padding: .same`).
  public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: ConvPadding,
                          dilation: Int = 1, groups: Int = 1, bias: Bool = true, using generator: inout Generator) {
    self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
              padding: padding, dilation: (dilation, dilation), groups: groups, bias: bias, using: &generator)
  }

  public override func ownParameters() -> [(String, Param)] {
    hasBias ? super.ownParameters() : super.ownParameters().filter { $0.0 != "bias" }
  }

  public override func forward(_ x: Tensor) -> Tensor { convolve(x, relu: false) }

  /// `self(x).relu()`, rectified inside the convolution when no gradient is recorded (inference:
  /// no second tensor and no second pass over it; `conv2d(…, relu:)`).
  public func rectified(_ x: Tensor) -> Tensor {
    let y = convolve(x, relu: true)
    ShapeTrace.report(self, y)
    return y
  }

  private func convolve(_ x: Tensor, relu: Bool) -> Tensor {
    conv2d(x, weight: weight, bias: hasBias ? bias : nil, stride: stride, padding: padding, dilation: dilation,
           groups: groups, relu: relu)
  }
}
