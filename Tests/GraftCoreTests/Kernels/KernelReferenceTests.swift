@testable import GraftCore
import Testing
import _GraftTestSupport

/// Fast kernels against their naive twins on odd shapes.
@Suite struct KernelReferenceTests {
  @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 65, 63)])
  func gemmMatchesReference(_ size: (Int, Int, Int)) {
    let (m, n, k) = size
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let a = randomTensor(ta ? [k, m] : [m, k], seed: 1), b = randomTensor(tb ? [n, k] : [k, n], seed: 2)
      let c1 = randomTensor([m, n], seed: 3), c2 = c1.copy()
      Kernels.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: ta ? m : k,
                   b: b.data, ldb: tb ? k : n, beta: 2, c: c1.data, ldc: n)
      Kernels.gemmReference(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 0.5, a: a.data, lda: ta ? m : k,
                            b: b.data, ldb: tb ? k : n, beta: 2, c: c2.data, ldc: n)
      assertClose(c1, c2, tolerance: 1e-4, "gemm \(size) ta=\(ta) tb=\(tb)")
    }
  }

  /// Direct 7-loop convolution, the definition.
  static func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: (Int, Int),
                        dilation: (Int, Int), groups: Int) -> Tensor {
    let (N, C, H, W) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (K, Cg, R, S) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
    let P = (H + 2 * padding.0 - dilation.0 * (R - 1) - 1) / stride.0 + 1
    let Q = (W + 2 * padding.1 - dilation.1 * (S - 1) - 1) / stride.1 + 1
    let y = Tensor.zeros([N, K, P, Q])
    let Kg = K / groups
    for n in 0..<N { for k in 0..<K { for p in 0..<P { for q in 0..<Q {
      var acc: Float = b?.data[k] ?? 0
      let g = k / Kg
      for cg in 0..<Cg { for r in 0..<R { for s in 0..<S {
        let ih = p * stride.0 - padding.0 + r * dilation.0, iw = q * stride.1 - padding.1 + s * dilation.1
        if ih >= 0 && ih < H && iw >= 0 && iw < W {
          let c = g * Cg + cg
          acc += x.data[((n * C + c) * H + ih) * W + iw] * w.data[((k * Cg + cg) * R + r) * S + s]
        }
      } } }
      y.data[((n * K + k) * P + p) * Q + q] = acc
    } } } }
    return y
  }

  /// Batches of 5 and 7 on 1, 2 and 3 threads: uneven shares of images per thread, with groups,
  /// pointwise and strided cases; every result must still be the definition's.
  @Test(arguments: GradientCheckTests.convCases)
  func threadedConv2dMatchesDefinition(_ c: GradientCheckTests.ConvCase) {
    for batch in [5, 7] {
      var input = c.input
      input[0] = batch
      let x = randomTensor(input, seed: 7), w = randomTensor(c.weight, seed: 8), b = randomTensor([c.weight[0]], seed: 9)
      let slow = Self.naiveConv(x, w, b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
      for threads in [1, 2, 3] {
        let fast = Threads.withCount(threads) {
          conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        }
        assertClose(fast, slow, tolerance: 1e-5, "batch \(batch), \(threads) threads")
      }
    }
  }

  /// 3×3 / stride 1 / padding 1 with 16+ channels runs Winograd F(2×2, 3×3): odd and even
  /// planes (cropped edge tiles), 1×1 and 2×2 planes, planes wider than two AVX-512 vectors of
  /// tiles (whole vectors and a tail in the C transforms), several images per transform group,
  /// 1 and 2 threads, with and without bias, every SIMD level of the tile transforms; values,
  /// the input gradient and the weight gradient against the definition.
  @Test(arguments: [(n: 3, c: 17, k: 19, h: 7, w: 9), (n: 2, c: 16, k: 32, h: 8, w: 8),
                    (n: 5, c: 24, k: 16, h: 1, w: 1), (n: 40, c: 16, k: 16, h: 2, w: 3),
                    (n: 1, c: 16, k: 17, h: 5, w: 71), (n: 2, c: 16, k: 16, h: 6, w: 64)])
  func winogradConvMatchesDefinition(_ s: (n: Int, c: Int, k: Int, h: Int, w: Int)) {
    for level in SIMDLevel.available {
      SIMDLevel.withLevel(level) { winogradConvMatchesDefinition(s, level) }
    }
  }

  func winogradConvMatchesDefinition(_ s: (n: Int, c: Int, k: Int, h: Int, w: Int), _ level: SIMDLevel) {
    let x = randomTensor([s.n, s.c, s.h, s.w], seed: 31), w = randomTensor([s.k, s.c, 3, 3], seed: 32)
    let b = randomTensor([s.k], seed: 33)
    let geometry = ConvGeometry(channels: s.c, height: s.h, width: s.w, kernel: (3, 3), stride: (1, 1), padding: (1, 1))
    #expect(Conv2dShape(batch: s.n, groups: 1, outChannels: s.k, geometry: geometry).usesWinograd)
    for bias in [b, nil] {
      let slow = Self.naiveConv(x, w, bias, stride: (1, 1), padding: (1, 1), dilation: (1, 1), groups: 1)
      for threads in [1, 2] {
        let fast = Threads.withCount(threads) { conv2d(x, weight: w, bias: bias, padding: (1, 1)) }
        // Winograd rounds differently from the direct sum: a few ulps of values around 5.
        assertClose(fast, slow, tolerance: 2e-5, "\(s) \(level) \(threads) threads bias \(bias != nil)")
      }
    }
    // ∂L/∂x (Winograd on the flipped kernels) against the transposed convolution by definition.
    let xg = x.copy(), wg = w.copy()
    xg.requiresGrad = true
    wg.requiresGrad = true
    let dY = randomTensor([s.n, s.k, s.h, s.w], seed: 34)
    (conv2d(xg, weight: wg, padding: (1, 1)) * dY).sum().backward()
    // ∂L/∂W (Winograd F(3×3, 2×2)) against the correlation of x with dY by definition.
    var expectedW = [Float](repeating: 0, count: w.count)
    for k in 0..<s.k { for c in 0..<s.c { for r in 0..<3 { for q in 0..<3 {
      var sum: Float = 0
      for n in 0..<s.n { for p in 0..<s.h { for o in 0..<s.w {
        let (h, x0) = (p + r - 1, o + q - 1)
        guard h >= 0 && h < s.h && x0 >= 0 && x0 < s.w else { continue }
        sum += dY.data[((n * s.k + k) * s.h + p) * s.w + o] * x.data[((n * s.c + c) * s.h + h) * s.w + x0]
      } } }
      expectedW[((k * s.c + c) * 3 + r) * 3 + q] = sum
    } } } }
    // Sums of N·H·W products in another order: errors relative to the largest entry.
    let scaleW = expectedW.map(abs).max()!
    let errW = zip(wg.grad!.scalars, expectedW).map { abs($0 - $1) }.max()! / scaleW
    #expect(errW < 1e-5, "dW \(s) \(level): error \(errW) of the largest entry \(scaleW)")
    var expected = [Float](repeating: 0, count: x.count)
    for n in 0..<s.n { for c in 0..<s.c { for h in 0..<s.h { for x0 in 0..<s.w {
      var sum: Float = 0
      for k in 0..<s.k { for r in 0..<3 { for q in 0..<3 {
        let (p, o) = (h - r + 1, x0 - q + 1)
        guard p >= 0 && p < s.h && o >= 0 && o < s.w else { continue }
        sum += dY.data[((n * s.k + k) * s.h + p) * s.w + o] * w.data[((k * s.c + c) * 3 + r) * 3 + q]
      } } }
      expected[((n * s.c + c) * s.h + h) * s.w + x0] = sum
    } } } }
    // Sums of up to 9·K products in a different order: a few float ulps of values around 5.
    assertClose(xg.grad!, Tensor(shape: x.shape, expected), tolerance: 5e-5, "dX \(s) \(level)")
  }

  /// Stride-2 convolutions (ResNet's stem, downsampling 3×3 and 1×1) copy every other pixel of
  /// a row into im2col with a vector kernel: rows narrower than a vector and wider than two,
  /// paddings 0–3, every SIMD level, against the definition.
  @Test func stride2ConvolutionsMatchDefinition() {
    for level in SIMDLevel.available {
      for (h, w) in [(7, 5), (9, 40), (5, 67)] {
        for (k, pad) in [(7, 3), (3, 1), (1, 0)] where h + 2 * pad >= k {
          let x = randomTensor([2, 3, h, w], seed: UInt64(h + w + k)), weight = randomTensor([4, 3, k, k], seed: 37)
          let fast = SIMDLevel.withLevel(level) { conv2d(x, weight: weight, stride: (2, 2), padding: (pad, pad)) }
          let slow = Self.naiveConv(x, weight, nil, stride: (2, 2), padding: (pad, pad), dilation: (1, 1), groups: 1)
          assertClose(fast, slow, tolerance: 1e-5, "\(level) \(h)x\(w) k\(k) pad \(pad)")
        }
      }
    }
  }

  /// Depthwise 3×3 (MobileNet's) runs vector kernels per plane, forward and both gradients:
  /// strides 1 and 2, paddings 0–2, depth multipliers 1 and 2, planes narrower than a vector and
  /// wider than two (masked edges, whole vectors), every SIMD level, against the definition.
  /// Infinite pixels in columns no window reads (stride 2, even width, no padding) must not
  /// reach the weight gradient.
  /// The 5x5 depthwise forward (C kernel, every SIMD level; EfficientAT's mn04 has six such
  /// layers) against the definition: strides 1 and 2, paddings 0–3, widths narrower and wider
  /// than a vector, depth multipliers 1 and 2.
  @Test func depthwise5x5ForwardMatchesDefinition() {
    for level in SIMDLevel.available {
      for (h, w) in [(5, 6), (9, 37), (6, 70)] {
        for stride in [1, 2] {
          for pad in [0, 2, 3] {
            for multiplier in [1, 2] {
              let what = "\(level) 5x5 \(h)x\(w) stride \(stride) pad \(pad) ×\(multiplier)"
              let x = randomTensor([2, 3, h, w], seed: UInt64(h * w + stride + 7))
              let weight = randomTensor([3 * multiplier, 1, 5, 5], seed: 45), b = randomTensor([3 * multiplier], seed: 46)
              let slow = Self.naiveConv(x, weight, b, stride: (stride, stride), padding: (pad, pad), dilation: (1, 1),
                                        groups: 3)
              let fast = SIMDLevel.withLevel(level) {
                withoutGradients { conv2d(x, weight: weight, bias: b, stride: (stride, stride), padding: (pad, pad), groups: 3) }
              }
              assertClose(fast, slow, tolerance: 1e-5, what)
            }
          }
        }
      }
    }
  }

  @Test func depthwise3x3MatchesDefinition() {
    for level in SIMDLevel.available {
      for (h, w) in [(5, 6), (9, 37), (4, 70)] {
        for stride in [1, 2] {
          for pad in [0, 1, 2] {
            for multiplier in [1, 2] {
              let what = "\(level) \(h)x\(w) stride \(stride) pad \(pad) ×\(multiplier)"
              let x = randomTensor([2, 3, h, w], seed: UInt64(h * w + stride))
              let g = ConvGeometry(channels: 1, height: h, width: w, kernel: (3, 3), stride: (stride, stride),
                                   padding: (pad, pad))
              let unread = stride == 2 && pad == 0 && w % 2 == 0  // the last column is in no window
              if unread { for row in 0..<(6 * h) { x.data[row * w + w - 1] = .infinity } }
              let weight = randomTensor([3 * multiplier, 1, 3, 3], seed: 35), b = randomTensor([3 * multiplier], seed: 36)
              let slow = Self.naiveConv(x, weight, b, stride: (stride, stride), padding: (pad, pad), dilation: (1, 1),
                                        groups: 3)
              let xg = x.copy(), wg = weight.copy()
              xg.requiresGrad = true
              wg.requiresGrad = true
              let upstream = randomTensor(slow.shape, seed: 38)
              let fast = SIMDLevel.withLevel(level) {
                let y = conv2d(xg, weight: wg, bias: b, stride: (stride, stride), padding: (pad, pad), groups: 3)
                (y * upstream).sum().backward()
                return y
              }
              assertClose(fast, slow, tolerance: 1e-5, what)
              // Gradients by definition: every (image, filter, output position, tap) once.
              var dX = [Float](repeating: 0, count: x.count), dW = [Float](repeating: 0, count: weight.count)
              let (K, P, Q) = (3 * multiplier, g.outHeight, g.outWidth)
              for n in 0..<2 { for k in 0..<K { for p in 0..<P { for q in 0..<Q { for r in 0..<3 { for t in 0..<3 {
                let (ih, iw) = (p * stride - pad + r, q * stride - pad + t)
                guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                let dy = upstream.data[((n * K + k) * P + p) * Q + q], xi = ((n * 3 + k / multiplier) * h + ih) * w + iw
                dW[k * 9 + r * 3 + t] += dy * x.data[xi]
                dX[xi] += dy * weight.data[k * 9 + r * 3 + t]
              } } } } } }
              assertClose(xg.grad!, Tensor(shape: x.shape, dX), tolerance: 1e-5, "dX " + what)
              // Sums of up to 2·P·Q products, both sides in float32 in different orders.
              assertClose(wg.grad!, Tensor(shape: weight.shape, dW), tolerance: 1e-4, "dW " + what)
            }
          }
        }
      }
    }
  }

  @Test(arguments: GradientCheckTests.convCases)
  func conv2dMatchesDefinition(_ c: GradientCheckTests.ConvCase) {
    let x = randomTensor(c.input, seed: 4), w = randomTensor(c.weight, seed: 5), b = randomTensor([c.weight[0]], seed: 6)
    let fast = conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    let slow = Self.naiveConv(x, w, b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    assertClose(fast, slow, tolerance: 1e-5)
  }

  @Test func parallelPathsAgreeWithSingleThread() {
    // Large enough to split across threads.
    let a = randomTensor([300, 257], seed: 7), b = randomTensor([257], seed: 8)
    let x = randomTensor([2, 8, 40, 40], seed: 9)
    let w = randomTensor([5, 8, 3, 3], seed: 10)
    func run() -> [[Float]] {
      [(a * b).scalars, a.sum(axis: 0).scalars, maxPool2d(x, kernel: (3, 3), stride: (2, 2), padding: (1, 1)).scalars,
       x.permuted([0, 2, 3, 1]).scalars, matmul(a, a, transposeB: true).scalars,
       conv2d(x, weight: w, padding: (1, 1)).scalars]
    }
    let r1 = Threads.withCount(1) { run() }
    let r4 = Threads.withCount(4) { run() }
    #expect(r1.count == r4.count)
    // Elementwise, reduction, pooling and copy loops split without changing any arithmetic.
    for i in 0..<4 { #expect(r1[i] == r4[i], "result \(i)") }
    // Split GEMMs may block the sum differently: rounding-level differences only.
    for i in 4..<6 { assertClose(r1[i], r4[i], tolerance: 1e-4, "result \(i)") }
  }

  @Test func poolingValues() {
    let x = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])
    #expect(maxPool2d(x, kernel: (2, 2)).scalars == [5, 7, 13, 15])
    #expect(avgPool2d(x, kernel: (2, 2)).scalars == [2.5, 4.5, 10.5, 12.5])
    // Padding counted (PyTorch default) vs not: corner window sees 1 real value of 4.
    #expect(avgPool2d(x, kernel: (2, 2), stride: (2, 2), padding: (1, 1)).scalars.first == 0)
    #expect(avgPool2d(x, kernel: (2, 2), stride: (2, 2), padding: (1, 1), countIncludePad: false).scalars.first == 0)
    #expect(avgPool2d(x + 1, kernel: (2, 2), stride: (2, 2), padding: (1, 1)).scalars.first == 0.25)
    #expect(avgPool2d(x + 1, kernel: (2, 2), stride: (2, 2), padding: (1, 1), countIncludePad: false).scalars.first == 1)
    // Ceil mode adds the partial last window.
    #expect(maxPool2d(Tensor.arange(0, 25).reshaped([1, 1, 5, 5]), kernel: (2, 2), ceilMode: true).shape == [1, 1, 3, 3])
    #expect(globalAveragePool2d(x).scalars == [7.5])
  }

  /// The values-only max-pool (inference) against the indexed one (training) and a naive loop,
  /// over kernels, strides, paddings and ceil mode, with NaNs planted in the input.
  @Test func maxPoolValuesMatchIndexedPath() {
    let geometries: [(k: (Int, Int), s: (Int, Int), p: (Int, Int), ceil: Bool)] = [
      ((3, 3), (2, 2), (1, 1), false), ((3, 3), (2, 2), (1, 1), true), ((3, 2), (1, 2), (1, 0), false),
      ((2, 2), (2, 2), (0, 0), true), ((5, 5), (3, 3), (2, 2), true), ((4, 4), (1, 1), (2, 2), false),
      ((7, 7), (2, 2), (3, 3), false),
    ]
    // Widths 37 and 40 run the stride-2 octet path (eight columns at a time) and its scalar
    // edges; the second tensor of each size holds small integers, so windows tie and the
    // first tap in the scalar loop's order must win.
    for (h, w, ties) in [(7, 9, false), (12, 12, false), (5, 3, false), (8, 2, false), (5, 37, false), (6, 40, true),
                         (3, 37, true)] {
      let x = randomTensor([2, 3, h, w], seed: UInt64(h * 31 + w))
      if ties { for i in 0..<x.count { x.data[i] = (x.data[i] * 2).rounded() } }
      x.data[4] = .nan
      x.data[x.count - 2] = .nan
      for gm in geometries where gm.k.0 <= h + 2 * gm.p.0 && gm.k.1 <= w + 2 * gm.p.1 {
        let g = PoolGeometry(height: h, width: w, kernel: gm.k, stride: gm.s, padding: gm.p, ceilMode: gm.ceil)
        let count = 6 * g.outHeight * g.outWidth
        var fast = [Float](repeating: 0, count: count), indexed = fast
        var argmax = [Int32](repeating: 0, count: count)
        fast.withUnsafeMutableBufferPointer { Kernels.maxPoolForward(y: $0.baseAddress!, argmax: nil, x: x.data, planes: 6, g) }
        indexed.withUnsafeMutableBufferPointer { y in
          argmax.withUnsafeMutableBufferPointer {
            Kernels.maxPoolForward(y: y.baseAddress!, argmax: $0.baseAddress!, x: x.data, planes: 6, g)
          }
        }
        // Naive: the maximum of the window's in-image values, NaN if any is NaN.
        // Naive index: PyTorch's rule in row-major tap order (greater or NaN replaces).
        var naive = [Float](), naiveIndex = [Int32]()
        for plane in 0..<6 {
          for p in 0..<g.outHeight {
            for q in 0..<g.outWidth {
              var values: [Float] = []
              var best = -Float.infinity, at = -1
              for r in 0..<gm.k.0 {
                for c in 0..<gm.k.1 {
                  let hh = p * gm.s.0 - gm.p.0 + r, ww = q * gm.s.1 - gm.p.1 + c
                  if hh >= 0 && hh < h && ww >= 0 && ww < w {
                    let v = x.data[plane * h * w + hh * w + ww]
                    values.append(v)
                    if at < 0 || v > best || v.isNaN { best = v; at = hh * w + ww }
                  }
                }
              }
              naive.append(values.contains { $0.isNaN } ? .nan : values.max()!)
              naiveIndex.append(Int32(at))
            }
          }
        }
        #expect(argmax == naiveIndex, "argmax \(h)x\(w) \(gm)")
        let same = { (a: [Float], b: [Float]) in zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) } }
        #expect(same(fast, naive), "values-only \(h)x\(w) \(gm)")
        #expect(same(indexed, naive), "indexed \(h)x\(w) \(gm)")
        #expect(fast.contains { $0.isNaN })
        for (i, a) in argmax.enumerated() {
          let plane = i / (g.outHeight * g.outWidth)
          let v = x.data[plane * h * w + Int(a)]
          #expect(v == indexed[i] || (v.isNaN && indexed[i].isNaN), "argmax \(i) \(h)x\(w) \(gm)")
        }
      }
    }
  }
}
