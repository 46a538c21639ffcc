/// How a convolution pads its input.
///
/// - `symmetric(rows, columns)`: PyTorch's `padding=(ph, pw)`, the same on both sides
///   (`.symmetric(0, 0)` is TensorFlow's VALID).
/// - `explicit(top:bottom:left:right:)`: each side on its own, as `F.conv2d(F.pad(x, (left, right,
///   top, bottom)), w)` or TensorFlow's explicit padding.
/// - `same`: TensorFlow's SAME, resolved for each input size (`resolved(height:width:…)`): the
///   output is ceil(in / stride) and an odd total puts the extra row (column) at the bottom (right).
///   https://www.tensorflow.org/api_docs/python/tf/nn#notes_on_padding_2
///
/// A symmetric resolution runs the convolution kernels as they are; an asymmetric one pads only
/// the extra rows/columns (`pad2d`) and runs the symmetric rest, so Winograd, the depthwise vector
/// kernels and im2col all still apply.
public enum ConvPadding: Sendable, Equatable, CustomStringConvertible {
  case symmetric(Int, Int)
  case explicit(top: Int, bottom: Int, left: Int, right: Int)
  case same

  /// TensorFlow's SAME along one axis: out = ceil(in / stride),
  /// total = max((out − 1)·stride + (kernel − 1)·dilation + 1 − in, 0), before = ⌊total / 2⌋.
  public static func same(input: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (before: Int, after: Int) {
    precondition(input >= 0 && kernel >= 1 && stride >= 1 && dilation >= 1,
                 "ConvPadding.same: input \(input), kernel \(kernel), stride \(stride), dilation \(dilation)")
    let out = (input + stride - 1) / stride
    let total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - input, 0)
    return (total / 2, total - total / 2)
  }

  /// The rows and columns added on each side of an H×W input.
  public func resolved(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int),
                       dilation: (Int, Int) = (1, 1)) -> Padding2d {
    switch self {
    case .symmetric(let ph, let pw):
      return Padding2d(symmetric: ph, pw)
    case .explicit(let top, let bottom, let left, let right):
      return Padding2d(top: top, bottom: bottom, left: left, right: right)
    case .same:
      let rows = ConvPadding.same(input: height, kernel: kernel.0, stride: stride.0, dilation: dilation.0)
      let columns = ConvPadding.same(input: width, kernel: kernel.1, stride: stride.1, dilation: dilation.1)
      return Padding2d(top: rows.before, bottom: rows.after, left: columns.before, right: columns.after)
    }
  }

  public var description: String {
    switch self {
    case .symmetric(let ph, let pw): return "(\(ph), \(pw))"
    case .explicit(let top, let bottom, let left, let right):
      return "(top: \(top), bottom: \(bottom), left: \(left), right: \(right))"
    case .same: return "same"
    }
  }
}
