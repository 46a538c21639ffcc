extension Kernels {
  /// Copies a `shape`-sized block: dst[idx · dstStrides] = src[idx · srcStrides].
  /// `destinationStrides` defaults to the row-major strides of `shape`.
  public static func stridedCopy(
    _ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, shape: [Int],
    sourceStrides: [Int], destinationStrides: [Int]? = nil
  ) {
    let rank = shape.count
    let count = Shape.count(shape)
    if count == 0 { return }
    if rank == 0 { dst[0] = src[0]; return }
    let dstStrides = destinationStrides ?? Shape.strides(shape)
    let inner = shape[rank - 1], si = sourceStrides[rank - 1], di = dstStrides[rank - 1]
    let outer = count / inner
    parallelRanges(outer, grain: max(1, elementwiseGrain / inner)) { rows in
      var coord = [Int](repeating: 0, count: rank)
      var rem = rows.lowerBound
      var offS = 0, offD = 0
      for d in stride(from: rank - 2, through: 0, by: -1) {
        coord[d] = rem % shape[d]
        rem /= shape[d]
        offS += coord[d] * sourceStrides[d]
        offD += coord[d] * dstStrides[d]
      }
      for _ in rows {
        let s = src + offS, d = dst + offD
        if si == 1 && di == 1 {
          d.update(from: s, count: inner)
        } else {
          for i in 0..<inner { d[i * di] = s[i * si] }
        }
        var a = rank - 2
        while a >= 0 {
          coord[a] += 1
          offS += sourceStrides[a]
          offD += dstStrides[a]
          if coord[a] < shape[a] { break }
          offS -= sourceStrides[a] * shape[a]
          offD -= dstStrides[a] * shape[a]
          coord[a] = 0
          a -= 1
        }
      }
    }
  }
}
