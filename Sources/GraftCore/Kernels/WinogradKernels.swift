/// Winograd F(2×2, 3×3) for the forward pass of 3×3, stride-1, padding-1 convolutions
/// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2015): each 2×2
/// output tile takes 16 multiplies per input channel instead of 36, so the 16 GEMMs of
/// [K, C]·[C, tiles] do 2.25× fewer multiply-adds than im2col's one [K, 9C]·[9C, P·Q].
///
///   U = G g Gᵀ (per k, c)    V = Bᵀ d B (per c, 4×4 input tile)    Y = Aᵀ (U ⊙ V summed over c) A
///
/// with Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1], G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
/// Aᵀ = [1 1 1 0; 0 1 −1 −1]. The ½ entries and the small transforms keep float32 results
/// within a few ulp of the direct sum for the channel counts of image networks (tested
/// against the definition on odd sizes). The input gradient of such a convolution is another
/// one (`winogradBackwardData`); the weight gradient stays on im2col.
extension Conv2dShape {
  /// Whether the forward pass runs through Winograd F(2×2, 3×3): 3×3 kernel, stride 1,
  /// padding 1, no dilation, one group, and enough channels for the GEMMs to dominate.
  public var usesWinograd: Bool {
    let g = geometry
    return groups == 1 && g.kernelHeight == 3 && g.kernelWidth == 3 && g.strideH == 1 && g.strideW == 1
      && g.padH == 1 && g.padW == 1 && g.dilationH == 1 && g.dilationW == 1
      && g.channels >= 16 && outChannels >= 16
  }
}

