import GraftCore
import Testing
import _GraftTestSupport

/// The inference paths of `conv2d`: depthwise 3×3 on small planes as flat vector runs, a batch's
/// 1×1 convolution as one product, and the ReLU rectified inside the kernels — each against the
/// definition (`KernelReferenceTests.naiveConv`) or the unfused ops.
@Suite struct ConvInferenceKernelTests {
  /// Stride 1, padding 1 on planes narrower than a vector (flat kernel at AVX2 and AVX-512 when
  /// H·W ≤ 256; row kernel otherwise): single pixels, single rows and columns, YAMNet's 6×4 and
  /// 3×2, a 255-pixel plane, with and without bias, 1 and 2 threads, every SIMD level.
  @Test func smallPlaneDepthwiseMatchesDefinition() {
    for level in SIMDLevel.available {
      for (h, w) in [(1, 1), (1, 5), (5, 1), (6, 4), (3, 2), (7, 7), (17, 15), (40, 3)] {
        for withBias in [true, false] {
          let x = randomTensor([2, 5, h, w], seed: UInt64(h * 31 + w))
          let weight = randomTensor([5, 1, 3, 3], seed: 11), b = withBias ? randomTensor([5], seed: 12) : nil
          let slow = KernelReferenceTests.naiveConv(x, weight, b, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 5)
          for threads in [1, 2] {
            let fast = SIMDLevel.withLevel(level) {
              Threads.withCount(threads) { withoutGradients { conv2d(x, weight: weight, bias: b, padding: (1, 1), groups: 5) } }
            }
            assertClose(fast, slow, tolerance: 1e-5, "\(level) \(h)x\(w) bias \(withBias) \(threads) threads")
          }
        }
      }
    }
  }

  /// A batch's 1×1 convolution with small planes is one GEMM (gathered, multiplied, scattered):
  /// the same values as each image alone (per-image GEMM), with and without bias.
  @Test(arguments: [(n: 2, c: 3, k: 5, h: 1, w: 1), (n: 8, c: 64, k: 96, h: 6, w: 4), (n: 3, c: 17, k: 33, h: 16, w: 16),
                    (n: 4, c: 8, k: 8, h: 17, w: 16)])
  func batchedPointwiseEqualsEachImage(_ s: (n: Int, c: Int, k: Int, h: Int, w: Int)) {
    let x = randomTensor([s.n, s.c, s.h, s.w], seed: 21), weight = randomTensor([s.k, s.c, 1, 1], seed: 22)
    for b in [randomTensor([s.k], seed: 23), nil] {
      let batched = withoutGradients { conv2d(x, weight: weight, bias: b) }
      let slow = KernelReferenceTests.naiveConv(x, weight, b, stride: (1, 1), padding: (0, 0), dilation: (1, 1), groups: 1)
      assertClose(batched, slow, tolerance: 1e-5, "\(s) against the definition")
      for i in 0..<s.n {
        let one = withoutGradients { conv2d(x.slice(axis: 0, start: i, count: 1), weight: weight, bias: b) }
        assertClose(batched.slice(axis: 0, start: i, count: 1), one, tolerance: 1e-5, "\(s) image \(i)")
      }
    }
  }

  /// `relu: true` equals `conv2d(…).relu()` on every path (depthwise flat and by rows, strided,
  /// batched and per-image 1×1, im2col, Winograd), and with gradients recorded it is the two ops,
  /// gradients included.
  @Test func fusedReLUEqualsConvolutionThenReLU() {
    let cases: [(input: [Int], weight: [Int], stride: Int, padding: Int, groups: Int)] = [
      ([2, 4, 6, 4], [4, 1, 3, 3], 1, 1, 4),      // depthwise, flat
      ([2, 4, 9, 37], [4, 1, 3, 3], 2, 1, 4),     // depthwise by rows, stride 2
      ([3, 6, 4, 4], [7, 6, 1, 1], 1, 0, 1),      // 1×1, batched
      ([1, 6, 20, 20], [7, 6, 1, 1], 1, 0, 1),    // 1×1, per image
      ([2, 3, 8, 9], [5, 3, 3, 3], 2, 1, 1),      // im2col
      ([2, 16, 8, 8], [16, 16, 3, 3], 1, 1, 1),   // Winograd
    ]
    for c in cases {
      let x = randomTensor(c.input, seed: 31), w = randomTensor(c.weight, seed: 32), b = randomTensor([c.weight[0]], seed: 33)
      let (st, pad) = ((c.stride, c.stride), (c.padding, c.padding))
      let twoOps = withoutGradients { conv2d(x, weight: w, bias: b, stride: st, padding: pad, groups: c.groups).relu() }
      let fused = withoutGradients { conv2d(x, weight: w, bias: b, stride: st, padding: pad, groups: c.groups, relu: true) }
      #expect(fused.scalars == twoOps.scalars, "\(c)")
      #expect(fused.scalars.contains(0) && fused.scalars.allSatisfy { $0 >= 0 }, "\(c): some outputs rectified")
      // Recorded: the ops' own gradients.
      let xg = x.copy(), xr = x.copy()
      xg.requiresGrad = true
      xr.requiresGrad = true
      let upstream = randomTensor(twoOps.shape, seed: 34)
      (conv2d(xg, weight: w, bias: b, stride: st, padding: pad, groups: c.groups, relu: true) * upstream).sum().backward()
      (conv2d(xr, weight: w, bias: b, stride: st, padding: pad, groups: c.groups).relu() * upstream).sum().backward()
      #expect(xg.grad!.scalars == xr.grad!.scalars, "\(c) gradient")
    }
  }
}
