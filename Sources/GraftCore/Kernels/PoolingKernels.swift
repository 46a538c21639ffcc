/// Pooling kernels on [N·C planes, H, W] → [N·C planes, P, Q]. Parallel over planes.
/// Windows follow PyTorch: `P = floor_or_ceil((H + 2·pad − R) / stride) + 1`,
/// and with ceil mode a window must start inside the (left-padded) input.
public struct PoolGeometry: Sendable, Equatable {
  public var height: Int, width: Int
  public var kernelH: Int, kernelW: Int
  public var strideH: Int, strideW: Int
  public var padH: Int, padW: Int
  public var ceilMode: Bool

  public init(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), ceilMode: Bool) {
    self.height = height; self.width = width
    kernelH = kernel.0; kernelW = kernel.1
    strideH = stride.0; strideW = stride.1
    padH = padding.0; padW = padding.1
    self.ceilMode = ceilMode
  }

  static func outSize(_ input: Int, _ k: Int, _ s: Int, _ p: Int, _ ceil: Bool) -> Int {
    let span = input + 2 * p - k
    var out = (ceil ? (span + s - 1) / s : span / s) + 1
    if ceil && (out - 1) * s >= input + p { out -= 1 }
    return out
  }

  public var outHeight: Int { PoolGeometry.outSize(height, kernelH, strideH, padH, ceilMode) }
  public var outWidth: Int { PoolGeometry.outSize(width, kernelW, strideW, padW, ceilMode) }
}

