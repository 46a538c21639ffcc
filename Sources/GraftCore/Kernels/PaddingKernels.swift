/// Zero padding of the last two axes. Glossary: planes = everything before the last two axes
/// (N·C for an image batch), H×W input plane, Ho×Wo output plane
/// (Ho = top + H + bottom, Wo = left + W + right).
///   x [planes, H, W]
///   y [planes, Ho, Wo]

/// Rows and columns added on each side of a plane.
public struct Padding2d: Sendable, Equatable, CustomStringConvertible {
  public var top: Int, bottom: Int, left: Int, right: Int

  public init(top: Int, bottom: Int, left: Int, right: Int) {
    self.top = top; self.bottom = bottom; self.left = left; self.right = right
  }

  /// `rows` above and below, `columns` left and right.
  public init(symmetric rows: Int, _ columns: Int) {
    self.init(top: rows, bottom: rows, left: columns, right: columns)
  }

  public static let zero = Padding2d(top: 0, bottom: 0, left: 0, right: 0)

  /// Top equals bottom and left equals right (what a convolution's `(ph, pw)` can say).
  public var isSymmetric: Bool { top == bottom && left == right }

  /// The symmetric part: min(top, bottom) rows and min(left, right) columns on both sides.
  public var symmetricPart: (Int, Int) { (Swift.min(top, bottom), Swift.min(left, right)) }

  /// What is left once the symmetric part is taken away (one side of each pair is 0).
  public var asymmetricPart: Padding2d {
    let (ph, pw) = symmetricPart
    return Padding2d(top: top - ph, bottom: bottom - ph, left: left - pw, right: right - pw)
  }

  public var description: String { "(top: \(top), bottom: \(bottom), left: \(left), right: \(right))" }
}

extension Kernels {
  /// y[i, top + h, left + w] = x[i, h, w]; every other element of y is 0. Parallel over planes;
  /// each plane is written front to back, a row copy (memcpy) then one fill for the zeros between
  /// two rows (this row's right edge and the next row's left edge are adjacent in memory).
  public static func pad2dForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, planes: Int, height H: Int, width W: Int,
    padding p: Padding2d
  ) {
    let Ho = p.top + H + p.bottom, Wo = p.left + W + p.right
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(Ho * Wo, 1))) { range in
      for i in range {
        let src = x + i * H * W, dst = y + i * Ho * Wo
        if H == 0 {
          dst.update(repeating: 0, count: Ho * Wo)
          continue
        }
        dst.update(repeating: 0, count: p.top * Wo + p.left)
        for h in 0..<H {
          let row = dst + (p.top + h) * Wo + p.left
          row.update(from: src + h * W, count: W)
          (row + W).update(repeating: 0, count: h == H - 1 ? p.right + p.bottom * Wo : p.right + p.left)
        }
      }
    }
  }

  /// The adjoint of `pad2dForward`, a crop: dX[i, h, w] = dY[i, top + h, left + w] (written, not
  /// accumulated). Parallel over planes.
  public static func pad2dBackward(
    dX: UnsafeMutablePointer<Float>, dY: UnsafePointer<Float>, planes: Int, height H: Int, width W: Int,
    padding p: Padding2d
  ) {
    let Ho = p.top + H + p.bottom, Wo = p.left + W + p.right
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for i in range {
        let src = dY + i * Ho * Wo + p.top * Wo + p.left, dst = dX + i * H * W
        for h in 0..<H { (dst + h * W).update(from: src + h * Wo, count: W) }
      }
    }
  }
}
