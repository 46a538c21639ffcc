import CKernels

/// Winograd F(2×2, 3×3) for 3×3, stride-1, padding-1 convolutions
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
/// one (`winogradBackwardData`); the weight gradient is F(3×3, 2×2) (`winogradBackwardWeight`).
/// The tile and weight transforms are C kernels (CKernels' winograd_body.h).
extension Conv2dShape {
  /// Whether the convolution (forward and both gradients) runs through Winograd: 3×3 kernel, stride 1,
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
    // U[ξ][a][b] = G w[a, b] Gᵀ for the stored kernel's [A, B] = [K, C] (or [C, K] when
    // transposed), read in storage order.
    let (A, B) = transposedWeight ? (C, K) : (K, C)
    let u = Storage(uninitializedCount: 16 * A * B)
    let U = u.pointer
    let isa = SIMDLevel.current.isa
    parallelRanges(A, grain: max(1, 4096 / max(B, 1))) { rows in
      graft_winograd_weight(U, weight, Int64(A), Int64(B), Int64(rows.lowerBound), Int64(rows.upperBound), isa)
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
    let scratchCount = Int(graft_winograd_input_scratch_count(Int64(W)))
    parallelBatches(sh.batch) { chunk, images in
      let V = v.pointer + chunk * 16 * C * maxTiles, M = m.pointer + chunk * 16 * K * maxTiles
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
      defer { scratch.deallocate() }
      var n0 = images.lowerBound
      while n0 < images.upperBound {
        let n1 = min(n0 + groupImages, images.upperBound)
        let T = (n1 - n0) * tilesPerImage
        for n in n0..<n1 {
          for c in 0..<C {
            graft_winograd_input(V + c * T + (n - n0) * tilesPerImage, x + (n * C + c) * H * W,
                                 Int64(H), Int64(W), Int64(C * T), scratch, isa)
          }
        }
        for xi in 0..<16 {
          if transposedWeight {
            // The flipped kernel's element ξ is the stored kernel's `flippedElement[ξ]`, and the
            // swap of its channel axes ([C, K] stored, [K, C] wanted) is a transposed A.
            gemm(transA: true, transB: false, m: K, n: T, k: C, a: U + flippedElement[xi] * C * K, lda: K,
                 b: V + xi * C * T, ldb: T, c: M + xi * K * T, ldc: T)
          } else {
            gemm(transA: false, transB: false, m: K, n: T, k: C, a: U + xi * K * C, lda: C,
                 b: V + xi * C * T, ldb: T, c: M + xi * K * T, ldc: T)
          }
        }
        for n in n0..<n1 {
          for k in 0..<K {
            graft_winograd_output(y + (n * K + k) * H * W, M + k * T + (n - n0) * tilesPerImage, Int64(K * T),
                                  bias?[k] ?? 0, Int64(H), Int64(W), isa)
          }
        }
        n0 = n1
      }
    }
    withExtendedLifetime((u, v, m)) {}
  }

  /// Element ξ = 4i + j of the transform of a kernel flipped in both axes, as an element of the
  /// unflipped kernel's transform: G·J = Π·G with Π swapping rows 0 and 3, so (i, j) ↦ (π i, π j)
  /// with π = (3, 1, 2, 0).
  static let flippedElement: [Int] = (0..<16).map { xi in
    let pi = [3, 1, 2, 0]
    return 4 * pi[xi / 4] + pi[xi % 4]
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

  /// ∂L/∂W of a `usesWinograd` convolution by Winograd F(3×3, 2×2) (see winograd_body.h):
  /// per group of images, the 2×2 tiles of dY and the forward's 4×4 input tiles are transformed
  /// (split across threads by plane), then dU[ξ] (+)= dY′[ξ]·V[ξ]ᵀ, 16 GEMMs of [K, T]·[T, C]
  /// split across threads by ξ, so there is one dU, not one per thread; finally dW = Aᵀ dU A.
  /// 2.25× fewer multiply-adds than im2col's dY·colᵀ, and no [9C, P·Q] column matrix.
  static func winogradBackwardWeight(
    dWeight: UnsafeMutablePointer<Float>, dY: UnsafePointer<Float>, x: UnsafePointer<Float>, shape sh: Conv2dShape
  ) {
    let C = sh.inChannels, K = sh.outChannels, H = sh.geometry.height, W = sh.geometry.width
    let tilesPerImage = ((H + 1) / 2) * ((W + 1) / 2)
    // Images per group: V and dY′ together at most 2M floats (8 MB), at least one image.
    let groupImages = max(1, min(sh.batch, (2 << 20) / (16 * (C + K) * tilesPerImage)))
    let maxTiles = groupImages * tilesPerImage
    let du = Storage(uninitializedCount: 16 * K * C)  // dU[ξ][k][c]
    let v = Storage(uninitializedCount: 16 * C * maxTiles)  // V[ξ][c][t]
    let gy = Storage(uninitializedCount: 16 * K * maxTiles)  // dY′[ξ][k][t]
    let (DU, V, GY) = (du.pointer, v.pointer, gy.pointer)
    let isa = SIMDLevel.current.isa
    let scratchCount = Int(graft_winograd_input_scratch_count(Int64(W)))
    var n0 = 0
    while n0 < sh.batch {
      let n1 = min(n0 + groupImages, sh.batch), T = (n1 - n0) * tilesPerImage
      let planes = (n1 - n0) * (C + K)
      parallelRanges(planes, grain: max(1, 16_384 / max(H * W, 1))) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
        defer { scratch.deallocate() }
        for i in range {
          let (n, ch) = (n0 + i / (C + K), i % (C + K))
          let t0 = (n - n0) * tilesPerImage
          if ch < C {
            graft_winograd_input(V + ch * T + t0, x + (n * C + ch) * H * W, Int64(H), Int64(W), Int64(C * T),
                                 scratch, isa)
          } else {
            let k = ch - C
            graft_winograd_grad_output(GY + k * T + t0, dY + (n * K + k) * H * W, Int64(H), Int64(W), Int64(K * T), isa)
          }
        }
      }
      let beta: Float = n0 == 0 ? 0 : 1
      parallelRanges(16, grain: 1) { xis in
        for xi in xis {
          gemm(transA: false, transB: true, m: K, n: C, k: T, a: GY + xi * K * T, lda: T, b: V + xi * C * T, ldb: T,
               beta: beta, c: DU + xi * K * C, ldc: C)
        }
      }
      n0 = n1
    }
    parallelRanges(K, grain: max(1, 4096 / max(C, 1))) { ks in
      graft_winograd_weight_grad(dWeight, DU, Int64(K), Int64(C), Int64(ks.lowerBound), Int64(ks.upperBound), isa)
    }
    withExtendedLifetime((du, v, gy)) {}
  }
}
