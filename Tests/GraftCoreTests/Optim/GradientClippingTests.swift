import GraftCore
import Testing
import _GraftTestSupport

extension Optim {
  @Suite struct GradientClippingTests {
    @Test func matchesClipGradNorm() throws {
      let fixture = try OptimFixtures.load("clip_grad_norm", as: ClipFixture.self)
      #expect(fixture.cases.count == 5)
      var clippedSome = false, leftSome = false
      for (index, c) in fixture.cases.enumerated() {
        var params: [String: Tensor] = [:]
        for (name, shape) in fixture.shapes {
          let p = Tensor.zeros(shape, requiresGrad: true)
          if let g = c.grads[name] { p.grad = Tensor(shape: shape, g) }
          params[name] = p
        }
        let before = params.mapValues { $0.grad?.scalars }
        let total = clipGradientNorm(["p0", "p1", "p2"].map { params[$0]! }, maxNorm: c.maxNorm)
        expectRelativelyClose([total], [c.totalNorm], relative: 1e-6, "case \(index) total norm")
        #expect(params["p2"]!.grad == nil)  // no gradient: ignored, not created
        for (name, expected) in c.clipped {
          expectRelativelyClose(params[name]!.grad!.scalars, expected, relative: 1e-6, "case \(index) \(name)")
        }
        if c.totalNorm > c.maxNorm { clippedSome = true } else {
          leftSome = true
          #expect(params.mapValues { $0.grad?.scalars } == before, "case \(index): unclipped gradients changed")
        }
      }
      #expect(clippedSome && leftSome)  // the fixture covers both sides of the threshold
    }

    @Test func noGradientsGiveZero() {
      let p = Tensor.ones([3], requiresGrad: true)
      #expect(clipGradientNorm([p], maxNorm: 1) == 0)
      #expect(p.grad == nil)
    }

    @Test func largeGradientsUseTheL2NormOfEverything() {
      // 3·10⁵ elements of 1 and one of 2: norm² = 300 000 + 4, clipped to norm 1 exactly.
      let a = Tensor.zeros([300_000], requiresGrad: true), b = Tensor.zeros([1], requiresGrad: true)
      a.grad = Tensor.ones([300_000])
      b.grad = Tensor(shape: [1], [2])
      let total = clipGradientNorm([a, b], maxNorm: 1)
      assertClose([total], [Float(Double(300_004).squareRoot())], tolerance: 1e-7)
      let coefficient = Float(1) / (total + 1e-6)
      #expect(a.grad!.scalars.allSatisfy { $0 == coefficient })
      #expect(b.grad!.scalars == [2 * coefficient])
    }
  }
}
