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

  /// (Σ g[j], Σ g[j]·(x[j] − m)·s), where g is dy masked by the activation's derivative
  /// when `mask` is given: dy[j] where lo < y[j] < hi, else 0.
  @inline(__always)
  static func rowGradientSums(
    _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: ActivationMask?, _ l: Int, _ m: Float, _ s: Float
  ) -> (Float, Float) {
    var a = SIMD8<Float>(), b = SIMD8<Float>()
    let mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
    var j = 0
    while j + 8 <= l {
      var gv = UnsafeRawPointer(dy + j).loadUnaligned(as: SIMD8<Float>.self)
      if let mask { gv = mask.apply(gv, at: j) }
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      a += gv
      b += gv * ((xv - mv) * sv)
      j += 8
    }
    var sa = a.sum(), sb = b.sum()
    while j < l {
      let g = mask.map { $0.apply(dy[j], at: j) } ?? dy[j]
      sa += g; sb += g * ((x[j] - m) * s); j += 1
    }
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

  /// The derivative of a fused activation as a mask read from its output y: dy passes where
  /// lo < y < hi (ReLU: 0 < y; ReLU6: 0 < y < 6, the same tests as on the input) and is 0
  /// elsewhere. Branch-free: which side of 0 an activation falls on is data, and a branch on
  /// it mispredicts about every other element.
  struct ActivationMask {
    let y: UnsafePointer<Float>
    let lo: Float, hi: Float

    init?(_ y: UnsafePointer<Float>?, _ activation: FusedActivation) {
      guard let y else { return nil }
      switch activation {
      case .none: return nil
      case .relu: self.y = y; lo = 0; hi = .infinity
      case .relu6: self.y = y; lo = 0; hi = 6
      }
    }

    private init(y: UnsafePointer<Float>, lo: Float, hi: Float) { self.y = y; self.lo = lo; self.hi = hi }

    /// The mask of the row starting `offset` elements further on.
    @inline(__always) func advanced(by offset: Int) -> ActivationMask { ActivationMask(y: y + offset, lo: lo, hi: hi) }

    @inline(__always) func apply(_ g: SIMD8<Float>, at j: Int) -> SIMD8<Float> {
      let yv = UnsafeRawPointer(y + j).loadUnaligned(as: SIMD8<Float>.self)
      return g.replacing(with: 0, where: .!((yv .> lo) .& (yv .< hi)))
    }

    @inline(__always) func apply(_ g: Float, at j: Int) -> Float { y[j] > lo && y[j] < hi ? g : 0 }
  }

  /// Backward of batch normalization over [N, C, L].
  /// With batch statistics: dx = invStd/M · (M·dx̂ − Σdx̂ − x̂·Σ(dx̂·x̂)), dx̂ = dy·scale.
  /// With fixed statistics: dx = dy · scale · invStd.
  /// dScale = Σ dy·x̂, dShift = Σ dy (per channel). Any output may be nil.
  /// When the forward applied `activation` in its pass, `output` is its (activated) output
  /// and dy is first masked by the activation's derivative (no masked copy is made).
  public static func batchNormBackward(
    dX: UnsafeMutablePointer<Float>?, dScale: UnsafeMutablePointer<Float>?, dShift: UnsafeMutablePointer<Float>?,
    dY: UnsafePointer<Float>, x: UnsafePointer<Float>, mean: UnsafePointer<Float>, invStd: UnsafePointer<Float>,
    scale: UnsafePointer<Float>?, n: Int, c: Int, l: Int, batchStatistics: Bool,
    output: UnsafePointer<Float>? = nil, activation: FusedActivation = .none
  ) {
    let mask = ActivationMask(output, activation)
    parallelRanges(c, grain: 1) { channels in
      for ch in channels {
        let m = mean[ch], s = invStd[ch], w = scale?[ch] ?? 1
        var sumDy: Double = 0, sumDyXhat: Double = 0
        for i in 0..<n {
          let row = (i * c + ch) * l
          let (a, b) = rowGradientSums(dY + row, x + row, mask?.advanced(by: row), l, m, s)
          sumDy += Double(a)
          sumDyXhat += Double(b)
        }
        dShift?[ch] = Float(sumDy)
        dScale?[ch] = Float(sumDyXhat)
        guard let dX else { continue }
        let a = w * s
        if batchStatistics {
          let count = Float(n * l)
          let meanDy = Float(sumDy) / count, meanDyXhat = Float(sumDyXhat) / count
          for i in 0..<n {
            let row = (i * c + ch) * l
            rowInputGradient(dX + row, dY + row, x + row, mask?.advanced(by: row), l,
                             a: a, m: m, s: s, meanDy: meanDy, meanDyXhat: meanDyXhat)
          }
        } else {
          for i in 0..<n {
            let row = (i * c + ch) * l
            let gr = dY + row, dr = dX + row, mk = mask?.advanced(by: row)
            for j in 0..<l { dr[j] = (mk.map { $0.apply(gr[j], at: j) } ?? gr[j]) * a }
          }
        }
      }
    }
  }

  /// dx[j] = a · (g[j] − meanDy − (x[j] − m)·s·meanDyXhat), g = dy masked as in `rowGradientSums`.
  @inline(__always)
  static func rowInputGradient(
    _ dx: UnsafeMutablePointer<Float>, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ mask: ActivationMask?,
    _ l: Int, a: Float, m: Float, s: Float, meanDy: Float, meanDyXhat: Float
  ) {
    let av = SIMD8<Float>(repeating: a), mv = SIMD8<Float>(repeating: m), sv = SIMD8<Float>(repeating: s)
    let mdy = SIMD8<Float>(repeating: meanDy), mdx = SIMD8<Float>(repeating: meanDyXhat)
    var j = 0
    while j + 8 <= l {
      var gv = UnsafeRawPointer(dy + j).loadUnaligned(as: SIMD8<Float>.self)
      if let mask { gv = mask.apply(gv, at: j) }
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD8<Float>.self)
      let r = av * (gv - mdy - ((xv - mv) * sv) * mdx)
      UnsafeMutableRawPointer(dx + j).storeBytes(of: r, as: SIMD8<Float>.self)
      j += 8
    }
    while j < l {
      let g = mask.map { $0.apply(dy[j], at: j) } ?? dy[j]
      dx[j] = a * (g - meanDy - ((x[j] - m) * s) * meanDyXhat)
      j += 1
    }
  }
}