extension Kernels {
  /// y = max over each window; `argmax`, when given, receives the flat input
  /// index (within the plane) of each maximum, for the backward pass.
  public static func maxPoolForward(
    y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?, x: UnsafePointer<Float>,
    planes: Int, _ g: PoolGeometry
  ) {
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth
    if g.kernelH == 2 && g.kernelW == 2 && g.strideH == 2 && g.strideW == 2 && g.padH == 0 && g.padW == 0
      && 2 * P <= H && 2 * Q <= W {
      maxPool2x2(y: y, argmax: argmax, x: x, planes: planes, H: H, W: W, P: P, Q: Q)
      return
    }
    guard let argmax else {
      maxPoolValues(y: y, x: x, planes: planes, g)
      return
    }
    // Interior columns, eight at a time, when the stride is 2 (ResNet's 3×3/s2 stem pool).
    let vector = g.strideW == 2 ? maxPoolStride2Columns(g) : 0..<0
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for plane in range {
        let xp = x + plane * H * W, yp = y + plane * P * Q, ap = argmax + plane * P * Q
        for p in 0..<P {
          let h0 = p * g.strideH - g.padH
          let hLo = max(h0, 0), hHi = min(h0 + g.kernelH, H)
          let outY = yp + p * Q, outA = ap + p * Q
          var q = 0
          while q < Q {
            if q >= vector.lowerBound && q + 8 <= vector.upperBound {
              maxPoolStride2Octet(xp, W: W, q: q, hLo: hLo, hHi: hHi, g, y: outY + q, argmax: outA + q)
              q += 8
              continue
            }
            let w0 = q * g.strideW - g.padW
            let wLo = max(w0, 0), wHi = min(w0 + g.kernelW, W)
            var best = -Float.infinity
            var at = hLo * W + wLo
            for h in hLo..<hHi {
              for w in wLo..<wHi {
                // PyTorch's rule: a value replaces the maximum when greater or NaN.
                let v = xp[h * W + w]
                if v > best || v != v { best = v; at = h * W + w }
              }
            }
            outY[q] = best
            outA[q] = Int32(truncatingIfNeeded: at)
            q += 1
          }
        }
      }
    }
  }

  /// Output columns whose stride-2 window lies inside the row, with one column of margin on
  /// the right (an octet loads 16 floats from its first tap, one past its last tap).
  static func maxPoolStride2Columns(_ g: PoolGeometry) -> Range<Int> {
    let Q = g.outWidth
    let lo = min(Q, (g.padW + 1) / 2)
    // Last input read by column q's 16-float load of tap k = kW − 1: 2q − pW + kW − 1 + 15 −
    // 14 = 2q − pW + kW; it must stay inside the row (≤ W − 1).
    let last = g.width - 1 - g.kernelW + g.padW
    let hi = last < 0 ? lo : max(lo, min(Q, last / 2 + 1))
    return lo..<hi
  }

  /// Eight consecutive output columns q…q+7 of one output row, stride 2 across the row:
  /// each tap of the window is the even half of 16 consecutive inputs, so the maxima and
  /// their indices are vector selects (branch-free; taps in the scalar loop's order, so the
  /// same index wins ties).
  @inline(__always)
  static func maxPoolStride2Octet(
    _ xp: UnsafePointer<Float>, W: Int, q: Int, hLo: Int, hHi: Int, _ g: PoolGeometry,
    y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
  ) {
    let w0 = 2 * q - g.padW
    let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
    var best = SIMD8<Float>(repeating: -.infinity)
    var at = lanes &+ Int32(truncatingIfNeeded: hLo * W + w0)
    for h in hLo..<hHi {
      let row = xp + h * W + w0
      for k in 0..<g.kernelW {
        let v = UnsafeRawPointer(row + k).loadUnaligned(as: SIMD16<Float>.self).evenHalf
        let take = (v .> best) .| (v .!= v)
        best.replace(with: v, where: take)
        at.replace(with: lanes &+ Int32(truncatingIfNeeded: h * W + w0 + k), where: take)
      }
    }
    UnsafeMutableRawPointer(y).storeBytes(of: best, as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(argmax).storeBytes(of: at, as: SIMD8<Int32>.self)
  }

  /// The maxima alone (inference: no gradient, so no indices). Per output row, a running
  /// maximum over the window's input rows; bounds are checked only for the border columns whose
  /// window leaves the image. NaN propagates, as PyTorch.
  static func maxPoolValues(y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, planes: Int, _ g: PoolGeometry) {
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth
    let kH = g.kernelH, kW = g.kernelW, sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW
    @inline(__always) func pick(_ v: Float, _ best: Float) -> Float { v > best || v != v ? v : best }
    // Columns q whose window [q·sW − pW, q·sW − pW + kW) lies inside [0, W).
    let qLo = min(Q, (pW + sW - 1) / sW)
    let qHi = W - kW + pW < 0 ? qLo : max(qLo, min(Q, (W - kW + pW) / sW + 1))
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for plane in range {
        let xp = x + plane * H * W, yp = y + plane * P * Q
        for p in 0..<P {
          let h0 = p * sH - pH
          let hLo = max(h0, 0), hHi = min(h0 + kH, H)
          let out = yp + p * Q
          @inline(__always) func border(_ q: Int) {
            let w0 = q * sW - pW
            let wLo = max(w0, 0), wHi = min(w0 + kW, W)
            var best = -Float.infinity
            for h in hLo..<hHi {
              for w in wLo..<wHi { best = pick(xp[h * W + w], best) }
            }
            out[q] = best
          }
          for q in 0..<qLo { border(q) }
          for q in qHi..<Q { border(q) }
          guard qLo < qHi else { continue }
          (out + qLo).update(repeating: -Float.infinity, count: qHi - qLo)
          for h in hLo..<hHi {
            let row = xp + h * W - pW
            for q in qLo..<qHi {
              let s = row + q * sW
              var best = out[q]
              for k in 0..<kW { best = pick(s[k], best) }
              out[q] = best
            }
          }
        }
      }
    }
  }

  /// The common 2×2, stride-2 window that lies inside the image: branch-free
  /// maxima of four values (NaN propagates, as PyTorch).
  static func maxPool2x2(
    y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?, x: UnsafePointer<Float>,
    planes: Int, H: Int, W: Int, P: Int, Q: Int
  ) {
    @inline(__always) func pick(_ a: Float, _ b: Float) -> Float { a >= b || a.isNaN ? a : b }
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for plane in range {
        let xp = x + plane * H * W, yp = y + plane * P * Q
        if let argmax {
          // PyTorch's rule: a value replaces the maximum when greater or NaN.
          let ap = argmax + plane * P * Q
          for p in 0..<P {
            let r0 = xp + 2 * p * W, r1 = r0 + W
            let base0 = Int32(2 * p * W), base1 = Int32((2 * p + 1) * W)
            for q in 0..<Q {
              let i = 2 * q
              var best = r0[i], at = base0 + Int32(i)
              let b = r0[i + 1], c = r1[i], d = r1[i + 1]
              var take = b > best || b != b
              best = take ? b : best; at = take ? base0 + Int32(i + 1) : at
              take = c > best || c != c
              best = take ? c : best; at = take ? base1 + Int32(i) : at
              take = d > best || d != d
              best = take ? d : best; at = take ? base1 + Int32(i + 1) : at
              yp[p * Q + q] = best
              ap[p * Q + q] = at
            }
          }
        } else {
          for p in 0..<P {
            let r0 = xp + 2 * p * W, r1 = r0 + W, out = yp + p * Q
            for q in 0..<Q {
              out[q] = pick(pick(r0[2 * q], r0[2 * q + 1]), pick(r1[2 * q], r1[2 * q + 1]))
            }
          }
        }
      }
    }
  }

  /// dx[argmax] += dy (dx zeroed first).
  public static func maxPoolBackward(
    dX: UnsafeMutablePointer<Float>, dY: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
    planes: Int, _ g: PoolGeometry
  ) {
    let HW = g.height * g.width, PQ = g.outHeight * g.outWidth
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(HW, 1))) { range in
      for plane in range {
        let dxp = dX + plane * HW
        dxp.update(repeating: 0, count: HW)
        let gp = dY + plane * PQ, ap = argmax + plane * PQ
        for i in 0..<PQ { dxp[Int(ap[i])] += gp[i] }
      }
    }
  }

  /// Divisor of one average-pool window (PyTorch's rule: the window clipped to
  /// the padded input when counting padding, else to the input).
  @inline(__always)
  static func avgPoolDivisor(_ g: PoolGeometry, _ p: Int, _ q: Int, countIncludePad: Bool) -> Float {
    let h0 = p * g.strideH - g.padH, w0 = q * g.strideW - g.padW
    if countIncludePad {
      let h1 = min(h0 + g.kernelH, g.height + g.padH), w1 = min(w0 + g.kernelW, g.width + g.padW)
      return Float((h1 - h0) * (w1 - w0))
    }
    let h1 = min(h0 + g.kernelH, g.height), w1 = min(w0 + g.kernelW, g.width)
    return Float((h1 - max(h0, 0)) * (w1 - max(w0, 0)))
  }

  public static func avgPoolForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, planes: Int, _ g: PoolGeometry, countIncludePad: Bool
  ) {
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for plane in range {
        let xp = x + plane * H * W, yp = y + plane * P * Q
        for p in 0..<P {
          let h0 = p * g.strideH - g.padH
          let hLo = max(h0, 0), hHi = min(h0 + g.kernelH, H)
          for q in 0..<Q {
            let w0 = q * g.strideW - g.padW
            let wLo = max(w0, 0), wHi = min(w0 + g.kernelW, W)
            var acc: Float = 0
            for h in hLo..<max(hLo, hHi) { for w in wLo..<max(wLo, wHi) { acc += xp[h * W + w] } }
            yp[p * Q + q] = acc / avgPoolDivisor(g, p, q, countIncludePad: countIncludePad)
          }
        }
      }
    }
  }

  public static func avgPoolBackward(
    dX: UnsafeMutablePointer<Float>, dY: UnsafePointer<Float>, planes: Int, _ g: PoolGeometry, countIncludePad: Bool
  ) {
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth
    parallelRanges(planes, grain: max(1, elementwiseGrain / max(H * W, 1))) { range in
      for plane in range {
        let dxp = dX + plane * H * W, gp = dY + plane * P * Q
        dxp.update(repeating: 0, count: H * W)
        for p in 0..<P {
          let h0 = p * g.strideH - g.padH
          let hLo = max(h0, 0), hHi = min(h0 + g.kernelH, H)
          for q in 0..<Q {
            let w0 = q * g.strideW - g.padW
            let wLo = max(w0, 0), wHi = min(w0 + g.kernelW, W)
            let v = gp[p * Q + q] / avgPoolDivisor(g, p, q, countIncludePad: countIncludePad)
            for h in hLo..<max(hLo, hHi) { for w in wLo..<max(wLo, wHi) { dxp[h * W + w] += v } }
          }
        }
      }
    }
  }
}
