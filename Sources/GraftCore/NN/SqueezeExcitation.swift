/// Channel squeeze-and-excitation (Hu et al., "Squeeze-and-Excitation Networks", CVPR 2018,
/// https://arxiv.org/abs/1709.01507) over `[N, C, H, W]`: each channel is scaled by a gate computed
/// from the mean of every channel,
///
///     s = gate(fc2(ReLU(fc1(mean over H, W of x))))      [N, C]
///     y = x · s                                            (broadcast over H, W)
///
/// `fc1` (C → squeeze) and `fc2` (squeeze → C) are `Linear` layers, so the keys are
/// `fc1.weight` [squeeze, C], `fc1.bias`, `fc2.weight` [C, squeeze], `fc2.bias`, as in
/// EfficientAT's `SqueezeExcitation` (`models/mn/block_types.py`, gate = sigmoid). torchvision's
/// `SqueezeExcitation` computes the same function with 1×1 convolutions (weights `[out, in, 1, 1]`)
/// and MobileNetV3 passes `Hardsigmoid` as its gate; pass `gate: Hardsigmoid()` for that.
/// The mean runs over the whole map, so any H and W are accepted.
public final class SqueezeExcitation: Layer {
  public let fc1: Linear
  public let fc2: Linear
  /// Applied to `fc2`'s output: `Sigmoid` (EfficientAT, the paper) or `Hardsigmoid` (MobileNetV3).
  public let gate: Layer
  public var channels: Int { fc1.inFeatures }
  public var squeezeChannels: Int { fc1.outFeatures }

  public init(channels: Int, squeezeChannels: Int, gate: Layer = Sigmoid(), using g: inout Generator) {
    precondition(channels >= 1 && squeezeChannels >= 1,
                 "SqueezeExcitation: \(channels) channels, \(squeezeChannels) squeeze channels")
    fc1 = Linear(channels, squeezeChannels, using: &g)
    fc2 = Linear(squeezeChannels, channels, using: &g)
    self.gate = gate
    super.init()
  }

  public override func namedChildren() -> [(String, Module)] { [("fc1", fc1), ("fc2", fc2), ("gate", gate)] }

  /// The per-channel gate `[N, C, 1, 1]` for input `[N, C, H, W]`.
  public func scale(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == channels, "SqueezeExcitation(\(channels)): input \(x.shape)")
    let n = x.shape[0]
    let squeezed = globalAveragePool2d(x).reshaped([n, channels])
    return gate(fc2(fc1(squeezed).relu())).reshaped([n, channels, 1, 1])
  }

  public override func forward(_ x: Tensor) -> Tensor { x * scale(x) }
}