extension Kernels {
  /// y = conv(x, weight) + bias for a shape with `usesWinograd`. Images are split across
  /// threads; each thread transforms groups of images (about 128 tiles per group, so the
  /// GEMMs are wide even on 7×7 planes) and runs the 16 products single-threaded.
  ///
  /// With `transposedWeight`, `weight` is the [C, K, 3, 3] kernel of the convolution this one
  /// is the input gradient of: kernel (k, c) is read as that kernel's (c, k), flipped in both
  /// axes (see `winogradBackwardData`).
  static func winogradForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, shape sh: Conv2dShape, transposedWeight: Bool = false
  ) {
    let C = sh.inChannels, K = sh.outChannels, H = sh.geometry.height, W = sh.geometry.width
    let tilesH = (H + 1) / 2, tilesW = (W + 1) / 2, tilesPerImage = tilesH * tilesW
    let u = Storage(uninitializedCount: 16 * K * C)  // U[ξ][k][c]
    let U = u.pointer
    parallelRanges(K, grain: max(1, 4096 / max(C, 1))) { ks in
      for k in ks {
        for c in 0..<C {
          if transposedWeight {
            transformWeight(weight + (c * K + k) * 9, flipped: true, into: U + k * C + c, stride: K * C)
          } else {
            transformWeight(weight + (k * C + c) * 9, flipped: false, into: U + k * C + c, stride: K * C)
          }
        }
      }
    }
    // Images per transform group: about 128 tiles, so the GEMMs are wide enough on 7×7 and
    // 14×14 planes while V and M stay small (they are live next to a training step's
    // activations: 1,024-tile groups cost 100 MB of peak RSS in a ResNet-18 fine-tune).
    let chunks = batchChunks(sh.batch)
    let imagesPerChunk = (sh.batch + chunks - 1) / chunks
    let groupImages = max(1, min(imagesPerChunk, 128 / tilesPerImage))
    let maxTiles = groupImages * tilesPerImage
    let v = Storage(uninitializedCount: chunks * 16 * C * maxTiles)  // V[ξ][c][t] per thread
    let m = Storage(uninitializedCount: chunks * 16 * K * maxTiles)  // M[ξ][k][t] per thread
    parallelBatches(sh.batch) { chunk, images in
      let V = v.pointer + chunk * 16 * C * maxTiles, M = m.pointer + chunk * 16 * K * maxTiles
      let rows = UnsafeMutablePointer<Float>.allocate(capacity: 8 * (W + 3))
      defer { rows.deallocate() }
      var n0 = images.lowerBound
      while n0 < images.upperBound {
        let n1 = min(n0 + groupImages, images.upperBound)
        let T = (n1 - n0) * tilesPerImage
        for n in n0..<n1 {
          for c in 0..<C {
            transformInput(x + (n * C + c) * H * W, height: H, width: W, into: V + c * T + (n - n0) * tilesPerImage,
                           stride: C * T, rows: rows)
          }
        }
        for xi in 0..<16 {
          gemm(transA: false, transB: false, m: K, n: T, k: C, a: U + xi * K * C, lda: C,
               b: V + xi * C * T, ldb: T, c: M + xi * K * T, ldc: T)
        }
        for n in n0..<n1 {
          for k in 0..<K {
            transformOutput(M + k * T + (n - n0) * tilesPerImage, stride: K * T, bias: bias?[k] ?? 0,
                            into: y + (n * K + k) * H * W, height: H, width: W)
          }
        }
        n0 = n1
      }
    }
    withExtendedLifetime((u, v, m)) {}
  }

  /// ∂L/∂x of a `usesWinograd` convolution: for 3×3, stride 1, padding 1 it is itself such a
  /// convolution, of dY with the kernels flipped in both axes and the channel axes swapped
  /// (W′[c, k, r, s] = W[k, c, 2 − r, 2 − s]), so it runs through `winogradForward` too.
  static func winogradBackwardData(
    dX: UnsafeMutablePointer<Float>, dY: UnsafePointer<Float>, weight: UnsafePointer<Float>, shape sh: Conv2dShape
  ) {
    let g = sh.geometry
    let transposed = Conv2dShape(
      batch: sh.batch, groups: 1, outChannels: sh.inChannels,
      geometry: ConvGeometry(channels: sh.outChannels, height: g.outHeight, width: g.outWidth, kernel: (3, 3),
                             stride: (1, 1), padding: (1, 1)))
    winogradForward(y: dX, x: dY, weight: weight, bias: nil, shape: transposed, transposedWeight: true)
  }

  /// U = G g Gᵀ of one 3×3 kernel (read back to front when `flipped`), element ξ = 4i + j
  /// written to `out[ξ · stride]`.
  @inline(__always)
  private static func transformWeight(
    _ w: UnsafePointer<Float>, flipped: Bool, into out: UnsafeMutablePointer<Float>, stride: Int
  ) {
    @inline(__always) func g(_ i: Int) -> Float { flipped ? w[8 - i] : w[i] }
    // Gg (4×3), each row as a vector of its three columns.
    let g0 = SIMD4(g(0), g(1), g(2), 0), g1 = SIMD4(g(3), g(4), g(5), 0), g2 = SIMD4(g(6), g(7), g(8), 0)
    @inline(__always) func put(_ i: Int, _ r: SIMD4<Float>) {
      out[(4 * i) * stride] = r[0]
      out[(4 * i + 1) * stride] = 0.5 * (r[0] + r[1] + r[2])
      out[(4 * i + 2) * stride] = 0.5 * (r[0] - r[1] + r[2])
      out[(4 * i + 3) * stride] = r[2]
    }
    put(0, g0)
    put(1, 0.5 * (g0 + g1 + g2))
    put(2, 0.5 * (g0 - g1 + g2))
    put(3, g2)
  }

  /// V = Bᵀ d B for every 4×4 tile of one padded plane (tiles start every 2 pixels at −1);
  /// tile t's element ξ goes to `out[ξ · stride + t]`. Per band of tiles: Bᵀ over the four
  /// rows for the whole width (contiguous vector loops over zero-padded row copies), then
  /// · B for each tile, writing each ξ's run of tiles contiguously. `rows` is scratch for
  /// 8 · (W + 3) floats.
  private static func transformInput(
    _ plane: UnsafePointer<Float>, height H: Int, width W: Int, into out: UnsafeMutablePointer<Float>,
    stride: Int, rows: UnsafeMutablePointer<Float>
  ) {
    let tilesW = (W + 1) / 2, span = W + 3
    let d = rows, t = rows + 4 * span  // d_i[x + 1] = pixel (y0 + i, x), zero outside; t_i = (Bᵀ d)_i
    for i in 0..<4 { d[i * span] = 0; d[i * span + W + 1] = 0; d[i * span + W + 2] = 0 }
    for ty in 0..<((H + 1) / 2) {
      let y0 = 2 * ty - 1
      for i in 0..<4 {
        let yy = y0 + i, dst = d + i * span + 1
        if yy >= 0 && yy < H { dst.update(from: plane + yy * W, count: W) } else { dst.update(repeating: 0, count: W) }
      }
      let d0 = d, d1 = d + span, d2 = d + 2 * span, d3 = d + 3 * span
      let t0 = t, t1 = t + span, t2 = t + 2 * span, t3 = t + 3 * span
      for x in 0..<span {
        t0[x] = d0[x] - d2[x]
        t1[x] = d1[x] + d2[x]
        t2[x] = d2[x] - d1[x]
        t3[x] = d1[x] - d3[x]
      }
      let base = out + ty * tilesW
      for i in 0..<4 {
        let r = t + i * span
        let o0 = base + (4 * i) * stride, o1 = o0 + stride, o2 = o1 + stride, o3 = o2 + stride
        for tx in 0..<tilesW {
          let a = r[2 * tx], b = r[2 * tx + 1], c = r[2 * tx + 2], e = r[2 * tx + 3]
          o0[tx] = a - c
          o1[tx] = b + c
          o2[tx] = c - b
          o3[tx] = b - e
        }
      }
    }
  }

  /// Y = Aᵀ m A + bias for every tile of one output plane; tile t's element ξ is read
  /// from `m[ξ · stride + t]` (each ξ's run of tiles contiguous). Tiles past the plane's
  /// edge (odd H or W) are cropped.
  private static func transformOutput(
    _ m: UnsafePointer<Float>, stride: Int, bias: Float, into plane: UnsafeMutablePointer<Float>, height H: Int, width W: Int
  ) {
    let tilesW = (W + 1) / 2, evenW = W / 2
    for ty in 0..<((H + 1) / 2) {
      let p = m + ty * tilesW
      @inline(__always) func at(_ i: Int, _ j: Int) -> UnsafePointer<Float> { p + (4 * i + j) * stride }
      let m00 = at(0, 0), m01 = at(0, 1), m02 = at(0, 2), m03 = at(0, 3)
      let m10 = at(1, 0), m11 = at(1, 1), m12 = at(1, 2), m13 = at(1, 3)
      let m20 = at(2, 0), m21 = at(2, 1), m22 = at(2, 2), m23 = at(2, 3)
      let m30 = at(3, 0), m31 = at(3, 1), m32 = at(3, 2), m33 = at(3, 3)
      let oy = 2 * ty
      let r0 = plane + oy * W, r1 = r0 + W
      // Aᵀ m: rows s0 = m0 + m1 + m2, s1 = m1 − m2 − m3; then · A over the columns. Whole
      // tiles first (no branches, so the loop vectorizes), then a cropped last column/row.
      @inline(__always) func s0(_ tx: Int) -> SIMD4<Float> {
        SIMD4(m00[tx] + m10[tx] + m20[tx], m01[tx] + m11[tx] + m21[tx],
              m02[tx] + m12[tx] + m22[tx], m03[tx] + m13[tx] + m23[tx])
      }
      @inline(__always) func s1(_ tx: Int) -> SIMD4<Float> {
        SIMD4(m10[tx] - m20[tx] - m30[tx], m11[tx] - m21[tx] - m31[tx],
              m12[tx] - m22[tx] - m32[tx], m13[tx] - m23[tx] - m33[tx])
      }
      let second = oy + 1 < H
      for tx in 0..<evenW {
        let a = s0(tx)
        r0[2 * tx] = a[0] + a[1] + a[2] + bias
        r0[2 * tx + 1] = a[1] - a[2] - a[3] + bias
      }
      if second {
        for tx in 0..<evenW {
          let b = s1(tx)
          r1[2 * tx] = b[0] + b[1] + b[2] + bias
          r1[2 * tx + 1] = b[1] - b[2] - b[3] + bias
        }
      }
      if evenW < tilesW {  // odd W: the last tile has one column
        let a = s0(evenW)
        r0[2 * evenW] = a[0] + a[1] + a[2] + bias
        if second {
          let b = s1(evenW)
          r1[2 * evenW] = b[0] + b[1] + b[2] + bias
        }
      }
    }
  }
}
