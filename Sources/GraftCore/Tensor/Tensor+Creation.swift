extension Tensor {
  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    Tensor(shape: shape, storage: Storage(count: Shape.count(shape), repeating: 0), requiresGrad: requiresGrad)
  }

  public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    full(shape, 1, requiresGrad: requiresGrad)
  }

  public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
    Tensor(shape: shape, storage: Storage(count: Shape.count(shape), repeating: value), requiresGrad: requiresGrad)
  }

  /// `start, start+step, …` below `end` (as `torch.arange`).
  public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
    precondition(step != 0, "arange: zero step")
    let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
    let t = Tensor(uninitializedShape: [n])
    for i in 0..<n { t.data[i] = start + Float(i) * step }
    return t
  }

  /// Samples from N(mean, std²) with `generator`.
  public static func randomNormal(
    _ shape: [Int], mean: Float = 0, std: Float = 1, using generator: inout Generator,
    requiresGrad: Bool = false
  ) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    generator.fillNormal(t.storage.buffer, mean: mean, std: std)
    t.requiresGrad = requiresGrad
    return t
  }

  /// Samples from U[low, high) with `generator`.
  public static func randomUniform(
    _ shape: [Int], low: Float = 0, high: Float = 1, using generator: inout Generator,
    requiresGrad: Bool = false
  ) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    generator.fillUniform(t.storage.buffer, low: low, high: high)
    t.requiresGrad = requiresGrad
    return t
  }

  /// A tensor of this shape filled with `value`.
  public func filled(with value: Float) -> Tensor { Tensor.full(shape, value) }
}
