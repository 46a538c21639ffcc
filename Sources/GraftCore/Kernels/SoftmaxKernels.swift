#if canImport(Glibc)
import Glibc
#endif

extension Kernels {
  /// Softmax (or log-softmax) along the middle axis of x viewed as [outer, n, inner].
  public static func softmax(
    _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, log: Bool
  ) {
    parallelRanges(outer * inner, grain: max(1, elementwiseGrain / max(n, 1))) { lines in
      for line in lines {
        let o = line / inner, i = line % inner
        let base = o * n * inner + i
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, x[base + k * inner]) }
        var s: Float = 0
        for k in 0..<n { s += expf(x[base + k * inner] - m) }
        if log {
          let lse = m + logf(s)
          for k in 0..<n { y[base + k * inner] = x[base + k * inner] - lse }
        } else {
          let inv = 1 / s
          for k in 0..<n { y[base + k * inner] = expf(x[base + k * inner] - m) * inv }
        }
      }
    }
  }

  /// Backward of `softmax`: dx = y·(dy − Σ dy·y) or, for log-softmax, dx = dy − exp(y)·Σ dy.
  public static func softmaxBackward(
    _ dX: UnsafeMutablePointer<Float>, _ dY: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
    outer: Int, n: Int, inner: Int, log: Bool
  ) {
    parallelRanges(outer * inner, grain: max(1, elementwiseGrain / max(n, 1))) { lines in
      for line in lines {
        let o = line / inner, i = line % inner
        let base = o * n * inner + i
        var s: Float = 0
        if log {
          for k in 0..<n { s += dY[base + k * inner] }
          for k in 0..<n { let j = base + k * inner; dX[j] = dY[j] - expf(y[j]) * s }
        } else {
          for k in 0..<n { s += dY[base + k * inner] * y[base + k * inner] }
          for k in 0..<n { let j = base + k * inner; dX[j] = y[j] * (dY[j] - s) }
        }
      }
    }
  }
}
