import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// 2-D convolution kernels, NCHW. Glossary: N batch, C input channels,
/// K output channels, G groups (C/G and K/G per group), H×W input, R×S kernel,
/// P×Q output.
///   x      [N, C, H, W]
///   weight [K, C/G, R, S]
///   bias   [K]
///   y      [N, K, P, Q]
public struct Conv2dShape: Sendable, Equatable {
  public var batch: Int, groups: Int, outChannels: Int
  /// Geometry of one group of one image (channels = C/G).
  public var geometry: ConvGeometry

  public var inChannels: Int { geometry.channels * groups }
  public var inPlane: Int { geometry.height * geometry.width }
  public var outPlane: Int { geometry.outHeight * geometry.outWidth }
  /// Depthwise: one input channel per group, handled by a direct kernel.
  public var isDepthwise: Bool { geometry.channels == 1 && groups > 1 }
  /// Depthwise 3×3 with stride 1 or 2 (MobileNet's): the vector kernels of CKernels, a plane
  /// per call; other depthwise geometries run the Swift loops.
  var depthwiseRunsVectorKernel: Bool { depthwiseVectorKernelSize == 3 }
  /// The side of the C depthwise kernel the forward pass runs (3 or 5: square, dilation 1,
  /// stride 1 or 2 both ways), or nil for the Swift loop. The backward has a vector form for 3
  /// only (`depthwiseRunsVectorKernel`).
  var depthwiseVectorKernelSize: Int? {
    let g = geometry
    guard isDepthwise, g.kernelHeight == g.kernelWidth, g.kernelHeight == 3 || g.kernelHeight == 5,
          g.dilationH == 1, g.dilationW == 1, g.strideH == g.strideW, g.strideW == 1 || g.strideW == 2 else { return nil }
    return g.kernelHeight
  }
  /// Depthwise 3×3, stride 1, SAME (padding 1), one output channel per input channel, on planes
  /// narrower than a vector and of at most `GRAFT_DW_FLAT_MAX` pixels: `graft_depthwise3x3_flat`,
  /// which takes each plane as one flat run of vectors (a 6×4 plane row by row fills 4 of 16 lanes).
  var depthwiseRunsFlatKernel: Bool {
    let g = geometry
    return depthwiseRunsVectorKernel && outChannels == inChannels && g.strideH == 1 && g.padH == 1 && g.padW == 1
      && g.outHeight == g.height && g.outWidth == g.width && g.width < SIMDLevel.current.vectorWidth
      && g.height * g.width <= Int(GRAFT_DW_FLAT_MAX)
  }
  /// Whether the Winograd kernels run (`usesWinograd`, unless `GRAFT_WINOGRAD=0`).
  var runsWinograd: Bool { usesWinograd && Kernels.winogradEnabled }
  /// Multiply–adds per forward pass ×2.
  public var flops: Double {
    2 * Double(batch * outChannels * outPlane) * Double(geometry.colRows)
  }
}

extension Kernels {
  /// `GRAFT_WINOGRAD=0` turns the Winograd forward off (3×3 convolutions then use im2col).
  static let winogradEnabled: Bool = {
    guard let raw = getenv("GRAFT_WINOGRAD") else { return true }
    return String(cString: raw) != "0"
  }()

  /// Floats of im2col scratch one thread needs (0 when pointwise, depthwise or Winograd).
  public static func conv2dWorkspaceCount(_ sh: Conv2dShape) -> Int {
    if sh.isDepthwise || sh.geometry.isPointwise || sh.runsWinograd { return 0 }
    return sh.geometry.colRows * sh.groups * sh.outPlane
  }

  /// Floats of per-thread weight-gradient sums `conv2dBackward` needs beyond dWeight itself.
  public static func conv2dWeightScratchCount(_ sh: Conv2dShape) -> Int {
    if sh.isDepthwise || sh.runsWinograd { return 0 }
    return (batchChunks(sh.batch) - 1) * sh.outChannels * sh.geometry.colRows
  }

