/// Pads the last two axes with zeros, as `torch.nn.ZeroPad2d` (PyTorch's tuple order is
/// (left, right, top, bottom); here the sides are named). Holds no parameters.
/// https://pytorch.org/docs/stable/generated/torch.nn.ZeroPad2d.html
public final class ZeroPad2d: Layer {
  public let padding: Padding2d

  public init(top: Int, bottom: Int, left: Int, right: Int) {
    padding = Padding2d(top: top, bottom: bottom, left: left, right: right)
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "ZeroPad2d: padding \(padding) must not be negative")
    super.init()
  }

  /// The same number of rows/columns on every side.
  public convenience init(_ all: Int) { self.init(top: all, bottom: all, left: all, right: all) }

  public override func forward(_ x: Tensor) -> Tensor { pad2d(x, padding) }
}
