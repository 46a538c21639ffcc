extension Kernels {
  /// Σ x[j] with eight independent partial sums (vectorizes).
  @inline(__always)
  static func rowSum(_ x: UnsafePointer<Float>, _ l: Int) -> Float {
    var acc = SIMD8<Float>()
    var j = 0
    while j + 8 <= l {
      acc += UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      j += 8
    }
    var s = acc.sum()
    while j < l { s += x[j]; j += 1 }
    return s
  }

  /// Σ (x[j] − m)²
  @inline(__always)
  static func rowSquaredDeviation(_ x: UnsafePointer<Float>, _ l: Int, _ m: Float) -> Float {
    var acc = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: m)
    var j = 0
    while j + 8 <= l {
      let d = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self) - mv
      acc += d * d
      j += 8
    }
    var s = acc.sum()
    while j < l { let d = x[j] - m; s += d * d; j += 1 }
    return s
  }

  /// (Σ g[j], Σ g[j]·(x[j] − m)·s)
  @inline(__always)
  static func rowGradientSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ l: Int, _ m: Float, _ s: Float) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
    var j = 0
    while j + 8 <= l {
      let gv = UnsafeRawPointer(g + j).loadUnaligned(as: SIMD8<Float>.self)
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      a += gv
      b += gv * ((xv - mv) * sv)
      j += 8
    }
    var sa = a.sum(), sb = b.sum()
    while j < l { sa += g[j]; sb += g[j] * ((x[j] - m) * s); j += 1 }
    return (sa, sb)
  }

  /// Per-channel mean and biased variance of x viewed as [N, C, L].
  public static func channelMoments(
    mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>,
    x: UnsafePointer<Float>, n: Int, c: Int, l: Int
  ) {
    // Rows of L values are summed in Float (vectorized), row totals in Double.
    parallelRanges(c, grain: 1) { channels in
      for ch in channels {
        var s: Double = 0
        for i in 0..<n { s += Double(rowSum(x + (i * c + ch) * l, l)) }
        let m = s / Double(n * l)
        let mf = Float(m)
        var v: Double = 0
        for i in 0..<n { v += Double(rowSquaredDeviation(x + (i * c + ch) * l, l, mf)) }
        mean[ch] = mf
        variance[ch] = Float(v / Double(n * l))
      }
    }
  }

  /// y = (x − mean[c]) · invStd[c] · scale[c] + shift[c] over [N, C, L], then
  /// `activation` in the same pass.
  public static func channelAffine(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
    scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?, n: Int, c: Int, l: Int,
    activation: FusedActivation = .none
  ) {
    parallelRanges(n * c, grain: max(1, elementwiseGrain / max(l, 1))) { rows in
      for row in rows {
        let ch = row % c
        let a = invStd[ch] * (scale?[ch] ?? 1)
        let b = (shift?[ch] ?? 0) - mean[ch] * a
        let src = x + row * l, dst = y + row * l
        switch activation {
        case .none: for j in 0..<l { dst[j] = src[j] * a + b }
        case .relu: for j in 0..<l { dst[j] = Swift.max(src[j] * a + b, 0) }
        case .relu6: for j in 0..<l { dst[j] = Swift.min(Swift.max(src[j] * a + b, 0), 6) }
        }
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
          let (a, b) = rowGradientSums(dY + (i * c + ch) * l, x + (i * c + ch) * l, l, m, s)
          sumDy += Double(a)
          sumDyXhat += Double(b)
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
