/// Layers applied in order, keyed "0", "1", … as `torch.nn.Sequential`.
public final class Sequential: Layer {
  public private(set) var layers: [Layer]

  public init(_ layers: [Layer]) {
    self.layers = layers
    super.init()
  }

  public convenience init(_ layers: Layer...) { self.init(layers) }

  public override func namedChildren() -> [(String, Module)] {
    layers.enumerated().map { (String($0.offset), $0.element) }
  }

  /// Runs the layers in order. A `BatchNorm` followed by `ReLU` or `ReLU6` runs as one
  /// `BatchNorm.callAsFunction(_:then:)` (one output buffer and pass when no gradient is
  /// recorded); the activation is still reported to a `summary()` trace.
  public override func forward(_ x: Tensor) -> Tensor {
    var y = x
    var i = 0
    while i < layers.count {
      if let norm = layers[i] as? BatchNorm, i + 1 < layers.count, let activation = Self.fusable(layers[i + 1]) {
        y = norm(y, then: activation)
        ShapeTrace.report(layers[i + 1], y)
        i += 2
      } else {
        y = layers[i](y)
        i += 1
      }
    }
    return y
  }

  private static func fusable(_ layer: Layer) -> FusedActivation? {
    switch layer {
    case is ReLU: .relu
    case is ReLU6: .relu6
    default: nil
    }
  }

  public subscript(index: Int) -> Layer { layers[index] }
  public var count: Int { layers.count }
}
