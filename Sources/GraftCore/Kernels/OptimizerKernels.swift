/// Optimizer update loops: one fused pass over each parameter, in place, split across threads
/// for large tensors. Each mirrors the float32 operation order of PyTorch's single-tensor
/// (non-foreach, non-fused) implementation, so results agree to rounding (PyTorch's vector
/// kernels may fuse a multiply-add; these loops round each operation). Every element is
/// updated independently, so results do not depend on the thread count.
///
/// Letters: p parameter, g gradient, b momentum buffer, m first moment (`exp_avg`),
/// v second moment (`exp_avg_sq`); all of the same element count.
extension Kernels {
  /// How an SGD step treats its momentum buffer.
  enum MomentumMode {
    /// No momentum: the update is the (decayed) gradient.
    case none
    /// First step with momentum: `b = g` (PyTorch clones the gradient).
    case first
    /// Later steps: `b = b·momentum + (1 − dampening)·g`.
    case accumulate
  }

  /// One SGD step: `g += wd·p`; momentum; `p += −lr·d`. Reference: torch.optim.sgd._single_tensor_sgd.
  static func sgdStep(
    parameter p: UnsafeMutablePointer<Float>, buffer b: UnsafeMutablePointer<Float>?,
    gradient g: UnsafePointer<Float>, count: Int,
    learningRate: Float, weightDecay: Float, momentum: Float, dampening: Float,
    nesterov: Bool, mode: MomentumMode
  ) {
    let negLR = -learningRate
    let keep = Float(1 - Double(dampening))  // torch: alpha = 1 - dampening, a Python float
    let wd = weightDecay
    parallelRanges(count, grain: elementwiseGrain) { r in
      switch mode {
      case .none: sgdPlain(p, g, r.lowerBound, r.upperBound, negLR, wd)
      case .first: sgdFirst(p, b!, g, r.lowerBound, r.upperBound, negLR, wd, nesterov ? momentum : 0)
      case .accumulate: sgdMomentum(p, b!, g, r.lowerBound, r.upperBound, negLR, wd, momentum, keep, nesterov)
      }
    }
  }

  // The range loops take every value as an argument (nothing captured), so LLVM keeps them in
  // registers and vectorizes; each branch is taken once per call, outside the loop.

  @inline(never)
  static func sgdPlain(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ lo: Int, _ hi: Int,
                       _ negLR: Float, _ wd: Float) {
    if wd == 0 {
      for i in lo..<hi { p[i] = p[i] + negLR * g[i] }
    } else {
      for i in lo..<hi { p[i] = p[i] + negLR * (g[i] + wd * p[i]) }
    }
  }

  /// b = d; p += −lr·(d + nesterovMomentum·b), with nesterovMomentum 0 for plain momentum.
  @inline(never)
  static func sgdFirst(_ p: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                       _ lo: Int, _ hi: Int, _ negLR: Float, _ wd: Float, _ nesterovMomentum: Float) {
    switch (wd == 0, nesterovMomentum == 0) {
    case (true, true):
      for i in lo..<hi { let d = g[i]; b[i] = d; p[i] = p[i] + negLR * d }
    case (false, true):
      for i in lo..<hi { let d = g[i] + wd * p[i]; b[i] = d; p[i] = p[i] + negLR * d }
    case (true, false):
      for i in lo..<hi { let d = g[i]; b[i] = d; p[i] = p[i] + negLR * (d + nesterovMomentum * d) }
    case (false, false):
      for i in lo..<hi { let d = g[i] + wd * p[i]; b[i] = d; p[i] = p[i] + negLR * (d + nesterovMomentum * d) }
    }
  }

  /// b = b·momentum + keep·d; p += −lr·(nesterov ? d + momentum·b : b).
  @inline(never)
  static func sgdMomentum(_ p: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                          _ lo: Int, _ hi: Int, _ negLR: Float, _ wd: Float, _ momentum: Float, _ keep: Float,
                          _ nesterov: Bool) {
    switch (wd == 0, nesterov) {
    case (true, false):
      for i in lo..<hi { let d = g[i]; let nb = b[i] * momentum + keep * d; b[i] = nb; p[i] = p[i] + negLR * nb }
    case (false, false):
      for i in lo..<hi {
        let d = g[i] + wd * p[i]; let nb = b[i] * momentum + keep * d; b[i] = nb; p[i] = p[i] + negLR * nb
      }
    case (true, true):
      for i in lo..<hi {
        let d = g[i]; let nb = b[i] * momentum + keep * d; b[i] = nb; p[i] = p[i] + negLR * (d + momentum * nb)
      }
    case (false, true):
      for i in lo..<hi {
        let d = g[i] + wd * p[i]; let nb = b[i] * momentum + keep * d; b[i] = nb
        p[i] = p[i] + negLR * (d + momentum * nb)
      }
    }
  }

