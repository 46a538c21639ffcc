extension Kernels {
  /// out[o, i] = Σ_k x[o, k, i] for x viewed as [outer, n, inner].
  public static func sumAxis(
    _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int
  ) {
    parallelRanges(outer, grain: max(1, elementwiseGrain / max(n * inner, 1))) { rows in
      for o in rows {
        let dst = out + o * inner
        let src = x + o * n * inner
        if inner == 1 {
          // Pairwise-friendly: 4 independent accumulators.
          var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
          var k = 0
          while k + 4 <= n {
            s0 += src[k]; s1 += src[k + 1]; s2 += src[k + 2]; s3 += src[k + 3]
            k += 4
          }
          while k < n { s0 += src[k]; k += 1 }
          dst[0] = (s0 + s1) + (s2 + s3)
        } else {
          dst.update(from: src, count: inner)
          for k in 1..<max(n, 1) {
            let row = src + k * inner
            for i in 0..<inner { dst[i] += row[i] }
          }
          if n == 0 { dst.update(repeating: 0, count: inner) }
        }
      }
    }
  }

  /// out[o, i] = max_k x[o, k, i] and its index (first maximum; NaN wins).
  public static func maxAxis(
    _ out: UnsafeMutablePointer<Float>, _ index: UnsafeMutablePointer<Int32>?,
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int
  ) {
    precondition(n > 0, "max: reduction over an empty axis")
    parallelRanges(outer, grain: max(1, elementwiseGrain / max(n * inner, 1))) { rows in
      for o in rows {
        let src = x + o * n * inner
        for i in 0..<inner {
          var best = src[i]
          var at: Int32 = 0
          if !best.isNaN {
            for k in 1..<n {
              let v = src[k * inner + i]
              if v > best || v.isNaN {
                best = v
                at = Int32(k)
                if v.isNaN { break }
              }
            }
          }
          out[o * inner + i] = best
          index?[o * inner + i] = at
        }
      }
    }
  }

  /// Broadcast-add back along a reduced axis: out[o, k, i] = g[o, i] (n copies).
  public static func expandAxis(
    _ out: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, outer: Int, n: Int, inner: Int
  ) {
    parallelRanges(outer, grain: max(1, elementwiseGrain / max(n * inner, 1))) { rows in
      for o in rows {
        for k in 0..<n {
          (out + (o * n + k) * inner).update(from: g + o * inner, count: inner)
        }
      }
    }
  }
}
