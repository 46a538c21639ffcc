import CKernels

/// Geometry of a 2-D convolution or pooling window over one image.
/// C channels, H×W input, R×S window, P×Q output.
public struct ConvGeometry: Sendable, Equatable {
  public var channels: Int       // C (per group, for im2col of one group)
  public var height: Int, width: Int            // H, W
  public var kernelHeight: Int, kernelWidth: Int  // R, S
  public var strideH: Int, strideW: Int
  public var padH: Int, padW: Int
  public var dilationH: Int, dilationW: Int

  public init(channels: Int, height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int),
              padding: (Int, Int), dilation: (Int, Int) = (1, 1)) {
    self.channels = channels
    self.height = height; self.width = width
    kernelHeight = kernel.0; kernelWidth = kernel.1
    strideH = stride.0; strideW = stride.1
    padH = padding.0; padW = padding.1
    dilationH = dilation.0; dilationW = dilation.1
  }

  /// P (floor mode, as PyTorch's default).
  public var outHeight: Int { (height + 2 * padH - dilationH * (kernelHeight - 1) - 1) / strideH + 1 }
  /// Q
  public var outWidth: Int { (width + 2 * padW - dilationW * (kernelWidth - 1) - 1) / strideW + 1 }
  /// Rows of the im2col matrix: C·R·S.
  public var colRows: Int { channels * kernelHeight * kernelWidth }
  /// Columns of the im2col matrix: P·Q.
  public var colColumns: Int { outHeight * outWidth }
  /// True for a 1×1, stride-1, unpadded window: the image is its own im2col matrix.
  public var isPointwise: Bool {
    kernelHeight == 1 && kernelWidth == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0
  }
}

extension Kernels {
  /// col[(c·R + r)·S + s, p·Q + q] = x[c, p·sh − ph + r·dh, q·sw − pw + s·dw] (0 outside).
  /// x: [C, H, W], col: [C·R·S, P·Q].
  public static func im2col(_ col: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ g: ConvGeometry) {
    let P = g.outHeight, Q = g.outWidth, H = g.height, W = g.width
    let R = g.kernelHeight, S = g.kernelWidth
    let rows = g.colRows
    let isa = SIMDLevel.current.isa
    parallelRanges(rows, grain: max(1, elementwiseGrain / max(P * Q, 1))) { range in
      for row in range {
        let s = row % S, r = (row / S) % R, c = row / (R * S)
        let plane = x + c * H * W
        let dst = col + row * P * Q
        let wOffset = s * g.dilationW - g.padW
        // Valid q range: 0 ≤ q·sw + wOffset < W.
        let qLo = wOffset >= 0 ? 0 : (-wOffset + g.strideW - 1) / g.strideW
        let qHi = W - wOffset <= 0 ? 0 : min(Q, (W - wOffset - 1) / g.strideW + 1)
        for p in 0..<P {
          let ih = p * g.strideH - g.padH + r * g.dilationH
          let out = dst + p * Q
          if ih < 0 || ih >= H || qLo >= qHi {
            out.update(repeating: 0, count: Q)
            continue
          }
          let src = plane + ih * W + wOffset
          if qLo > 0 { out.update(repeating: 0, count: qLo) }
          if g.strideW == 1 {
            (out + qLo).update(from: src + qLo, count: qHi - qLo)
          } else if g.strideW == 2 {
            graft_copy_stride2(out + qLo, src + 2 * qLo, Int64(qHi - qLo), isa)  // vector evens
          } else {
            for q in qLo..<qHi { out[q] = src[q * g.strideW] }
          }
          if qHi < Q { (out + qHi).update(repeating: 0, count: Q - qHi) }
        }
      }
    }
  }

  /// The adjoint of `im2col`: dx[c, ih, iw] += col[...] for every window position.
  /// Parallel over channels (each channel's rows write only its own plane).
  public static func col2im(_ dx: UnsafeMutablePointer<Float>, _ col: UnsafePointer<Float>, _ g: ConvGeometry) {
    let P = g.outHeight, Q = g.outWidth, H = g.height, W = g.width
    let R = g.kernelHeight, S = g.kernelWidth
    parallelRanges(g.channels, grain: max(1, elementwiseGrain / max(R * S * P * Q, 1))) { channels in
      for c in channels {
        let plane = dx + c * H * W
        for r in 0..<R {
          for s in 0..<S {
            let src = col + ((c * R + r) * S + s) * P * Q
            let wOffset = s * g.dilationW - g.padW
            let qLo = wOffset >= 0 ? 0 : (-wOffset + g.strideW - 1) / g.strideW
            let qHi = W - wOffset <= 0 ? 0 : min(Q, (W - wOffset - 1) / g.strideW + 1)
            if qLo >= qHi { continue }
            for p in 0..<P {
              let ih = p * g.strideH - g.padH + r * g.dilationH
              if ih < 0 || ih >= H { continue }
              let dst = plane + ih * W + wOffset
              let row = src + p * Q
              if g.strideW == 1 {
                for q in qLo..<qHi { dst[q] += row[q] }
              } else {
                for q in qLo..<qHi { dst[q * g.strideW] += row[q] }
              }
            }
          }
        }
      }
    }
  }
}
