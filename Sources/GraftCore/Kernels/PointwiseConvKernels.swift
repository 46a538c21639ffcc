extension Kernels {
  /// Output planes of at most this many pixels make a batch's 1×1 convolution one GEMM.
  static let foldedPointwisePlane = 256

  /// Whether `conv2dForward` runs the batch's 1×1 convolution as one GEMM
  /// (`pointwiseFoldedForward`): ungrouped, pointwise, more than one image, small planes, and not
  /// already inside a parallel loop (the fold's gain is the split of one big product).
  static func runsFoldedPointwise(_ sh: Conv2dShape) -> Bool {
    sh.geometry.isPointwise && sh.groups == 1 && sh.batch >= 2 && sh.outPlane <= foldedPointwisePlane
      && !Threads.insideParallelLoop
  }

  /// A 1×1 convolution of a whole batch as one product, `Y[K, N·PQ] = W[K, C] · X[C, N·PQ]`: the
  /// images' planes are gathered side by side, multiplied once and scattered back with the bias.
  ///
  /// Why: the late layers of MobileNets hold large weights against small planes (YAMNet's last,
  /// 1024×1024 against 3×2 pixels). One GEMM per image packs and streams the whole weight matrix
  /// for each image — 4 MB for 6 columns — and OpenBLAS's packing alone took 15 % of YAMNet's
  /// time; here it is packed once per batch, and the product's rows (output channels) are split
  /// across threads (`gemm`), so each thread reads half the weights once. Every output is the same
  /// dot product over C as the per-image GEMM's.
  static func pointwiseFoldedForward(
    y: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, shape sh: Conv2dShape, relu: Bool = false
  ) {
    let (N, C, K, PQ) = (sh.batch, sh.inChannels, sh.outChannels, sh.outPlane)
    let cols = N * PQ
    let xs = UnsafeMutablePointer<Float>.allocate(capacity: C * cols)  // [C, N·PQ]
    let ys = UnsafeMutablePointer<Float>.allocate(capacity: K * cols)  // [K, N·PQ]
    defer {
      xs.deallocate()
      ys.deallocate()
    }
    let grain = max(1, elementwiseGrain / max(cols, 1))
    parallelRanges(C, grain: grain) { channels in
      for c in channels {
        for n in 0..<N { (xs + c * cols + n * PQ).update(from: x + (n * C + c) * PQ, count: PQ) }
      }
    }
    gemm(transA: false, transB: false, m: K, n: cols, k: C, a: weight, lda: C, b: xs, ldb: cols, c: ys, ldc: cols)
    parallelRanges(K, grain: grain) { channels in
      for k in channels {
        let b = bias?[k] ?? 0
        for n in 0..<N {
          let src = ys + k * cols + n * PQ, dst = y + (n * K + k) * PQ
          if bias == nil {
            dst.update(from: src, count: PQ)
          } else {
            for i in 0..<PQ { dst[i] = src[i] + b }
          }
          if relu { rectify(dst, count: PQ) }
        }
      }
    }
  }
}
