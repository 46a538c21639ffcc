#if canImport(Glibc)
import Glibc
#endif

/// Elementwise binary operations that broadcast.
public enum BinaryOp: Sendable {
  case add, subtract, multiply, divide, maximum, minimum
}

extension Kernels {
  /// Loops of at least this many elements are split across threads.
  public static let elementwiseGrain = 1 << 15

  /// dst[i] += src[i]
  public static func addInPlace(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int) {
    parallelRanges(count, grain: elementwiseGrain) { r in
      for i in r { dst[i] += src[i] }
    }
  }

  /// dst[i] = alpha * x[i] + dst[i]  (BLAS axpy semantics, our own loop).
  public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    parallelRanges(count, grain: elementwiseGrain) { r in
      for i in r { dst[i] += alpha * x[i] }
    }
  }

  /// out[i] = f(x[i]), split across threads when large.
  @inline(__always)
  public static func map(
    _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int,
    _ f: (Float) -> Float
  ) {
    parallelRanges(count, grain: elementwiseGrain) { r in
      for i in r { out[i] = f(x[i]) }
    }
  }

  /// out[i] = f(x[i], y[i]) for equal-sized buffers.
  @inline(__always)
  public static func zip(
    _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
    count: Int, _ f: (Float, Float) -> Float
  ) {
    parallelRanges(count, grain: elementwiseGrain) { r in
      for i in r { out[i] = f(x[i], y[i]) }
    }
  }

  /// out = a ∘ b with NumPy broadcasting; `outShape` is the broadcast shape.
  public static func broadcastBinary(
    _ op: BinaryOp, out: UnsafeMutablePointer<Float>, outShape: [Int],
    a: UnsafePointer<Float>, aShape: [Int], b: UnsafePointer<Float>, bShape: [Int]
  ) {
    switch op {
    case .add: broadcast(AddOp.self, out, outShape, a, aShape, b, bShape)
    case .subtract: broadcast(SubtractOp.self, out, outShape, a, aShape, b, bShape)
    case .multiply: broadcast(MultiplyOp.self, out, outShape, a, aShape, b, bShape)
    case .divide: broadcast(DivideOp.self, out, outShape, a, aShape, b, bShape)
    case .maximum: broadcast(MaximumOp.self, out, outShape, a, aShape, b, bShape)
    case .minimum: broadcast(MinimumOp.self, out, outShape, a, aShape, b, bShape)
    }
  }

  /// Generic over the operation type (not a closure) so that each specialization
  /// inlines `F.apply` into its loops and the compiler can vectorize them.
  static func broadcast<F: BinaryFunctor>(
    _: F.Type, _ out: UnsafeMutablePointer<Float>, _ outShape: [Int],
    _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int]
  ) {
    let count = Shape.count(outShape)
    if count == 0 { return }
    let aCount = Shape.count(aShape), bCount = Shape.count(bShape)
    if aCount == count && bCount == count {
      parallelRanges(count, grain: elementwiseGrain) { r in for i in r { out[i] = F.apply(a[i], b[i]) } }
      return
    }
    if bCount == 1 && aCount == count {
      let s = b[0]
      parallelRanges(count, grain: elementwiseGrain) { r in for i in r { out[i] = F.apply(a[i], s) } }
      return
    }
    if aCount == 1 && bCount == count {
      let s = a[0]
      parallelRanges(count, grain: elementwiseGrain) { r in for i in r { out[i] = F.apply(s, b[i]) } }
      return
    }
    // General case: broadcast strides (0 on broadcast axes), merged where adjacent
    // axes behave alike, innermost axis as the contiguous loop.
    let (dims, sa, sb) = broadcastLayout(outShape, aShape, bShape)
    let rank = dims.count
    let inner = dims[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1]
    let outer = count / inner
    parallelRanges(outer, grain: max(1, elementwiseGrain / inner)) { rows in
      // Decompose the first row index into per-axis coordinates.
      var coord = [Int](repeating: 0, count: rank)
      var rem = rows.lowerBound
      var offA = 0, offB = 0
      for d in stride(from: rank - 2, through: 0, by: -1) {
        coord[d] = rem % dims[d]
        rem /= dims[d]
        offA += coord[d] * sa[d]
        offB += coord[d] * sb[d]
      }
      for row in rows {
        let o = out + row * inner
        let pa = a + offA, pb = b + offB
        if ia == 1 && ib == 1 {
          for i in 0..<inner { o[i] = F.apply(pa[i], pb[i]) }
        } else if ia == 1 {
          let s = pb[0]
          for i in 0..<inner { o[i] = F.apply(pa[i], s) }
        } else if ib == 1 {
          let s = pa[0]
          for i in 0..<inner { o[i] = F.apply(s, pb[i]) }
        } else {
          for i in 0..<inner { o[i] = F.apply(pa[i * ia], pb[i * ib]) }
        }
        // Advance the coordinate counter over the outer axes.
        var d = rank - 2
        while d >= 0 {
          coord[d] += 1
          offA += sa[d]
          offB += sb[d]
          if coord[d] < dims[d] { break }
          offA -= sa[d] * dims[d]
          offB -= sb[d] * dims[d]
          coord[d] = 0
          d -= 1
        }
      }
    }
  }

  /// out[i] = F.value(x[i]), split across threads when large.
  public static func mapUnary<F: UnaryFunctor>(_: F.Type, _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    parallelRanges(count, grain: elementwiseGrain) { r in for i in r { out[i] = F.value(x[i]) } }
  }

  /// dx[i] = dy[i] · F.derivative(x[i], y[i]).
  public static func unaryBackward<F: UnaryFunctor>(
    _: F.Type, _ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>,
    _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int
  ) {
    parallelRanges(count, grain: elementwiseGrain) { r in for i in r { dx[i] = dy[i] * F.derivative(x[i], y[i]) } }
  }

  /// Output dims with the element strides of `a` and `b` (0 where broadcast),
  /// with adjacent axes merged when both inputs are contiguous across them.
  static func broadcastLayout(_ outShape: [Int], _ aShape: [Int], _ bShape: [Int]) -> ([Int], [Int], [Int]) {
    let rank = outShape.count
    func strides(_ shape: [Int]) -> [Int] {
      let padded = [Int](repeating: 1, count: rank - shape.count) + shape
      var s = Shape.strides(padded)
      for i in 0..<rank where padded[i] == 1 { s[i] = 0 }
      return s
    }
    let sa = strides(aShape), sb = strides(bShape)
    var dims: [Int] = [], ra: [Int] = [], rb: [Int] = []
    for i in 0..<rank where outShape[i] != 1 {
      if let last = dims.last, ra.last! == sa[i] * outShape[i], rb.last! == sb[i] * outShape[i] {
        dims[dims.count - 1] = last * outShape[i]
        ra[ra.count - 1] = sa[i]
        rb[rb.count - 1] = sb[i]
      } else {
        dims.append(outShape[i]); ra.append(sa[i]); rb.append(sb[i])
      }
    }
    if dims.isEmpty { return ([1], [1], [1]) }
    return (dims, ra, rb)
  }
}