  /// y = conv(x, weight) + bias: im2col + one GEMM per image and group, images
  /// split across threads (each with single-threaded BLAS and its own scratch);
  /// depthwise convolutions run a direct kernel. `workspace` holds
  /// `batchChunks(N) × conv2dWorkspaceCount` floats.
  /// With `relu`, the outputs are rectified (`max(y, 0)`, NaN to 0 as `relu()`) while they are
  /// still in cache: a plane, an image or a scattered row at a time.
  public static func conv2dForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, shape sh: Conv2dShape, workspace: UnsafeMutablePointer<Float>?, relu: Bool = false
  ) {
    if sh.isDepthwise {
      depthwiseForward(y: y, x: x, weight: weight, bias: bias, shape: sh, relu: relu)
      return
    }
    if sh.runsWinograd {
      winogradForward(y: y, x: x, weight: weight, bias: bias, shape: sh)
      if relu {
        let count = sh.batch * sh.outChannels * sh.outPlane
        parallelRanges(count, grain: elementwiseGrain) { r in rectify(y + r.lowerBound, count: r.count) }
      }
      return
    }
    if runsFoldedPointwise(sh) {
      pointwiseFoldedForward(y: y, x: x, weight: weight, bias: bias, shape: sh, relu: relu)
      return
    }
    let g = sh.geometry
    let G = sh.groups, Kg = sh.outChannels / G, rowsG = g.colRows, PQ = sh.outPlane
    let C = sh.inChannels, HW = sh.inPlane
    var full = g
    full.channels = C
    let scratch = conv2dWorkspaceCount(sh)
    parallelBatches(sh.batch) { chunk, images in
      let ws = workspace.map { $0 + chunk * scratch }
      for n in images {
        let xn = x + n * C * HW
        let yn = y + n * sh.outChannels * PQ
        let col: UnsafePointer<Float>
        if g.isPointwise {
          col = xn
        } else {
          im2col(ws!, xn, full)
          col = UnsafePointer(ws!)
        }
        for gi in 0..<G {
          gemm(transA: false, transB: false, m: Kg, n: PQ, k: rowsG,
               a: weight + gi * Kg * rowsG, lda: rowsG, b: col + gi * rowsG * PQ, ldb: PQ,
               c: yn + gi * Kg * PQ, ldc: PQ)
        }
        if let bias { addChannelBias(yn, bias, channels: sh.outChannels, plane: PQ) }
        if relu { rectify(yn, count: sh.outChannels * PQ) }
      }
    }
  }

  /// `p[i] = max(p[i], 0)` (`relu()`'s value: NaN becomes 0), in place.
  @inline(__always)
  static func rectify(_ p: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { p[i] = p[i] > 0 ? p[i] : 0 }
  }

  /// Gradients of `conv2dForward`. dX, dWeight and dBias are written (not
  /// accumulated) when given. Each thread accumulates the weight gradient of its
  /// images into its own buffer; the buffers are summed in chunk order.
  /// `workspace` as for the forward; `weightScratch` holds
  /// `(batchChunks(N) − 1) × K·C/G·R·S` floats when dWeight is wanted.
  public static func conv2dBackward(
    dX: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?,
    dY: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    shape sh: Conv2dShape, workspace: UnsafeMutablePointer<Float>?, weightScratch: UnsafeMutablePointer<Float>?
  ) {
    if let dBias {
      let PQ = sh.outPlane, K = sh.outChannels
      parallelRanges(K, grain: 1) { ks in
        for k in ks {
          var acc: Float = 0
          for n in 0..<sh.batch {
            let row = dY + (n * K + k) * PQ
            for i in 0..<PQ { acc += row[i] }
          }
          dBias[k] = acc
        }
      }
    }
    if sh.isDepthwise {
      depthwiseBackward(dX: dX, dWeight: dWeight, dY: dY, x: x, weight: weight, shape: sh)
      return
    }
    if sh.runsWinograd {
      if let dX { winogradBackwardData(dX: dX, dY: dY, weight: weight, shape: sh) }
      if let dWeight { winogradBackwardWeight(dWeight: dWeight, dY: dY, x: x, shape: sh) }
      return
    }
    let g = sh.geometry
    let G = sh.groups, Kg = sh.outChannels / G, rowsG = g.colRows, PQ = sh.outPlane
    let C = sh.inChannels, HW = sh.inPlane
    var full = g
    full.channels = C
    let scratch = conv2dWorkspaceCount(sh)
    let weightCount = sh.outChannels * rowsG
    parallelBatches(sh.batch) { chunk, images in
      let ws = workspace.map { $0 + chunk * scratch }
      let dW = dWeight.map { chunk == 0 ? $0 : weightScratch! + (chunk - 1) * weightCount }
      dW?.update(repeating: 0, count: weightCount)
      for n in images {
        let xn = x + n * C * HW
        let dyn = dY + n * sh.outChannels * PQ
        if let dW {
          let col: UnsafePointer<Float>
          if g.isPointwise {
            col = xn
          } else {
            im2col(ws!, xn, full)
            col = UnsafePointer(ws!)
          }
          for gi in 0..<G {
            // dW_g += dY_g [Kg, PQ] · col_gᵀ [PQ, rowsG]
            gemm(transA: false, transB: true, m: Kg, n: rowsG, k: PQ,
                 a: dyn + gi * Kg * PQ, lda: PQ, b: col + gi * rowsG * PQ, ldb: PQ,
                 beta: 1, c: dW + gi * Kg * rowsG, ldc: rowsG)
          }
        }
        if let dX {
          let dxn = dX + n * C * HW
          let dcol = g.isPointwise ? dxn : ws!
          for gi in 0..<G {
            // dcol_g [rowsG, PQ] = W_gᵀ [rowsG, Kg] · dY_g [Kg, PQ]
            gemm(transA: true, transB: false, m: rowsG, n: PQ, k: Kg,
                 a: weight + gi * Kg * rowsG, lda: rowsG, b: dyn + gi * Kg * PQ, ldb: PQ,
                 c: dcol + gi * rowsG * PQ, ldc: PQ)
          }
          if !g.isPointwise {
            dxn.update(repeating: 0, count: C * HW)
            col2im(dxn, dcol, full)
          }
        }
      }
    }
    if let dWeight, let weightScratch {
      for chunk in 1..<batchChunks(sh.batch) {
        let part = weightScratch + (chunk - 1) * weightCount
        for i in 0..<weightCount { dWeight[i] += part[i] }
      }
    }
  }

  /// y[n, k, :] += bias[k]
  static func addChannelBias(_ y: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, channels: Int, plane: Int) {
    parallelRanges(channels, grain: max(1, elementwiseGrain / max(plane, 1))) { ks in
      for k in ks {
        let b = bias[k], row = y + k * plane
        for i in 0..<plane { row[i] += b }
      }
    }
  }

  /// Valid output columns q for a kernel column whose input column is q·stride + offset.
  @inline(__always)
  static func validColumns(offset: Int, stride: Int, width: Int, outWidth: Int) -> Range<Int> {
    let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let hi = width - 1 - offset < 0 ? 0 : min(outWidth, (width - 1 - offset) / stride + 1)
    return lo..<max(lo, hi)
  }

  /// Depthwise convolution: output channel k reads input channel k / M
  /// (M = K / C, the depth multiplier). Parallel over (n, k) planes; each output
  /// row accumulates one kernel tap at a time over a contiguous run of columns,
  /// so the inner loop has no bounds checks and vectorizes at stride 1.
  static func depthwiseForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, shape sh: Conv2dShape, relu: Bool = false
  ) {
    let g = sh.geometry
    let C = sh.inChannels, K = sh.outChannels, M = K / C
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth, R = g.kernelHeight, S = g.kernelWidth
    let sw = g.strideW
    let vector = sh.depthwiseVectorKernelSize
    let isa = SIMDLevel.current.isa
    if sh.depthwiseRunsFlatKernel {
      parallelRanges(sh.batch * K, grain: max(1, elementwiseGrain / max(P * Q * R * S, 1))) { planes in
        graft_depthwise3x3_flat(y, x, weight, bias, Int64(planes.lowerBound), Int64(planes.count), Int64(K), Int64(H),
                                Int64(W), isa)
        if relu { rectify(y + planes.lowerBound * P * Q, count: planes.count * P * Q) }
      }
      return
    }
    parallelRanges(sh.batch * K, grain: max(1, elementwiseGrain / max(P * Q * R * S, 1))) { planes in
      for nk in planes {
        let n = nk / K, k = nk % K, c = k / M
        let xp = x + (n * C + c) * H * W
        let yp = y + nk * P * Q
        let wk = weight + k * R * S
        defer { if relu { rectify(yp, count: P * Q) } }
        if vector == 3 {
          graft_depthwise3x3(yp, xp, wk, bias?[k] ?? 0, Int64(H), Int64(W), Int64(P), Int64(Q), Int64(sw),
                             Int64(g.padH), Int64(g.padW), isa)
          continue
        }
        if vector == 5 {
          graft_depthwise5x5(yp, xp, wk, bias?[k] ?? 0, Int64(H), Int64(W), Int64(P), Int64(Q), Int64(sw),
                             Int64(g.padH), Int64(g.padW), isa)
          continue
        }
        yp.update(repeating: bias?[k] ?? 0, count: P * Q)
        for p in 0..<P {
          let out = yp + p * Q
          for r in 0..<R {
            let ih = p * g.strideH - g.padH + r * g.dilationH
            if ih < 0 || ih >= H { continue }
            let row = xp + ih * W
            for s in 0..<S {
              let w = wk[r * S + s]
              let offset = s * g.dilationW - g.padW
              let qs = validColumns(offset: offset, stride: sw, width: W, outWidth: Q)
              if sw == 1 {
                let src = row + offset
                for q in qs { out[q] += w * src[q] }
              } else {
                for q in qs { out[q] += w * row[q * sw + offset] }
              }
            }
          }
        }
      }
    }
  }

  /// Gradients of `depthwiseForward`, parallel over input channels
  /// (each channel owns its dX planes and its M filters).
  static func depthwiseBackward(
    dX: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>?,
    dY: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>, shape sh: Conv2dShape
  ) {
    let g = sh.geometry
    let C = sh.inChannels, K = sh.outChannels, M = K / C
    let H = g.height, W = g.width, P = g.outHeight, Q = g.outWidth, R = g.kernelHeight, S = g.kernelWidth
    let sw = g.strideW
    let vector = sh.depthwiseRunsVectorKernel
    let isa = SIMDLevel.current.isa
    parallelRanges(C, grain: 1) { channels in
      for c in channels {
        for n in 0..<sh.batch { dX?.advanced(by: (n * C + c) * H * W).update(repeating: 0, count: H * W) }
        if vector {
          // The vector kernels of CKernels, a plane at a time (see depthwiseForward).
          let (h, w, p, q) = (Int64(H), Int64(W), Int64(P), Int64(Q))
          let (st, ph, pw) = (Int64(sw), Int64(g.padH), Int64(g.padW))
          for k in (c * M)..<((c + 1) * M) {
            dWeight?.advanced(by: k * 9).update(repeating: 0, count: 9)
            for n in 0..<sh.batch {
              let xp = x + (n * C + c) * H * W, gp = dY + (n * K + k) * P * Q
              if let dWeight { graft_depthwise3x3_grad_weight(dWeight + k * 9, gp, xp, h, w, p, q, st, ph, pw, isa) }
              if let dX {
                graft_depthwise3x3_grad_input(dX + (n * C + c) * H * W, gp, weight + k * 9, h, w, p, q, st, ph, pw, isa)
              }
            }
          }
          continue
        }
        for k in (c * M)..<((c + 1) * M) {
          let wk = weight + k * R * S
          let dwk = dWeight.map { $0 + k * R * S }
          dwk?.update(repeating: 0, count: R * S)
          for n in 0..<sh.batch {
            let xp = x + (n * C + c) * H * W
            let dxp = dX.map { $0 + (n * C + c) * H * W }
            let gp = dY + (n * K + k) * P * Q
            for p in 0..<P {
              let grow = gp + p * Q
              for r in 0..<R {
                let ih = p * g.strideH - g.padH + r * g.dilationH
                if ih < 0 || ih >= H { continue }
                let xrow = xp + ih * W
                for s in 0..<S {
                  let offset = s * g.dilationW - g.padW
                  let qs = validColumns(offset: offset, stride: sw, width: W, outWidth: Q)
                  if let dwk {
                    var acc: Float = 0
                    if sw == 1 {
                      let src = xrow + offset
                      for q in qs { acc += grow[q] * src[q] }
                    } else {
                      for q in qs { acc += grow[q] * xrow[q * sw + offset] }
                    }
                    dwk[r * S + s] += acc
                  }
                  if let dxp {
                    let w = wk[r * S + s]
                    let dst = dxp + ih * W
                    if sw == 1 {
                      let d = dst + offset
                      for q in qs { d[q] += w * grow[q] }
                    } else {
                      for q in qs { dst[q * sw + offset] += w * grow[q] }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
