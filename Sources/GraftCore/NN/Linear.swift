/// y = x·Wᵀ + b over the last axis, as `torch.nn.Linear`.
/// https://pytorch.org/docs/stable/generated/torch.nn.Linear.html
public final class Linear: Layer {
  @Param public var weight: Tensor  // [out, in]
  @Param public var bias: Tensor    // [out]
  public let hasBias: Bool
  public var inFeatures: Int { weight.shape[1] }
  public var outFeatures: Int { weight.shape[0] }

  /// PyTorch's default initialisation: U(−1/√in, 1/√in) for weight and bias.
  public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, using generator: inout Generator) {
    let bound = 1 / Float(inFeatures).squareRoot()
    weight = Tensor.randomUniform([outFeatures, inFeatures], low: -bound, high: bound, using: &generator)
    hasBias = bias
    self.bias = bias ? Tensor.randomUniform([outFeatures], low: -bound, high: bound, using: &generator) : Tensor.zeros([0])
    super.init()
  }

  public override func ownParameters() -> [(String, Param)] {
    hasBias ? super.ownParameters() : super.ownParameters().filter { $0.0 != "bias" }
  }

  public override func forward(_ x: Tensor) -> Tensor {
    precondition(x.shape.last == inFeatures, "Linear(\(inFeatures) → \(outFeatures)): input \(x.shape)")
    let y = matmul(x, weight, transposeB: true)
    return hasBias ? y + bias : y
  }
}
