import CKernels

extension Kernels {
  /// dst[i] = 10·log10(max(amin, src[i])) − offset, the body of `librosa.power_to_db`
  /// before its `top_db` floor; returns the largest result (−∞ when count is 0).
  /// Vectorized (Cephes `logf`, AVX-512/AVX2/baseline by `SIMDLevel`) and split
  /// across threads; `dst` may equal `src`.
  public static func powerToDecibels(
    _ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int, amin: Float, offset: Float
  ) -> Float {
    let isa = SIMDLevel.current.isa
    let chunks = max(1, min(Threads.count, count / elementwiseGrain))
    var peaks = [Float](repeating: -.infinity, count: chunks)
    peaks.withUnsafeMutableBufferPointer { peakOf in
      nonisolated(unsafe) let peakOf = peakOf
      parallelRanges(chunks, grain: 1) { cs in
        for c in cs {
          let (lo, hi) = (count * c / chunks, count * (c + 1) / chunks)
          peakOf[c] = graft_power_to_db(dst + lo, src + lo, Int64(hi - lo), amin, offset, isa)
        }
      }
    }
    return peaks.max()!
  }

  /// dst[i] = ln(src[i] + offset), vectorized and split across threads; `dst` may equal `src`.
  public static func logOffset(
    _ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, count: Int, offset: Float
  ) {
    let isa = SIMDLevel.current.isa
    parallelRanges(count, grain: elementwiseGrain) { r in
      graft_log_offset(dst + r.lowerBound, src + r.lowerBound, Int64(r.count), offset, isa)
    }
  }
}
