/// `torch.nn.ReLU`
public final class ReLU: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.relu() }
}

/// `torch.nn.ReLU6`
public final class ReLU6: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.relu6() }
}

/// `torch.nn.GELU` (exact, erf form)
public final class GELU: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.gelu() }
}

/// `torch.nn.Sigmoid`
public final class Sigmoid: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `torch.nn.Tanh`
public final class Tanh: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.tanh() }
}

/// `torch.nn.Identity`
public final class Identity: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x }
}

/// Flattens axes `startAxis...` (default 1), as `torch.nn.Flatten`.
public final class Flatten: Layer {
  public let startAxis: Int
  public init(startAxis: Int = 1) {
    self.startAxis = startAxis
    super.init()
  }
  public override func forward(_ x: Tensor) -> Tensor { x.flattened(from: startAxis) }
}

/// `torch.nn.Hardswish`: x · min(max(x + 3, 0), 6) / 6.
public final class Hardswish: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.hardswish() }
}

/// `torch.nn.Hardsigmoid`: min(max(x + 3, 0), 6) / 6.
public final class Hardsigmoid: Layer {
  public override init() { super.init() }
  public override func forward(_ x: Tensor) -> Tensor { x.hardsigmoid() }
}
