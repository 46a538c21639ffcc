import GraftCore
import Testing
import _GraftTestSupport

@Suite struct TapeTests {
  @Test func gradientsAccumulateAcrossBackwardCalls() {
    let w = Tensor(shape: [2], [1, 2], requiresGrad: true)
    (w * w).sum().backward()
    #expect(w.grad?.scalars == [2, 4])
    (w * 3).sum().backward()
    #expect(w.grad?.scalars == [5, 7])  // += as PyTorch does
  }

  @Test func sharedInputsSumTheirContributions() {
    // y = x·x + x: dy/dx = 2x + 1 (the diamond in the graph).
    let x = Tensor(shape: [3], [1, -2, 0.5], requiresGrad: true)
    let y = x * x + x
    y.sum().backward()
    #expect(x.grad?.scalars == [3, -3, 2])
  }

  @Test func constantsGetNoGradientAndRecordNothing() {
    let a = randomTensor([3, 3]), b = randomTensor([3, 3], seed: 2)
    let (c, recorded) = BackwardNode.counting { matmul(a, b).relu().sum() }
    #expect(c.gradFn == nil && !c.requiresGrad)
    #expect(recorded == 0)
  }

  @Test func noGradScopeRecordsNothing() {
    let w = randomTensor([4, 4])
    w.requiresGrad = true
    let (y, recorded) = BackwardNode.counting { withoutGradients { matmul(w, w).tanh().sum() } }
    #expect(y.gradFn == nil && !y.requiresGrad)
    #expect(recorded == 0)
    #expect(w.grad == nil)
    #expect(BackwardNode.counting { matmul(w, w).tanh().sum() }.recorded == 3)  // the counter does count
  }

  @Test func frozenBaseCostsOneForwardAndGetsNoGradientBuffers() {
    // base: conv → BN → relu → pool (frozen); head: linear (trainable).
    let convW = randomTensor([4, 3, 3, 3], seed: 1, scale: 0.3)
    let bnW = Tensor.ones([4]), bnB = Tensor.zeros([4])
    let mean = Tensor.zeros([4]), variance = Tensor.ones([4])
    let headW = randomTensor([2, 4], seed: 2)
    headW.requiresGrad = true
    let x = randomTensor([2, 3, 8, 8], seed: 3)
    let (features, recorded) = BackwardNode.counting {
      globalAveragePool2d(batchNorm(conv2d(x, weight: convW, padding: (1, 1)), weight: bnW, bias: bnB,
                                    runningMean: mean, runningVar: variance, useBatchStatistics: false).relu())
        .flattened()
    }
    #expect(recorded == 0)  // the frozen part recorded nothing
    #expect(features.gradFn == nil)
    let loss = crossEntropy(logits: matmul(features, headW, transposeB: true), labels: [0, 1])
    loss.backward()
    #expect(headW.grad != nil)
    for frozen in [convW, bnW, bnB, x] { #expect(frozen.grad == nil) }
  }

  @Test func graphIsFreedAfterBackward() {
    let w = Tensor(shape: [2], [1, 2], requiresGrad: true)
    let y = (w * w).sum()
    y.backward()
    #expect(y.gradFn == nil)
  }

  @Test func vectorBackwardTakesAnUpstreamGradient() {
    let x = Tensor(shape: [3], [1, 2, 3], requiresGrad: true)
    let y = x * 2
    y.backward(gradient: Tensor(shape: [3], [1, 0, -1]))
    #expect(x.grad?.scalars == [2, 0, -2])
  }
}
