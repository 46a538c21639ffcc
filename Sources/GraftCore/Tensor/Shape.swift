/// Shape helpers. A shape is `[Int]`, outermost dimension first (row-major).
public enum Shape {
  /// Number of elements of a shape (1 for a scalar `[]`).
  @inlinable public static func count(_ shape: [Int]) -> Int {
    var n = 1
    for d in shape { n *= d }
    return n
  }

  /// Whether the product of the non-zero dimensions of `shape`, times `elementBytes`, fits in
  /// `Int`: a file may declare `[0, 2^62, 2^62]` (no elements, so no bytes), whose strides
  /// would still overflow. Readers check this before building a tensor from a file's shape.
  public static func nonZeroProductFits(_ shape: [Int], elementBytes: Int = 4) -> Bool {
    var n = max(1, elementBytes)
    for d in shape where d > 0 {
      let (product, overflow) = n.multipliedReportingOverflow(by: d)
      if overflow { return false }
      n = product
    }
    return true
  }

  /// Row-major strides, in elements.
  public static func strides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var s = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i] = s
      s *= shape[i]
    }
    return strides
  }

  /// Resolves a possibly negative axis against a rank.
  public static func axis(_ axis: Int, rank: Int, _ op: String = "axis") -> Int {
    let a = axis < 0 ? axis + rank : axis
    precondition(a >= 0 && a < rank, "\(op): axis \(axis) out of range for rank \(rank)")
    return a
  }

  /// NumPy broadcasting of two shapes.
  public static func broadcast(_ a: [Int], _ b: [Int], _ op: String = "broadcast") -> [Int] {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      precondition(da == db || da == 1 || db == 1, "\(op): shapes \(a) and \(b) do not broadcast")
      out[i] = da == 1 ? db : da
    }
    return out
  }

  /// Product of `shape[range]`.
  @inlinable public static func product(_ shape: [Int], _ range: Range<Int>) -> Int {
    var n = 1
    for i in range { n *= shape[i] }
    return n
  }
}
