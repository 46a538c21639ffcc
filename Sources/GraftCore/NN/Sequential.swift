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

  public override func forward(_ x: Tensor) -> Tensor {
    layers.reduce(x) { $1($0) }
  }

  public subscript(index: Int) -> Layer { layers[index] }
  public var count: Int { layers.count }
}
