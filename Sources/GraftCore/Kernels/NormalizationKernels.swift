extension Kernels {
  /// Per-channel mean and biased variance of x viewed as [N, C, L].
  public static func channelMoments(
    mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
    x: UnsafePointer<Float>, n: Int, c: Int, l: Int
  ) {
    parallelRanges(c, grain: 1) { channels in
      for ch in channels {
        var s: Double = 0
        for i in 0..<n { let row = x + (i * c + ch) * l; for j in 0..<l { s += Double(row[j]) } }
        let m = s / Double(n * l)
        var v: Double = 0
        for i in 0..<n { let row = x + (i * c + ch) * l; for j in 0..<l { let d = Double(row[j]) - m; v += d * d } }
        mean[ch] = Float(m)
        variance[ch] = Float(v / Double(n * l))
      }
    }
  }

  /// y = (x − mean[c]) · invStd[c] · scale[c] + shift[c] over [N, C, L].
  public static func channelAffine(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
    scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, n: Int, c: Int, l: Int
  ) {
    parallelRanges(n * c, grain: max(1, elementwiseGrain / max(l, 1))) { rows in
      for row in rows {
        let ch = row % c
        let a = invStd[ch] * (scale?[ch] ?? 1)
        let b = (shift?[ch] ?? 0) - mean[ch] * a
        let src = x + row * l, dst = y + row * l
        for j in 0..<l { dst[j] = src[j] * a + b }
      }
    }
  }

  /// Backward of batch normalization over [N, C, L].
  /// With batch statistics: dx = invStd/M · (M·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), dx̂ = dy·scale.
  /// With fixed statistics: dx = dy · scale · invStd.
  /// dScale = Σ dy·x̂, dShift = Σ dy (per channel). Any output may be nil.
  public static func batchNormBackward(
    dX: UnsafeMutablePointer<Float>?, dScale: UnsafeMutablePointer<Float>?, dShift: UnsafeMutablePointer<Float>?,
    dY: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
    scale: UnsafePointer<Float>?, n: Int, c: Int, l: Int, batchStatistics: Bool
  ) {
    parallelRanges(c, grain: 1) { channels in
      for ch in channels {
        let m = mean[ch], s = invStd[ch], w = scale?[ch] ?? 1
        var sumDy: Double = 0, sumDyXhat: Double = 0
        for i in 0..<n {
          let xr = x + (i * c + ch) * l, gr = dY + (i * c + ch) * l
          for j in 0..<l {
            sumDy += Double(gr[j])
            sumDyXhat += Double(gr[j]) * Double((xr[j] - m) * s)
          }
        }
        dShift?[ch] = Float(sumDy)
        dScale?[ch] = Float(sumDyXhat)
        guard let dX else { continue }
        if batchStatistics {
          let count = Float(n * l)
          let meanDy = Float(sumDy) / count, meanDyXhat = Float(sumDyXhat) / count
          for i in 0..<n {
            let xr = x + (i * c + ch) * l, gr = dY + (i * c + ch) * l, dr = dX + (i * c + ch) * l
            for j in 0..<l {
              let xhat = (xr[j] - m) * s
              dr[j] = w * s * (gr[j] - meanDy - xhat * meanDyXhat)
            }
          }
        } else {
          let a = w * s
          for i in 0..<n {
            let gr = dY + (i * c + ch) * l, dr = dX + (i * c + ch) * l
            for j in 0..<l { dr[j] = gr[j] * a }
          }
        }
      }
    }
  }
}
