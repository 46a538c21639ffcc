// MobileNetV3's piecewise-linear activations (Howard et al., "Searching for MobileNetV3", 2019):
// cheap stand-ins for sigmoid and swish, exactly as torch.nn.Hardsigmoid / torch.nn.Hardswish
// compute them (aten/src/ATen/native/cpu/Activation.cpp: `min(max(x + 3, 0), 6) / 6`, and x times
// that), with PyTorch's gradients at the kinks.

/// `torch.nn.functional.hardsigmoid`: 0 for x ≤ −3, 1 for x ≥ 3, x/6 + 1/2 between.
/// Gradient 1/6 strictly inside (−3, 3), 0 elsewhere (PyTorch's `hardsigmoid_backward`).
enum HardsigmoidFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { Swift.min(Swift.max(x + 3, 0), 6) / 6 }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float { x > -3 && x < 3 ? 1 / 6 : 0 }
}

/// `torch.nn.functional.hardswish`: x · hardsigmoid(x).
/// Gradient 0 for x < −3, x/3 + 1/2 for −3 ≤ x ≤ 3, 1 above (PyTorch's `hardswish_backward`).
enum HardswishFunction: UnaryFunctor {
  @inline(__always) static func value(_ x: Float) -> Float { x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
  @inline(__always) static func derivative(_ x: Float, _ y: Float) -> Float {
    x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1)
  }
}

extension Tensor {
  /// min(max(x + 3, 0), 6) / 6, as `torch.nn.functional.hardsigmoid`.
  public func hardsigmoid() -> Tensor { unary("hardsigmoid", HardsigmoidFunction.self) }
  /// x · min(max(x + 3, 0), 6) / 6, as `torch.nn.functional.hardswish`.
  public func hardswish() -> Tensor { unary("hardswish", HardswishFunction.self) }
}