  /// Scalars of one Adam step, computed in Double as PyTorch computes them in Python, then
  /// rounded to Float as PyTorch does when it passes them to a float32 kernel.
  struct AdamScalars {
    /// Coupled (Adam) weight decay: `g += l2·p`; 0 for none.
    var l2: Float
    /// Decoupled (AdamW) decay factor `1 − lr·wd`; 1 for none.
    var decay: Float
    /// `lerp` weight `1 − β1`.
    var lerpWeight: Float
    var beta2: Float
    var oneMinusBeta2: Float
    /// `−lr / (1 − β1^t)`.
    var negStepSize: Float
    /// `sqrt(1 − β2^t)`.
    var bias2Sqrt: Float
    var epsilon: Float
  }

  /// One Adam / AdamW step. Reference: torch.optim.adam._single_tensor_adam (not capturable):
  /// `p *= 1 − lr·wd` (AdamW) or `g += wd·p` (Adam); `m.lerp_(g, 1 − β1)`;
  /// `v = v·β2 + (1 − β2)·g·g`; `denom = sqrt(v) / sqrt(bc2) + eps`; `p += (−lr/bc1)·m / denom`.
  static func adamStep(
    parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>,
    count: Int, _ s: AdamScalars
  ) {
    // torch's lerp: weight < 0.5 ? a + w·(b − a) : b − (b − a)·(1 − w).
    let smallWeight = Swift.abs(s.lerpWeight) < 0.5
    let decays = s.l2 != 0 || s.decay != 1
    parallelRanges(count, grain: elementwiseGrain) { r in
      switch (decays, smallWeight) {
      case (false, true): adamRange(p, g, m, v, r.lowerBound, r.upperBound, s, decays: false, smallWeight: true)
      case (true, true): adamRange(p, g, m, v, r.lowerBound, r.upperBound, s, decays: true, smallWeight: true)
      case (false, false): adamRange(p, g, m, v, r.lowerBound, r.upperBound, s, decays: false, smallWeight: false)
      case (true, false): adamRange(p, g, m, v, r.lowerBound, r.upperBound, s, decays: true, smallWeight: false)
      }
    }
  }

  /// The Adam loop; each call site passes constant flags, so inlining removes the branches.
  @inline(__always)
  static func adamRange(
    _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
    _ v: UnsafeMutablePointer<Float>, _ lo: Int, _ hi: Int, _ s: AdamScalars, decays: Bool, smallWeight: Bool
  ) {
    let l2 = s.l2, decay = s.decay, w = s.lerpWeight, oneMinusW = 1 - s.lerpWeight
    let beta2 = s.beta2, oneMinusBeta2 = s.oneMinusBeta2, negStepSize = s.negStepSize
    let bias2Sqrt = s.bias2Sqrt, epsilon = s.epsilon
    for i in lo..<hi {
      var pi = p[i]
      var gi = g[i]
      if decays {
        gi = gi + l2 * pi
        pi = pi * decay
      }
      let mi = m[i]
      let mNew = smallWeight ? mi + w * (gi - mi) : gi - (gi - mi) * oneMinusW
      m[i] = mNew
      let vi = v[i] * beta2 + oneMinusBeta2 * gi * gi
      v[i] = vi
      // v ≥ 0, so `.magnitude` changes nothing; it lets LLVM drop the errno-setting sqrtf call
      // that `squareRoot()` compiles to on Linux, and the loop vectorizes (sqrtps).
      let denom = vi.magnitude.squareRoot() / bias2Sqrt + epsilon
      p[i] = pi + negStepSize * mNew / denom
    }
  }

  /// Σ x² over `count` floats, in Double, summed in fixed 64Ki-element blocks so the result
  /// does not depend on the thread count.
  static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
    let block = 1 << 16
    let blocks = (count + block - 1) / block
    if blocks <= 1 { return sumOfSquares(x, 0..<count) }
    let partial = UnsafeMutablePointer<Double>.allocate(capacity: blocks)
    defer { partial.deallocate() }
    parallelRanges(blocks, grain: 1) { r in
      for k in r { partial[k] = sumOfSquares(x, (k * block)..<Swift.min(count, (k + 1) * block)) }
    }
    var total: Double = 0
    for k in 0..<blocks { total += partial[k] }
    return total
  }

  @inline(__always)
  static func sumOfSquares(_ x: UnsafePointer<Float>, _ r: Range<Int>) -> Double {
    // Four independent accumulators break the add dependency chain; the order is fixed.
    var s0: Double = 0, s1: Double = 0, s2: Double = 0, s3: Double = 0
    var i = r.lowerBound
    while i + 4 <= r.upperBound {
      let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
      s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
      i += 4
    }
    while i < r.upperBound { let a = Double(x[i]); s0 += a * a; i += 1 }
    return (s0 + s1) + (s2 + s3)
  }

  /// x[i] *= factor.
  static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by factor: Float) {
    parallelRanges(count, grain: elementwiseGrain) { r in
      for i in r { x[i] = x[i] * factor }
    }
  }
}
