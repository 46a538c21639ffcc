import GraftCore
import Testing
import _GraftTestSupport

@Suite struct GRUTests {
  @Test(arguments: ["gru_1layer", "gru_bi_lengths"])
  func matchesPyTorch(_ name: String) throws {
    let fixture = try RNNFixture.load(name)
    let p = fixture.meta.params
    #expect(p.mode == "GRU")
    var g = Generator(seed: 1)
    let gru = GRU(inputSize: p.inputSize, hiddenSize: p.hiddenSize, layers: p.layers,
                  bidirectional: p.bidirectional, using: &g)
    try fixture.check(gru) { x, lengths, h0, _ in
      let (y, h) = gru(x, lengths: lengths, initial: h0)
      return [("output", y), ("h_n", h)]
    }
  }

  @Test func keysAndShapes() {
    var g = Generator(seed: 2)
    let gru = GRU(inputSize: 3, hiddenSize: 4, layers: 2, using: &g)
    #expect(gru.namedParameters().map(\.0) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                               "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1"])
    #expect(gru.weights(layer: 0).ih.shape == [12, 3] && gru.weights(layer: 1).ih.shape == [12, 4])
    let (y, h) = gru(randomTensor([2, 5, 3], seed: 3))
    #expect(y.shape == [2, 5, 4] && h.shape == [2, 2, 4])
  }

  @Test func finiteDifferences() {
    var g = Generator(seed: 4)
    let gru = GRU(inputSize: 2, hiddenSize: 3, layers: 2, bidirectional: true, using: &g)
    let x = randomTensor([2, 3, 2], seed: 5)
    let h0 = randomTensor([4, 2, 3], seed: 6, scale: 0.5)
    checkGradient([x, h0] + gru.parameters(), epsilon: 1e-2, tolerance: 2e-2) { t in
      let (y, h) = gru(t[0], lengths: [2, 3], initial: t[1])
      return Tensor.concat([y.reshaped([-1]), h.reshaped([-1])], axis: 0)
    }
  }

  @Test(arguments: [(batch: 3, steps: 5, lengths: [Int]?.none), (batch: 700, steps: 3, lengths: nil),
                    (batch: 5, steps: 6, lengths: [2, 6, 1, 4, 6])])
  func matchesReference(_ c: (batch: Int, steps: Int, lengths: [Int]?)) {
    var g = Generator(seed: 7)
    let gru = GRU(inputSize: 5, hiddenSize: 33, layers: 2, bidirectional: true, using: &g)
    RecurrentReference.compare(gru, lstm: false, batch: c.batch, steps: c.steps, lengths: c.lengths,
                               initial: c.lengths != nil, seed: 8)
  }

  /// Every instruction set of the C gate kernels this CPU has against the reference (values
  /// and gradients): 13 rows over two threads' worth, hidden 37 (whole vectors and a partial
  /// one at every width), padded rows, both directions; inference equals training.
  @Test(arguments: SIMDLevel.available)
  func everySIMDLevelMatchesReference(_ level: SIMDLevel) {
    SIMDLevel.withLevel(level) {
      #expect(SIMDLevel.current == level)
      var g = Generator(seed: 11)
      let gru = GRU(inputSize: 5, hiddenSize: 37, bidirectional: true, using: &g)
      let lengths = [4, 1, 3, 4, 2, 4, 4, 1, 4, 3, 4, 2, 4]
      RecurrentReference.compare(gru, lstm: false, batch: 13, steps: 4, lengths: lengths, initial: true, seed: 12)
      let x = randomTensor([13, 4, 5], seed: 13)
      let trained = gru(x, lengths: lengths)
      let inferred = withoutGradients { gru(x, lengths: lengths) }
      #expect(trained.output.scalars == inferred.output.scalars && trained.h.scalars == inferred.h.scalars)
    }
  }

  @Test func dropoutBetweenLayersOnlyWhileTraining() {
    var g = Generator(seed: 9)
    let gru = GRU(inputSize: 3, hiddenSize: 8, layers: 3, dropout: 0.3, using: &g)
    let x = randomTensor([2, 4, 3], seed: 10)
    let trained = gru(x).output.scalars
    gru.eval()
    let first = gru(x).output.scalars
    #expect(first == gru(x).output.scalars)
    #expect(trained != first)
    gru.train()
    gru.freeze()
    #expect(gru(x).output.scalars == first)  // frozen: no dropout
  }
}
