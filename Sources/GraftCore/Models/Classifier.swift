/// A base with a new head: `head(base.features(x))`.
public final class Classifier: Layer {
  public let base: any FeatureExtractor
  public let head: Layer

  public init(base: any FeatureExtractor, head: Layer) {
    self.base = base
    self.head = head
    super.init()
  }

  public override func namedChildren() -> [(String, Module)] { [("base", base), ("head", head)] }

  public override func forward(_ x: Tensor) -> Tensor { head(base.features(x)) }
}
