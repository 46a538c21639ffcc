import GraftCore
import Testing
import _GraftTestSupport

/// `pad2d` and `ZeroPad2d` against an element-by-element definition, and their gradients.
@Suite struct PaddingTests {
  /// The definition: y[..., top + h, left + w] = x[..., h, w], zero elsewhere.
  static func naivePad(_ x: Tensor, _ p: Padding2d) -> Tensor {
    let H = x.shape[x.rank - 2], W = x.shape[x.rank - 1]
    let Ho = p.top + H + p.bottom, Wo = p.left + W + p.right
    var shape = x.shape
    shape[x.rank - 2] = Ho
    shape[x.rank - 1] = Wo
    let y = Tensor.zeros(shape)
    for i in 0..<(x.count / max(H * W, 1)) {
      for h in 0..<H {
        for w in 0..<W { y.data[(i * Ho + p.top + h) * Wo + p.left + w] = x.data[(i * H + h) * W + w] }
      }
    }
    return y
  }

  static let paddings: [Padding2d] = [
    .zero, Padding2d(symmetric: 1, 1), Padding2d(top: 0, bottom: 1, left: 0, right: 1),
    Padding2d(top: 2, bottom: 0, left: 3, right: 1), Padding2d(top: 0, bottom: 0, left: 0, right: 4),
    Padding2d(top: 3, bottom: 2, left: 0, right: 0),
  ]

  @Test(arguments: paddings)
  func matchesDefinition(_ p: Padding2d) {
    for shape in [[2, 3, 4, 5], [3, 1, 1], [5, 2]] {
      let x = randomTensor(shape, seed: 3)
      let y = pad2d(x, top: p.top, bottom: p.bottom, left: p.left, right: p.right)
      #expect(y.shape == Array(shape.dropLast(2)) + [shape[shape.count - 2] + p.top + p.bottom,
                                                    shape[shape.count - 1] + p.left + p.right])
      #expect(y.scalars == Self.naivePad(x, p).scalars, "\(shape) \(p)")
    }
  }

  /// Many planes on several threads: each plane must come out whole.
  @Test func manyPlanesOnThreads() {
    let x = randomTensor([3, 40, 9, 7], seed: 4)
    let p = Padding2d(top: 0, bottom: 1, left: 0, right: 1)
    for threads in [1, 2, 3] {
      let y = Threads.withCount(threads) { pad2d(x, p) }
      #expect(y.scalars == Self.naivePad(x, p).scalars, "\(threads) threads")
    }
  }

  @Test(arguments: paddings)
  func gradientIsACrop(_ p: Padding2d) throws {
    checkGradient([randomTensor([2, 2, 3, 4], seed: 5)]) { pad2d($0[0], p) }
    // Exactly a crop: the upstream gradient's interior, nothing from the border.
    let x = randomTensor([1, 2, 3, 4], seed: 6)
    x.requiresGrad = true
    let y = pad2d(x, p)
    let upstream = randomTensor(y.shape, seed: 7)
    y.backward(gradient: upstream)
    let g = try #require(x.grad)
    for c in 0..<2 {
      for h in 0..<3 {
        for w in 0..<4 {
          let expected = upstream.data[(c * y.shape[2] + p.top + h) * y.shape[3] + p.left + w]
          #expect(g.data[(c * 3 + h) * 4 + w] == expected)
        }
      }
    }
  }

  @Test func zeroPad2dLayer() {
    let layer = ZeroPad2d(top: 1, bottom: 2, left: 0, right: 3)
    #expect(layer.parameters().isEmpty && layer.stateDict().isEmpty)
    let x = randomTensor([2, 3, 4, 4], seed: 8)
    #expect(layer(x).scalars == Self.naivePad(x, Padding2d(top: 1, bottom: 2, left: 0, right: 3)).scalars)
    #expect(ZeroPad2d(2).padding == Padding2d(symmetric: 2, 2))
  }

  @Test func symmetricAndAsymmetricParts() {
    let p = Padding2d(top: 1, bottom: 2, left: 3, right: 1)
    #expect(!p.isSymmetric && Padding2d(symmetric: 2, 0).isSymmetric)
    #expect(p.symmetricPart == (1, 1))
    #expect(p.asymmetricPart == Padding2d(top: 0, bottom: 1, left: 2, right: 0))
  }
}
