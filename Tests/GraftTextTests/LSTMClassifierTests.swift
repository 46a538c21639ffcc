import GraftCore
import GraftText
import Testing
import _GraftTestSupport

@Suite struct LSTMClassifierTests {
  static func model(_ pooling: SequencePooling, bidirectional: Bool, layers: Int) -> LSTMClassifier {
    let config = LSTMClassifierConfig(vocabularySize: 10, embeddingDimension: 4, hiddenSize: 3, layers: layers,
                                      bidirectional: bidirectional, pooling: pooling, classCount: 3)
    var pretrained = randomTensor([10, 4], seed: 3).scalars
    for j in 0..<4 { pretrained[j] = 0 }
    let m = LSTMClassifier(config, pretrained: Tensor(shape: [10, 4], pretrained), seed: 5)
    m.eval()
    return m
  }

  static let cases: [(SequencePooling, Bool, Int)] = SequencePooling.allCases.flatMap { p in
    [(p, false, 1), (p, true, 1), (p, false, 2), (p, true, 2)]
  }

  @Test(arguments: cases)
  func paddingDoesNotChangeTheLogits(pooling: SequencePooling, bidirectional: Bool, layers: Int) {
    let m = Self.model(pooling, bidirectional: bidirectional, layers: layers)
    let tight = m([2, 3, 4, 5, 6, 0], shape: [2, 3], lengths: [3, 2])
    #expect(tight.shape == [2, 3])
    let loose = m([2, 3, 4, 0, 0, 0, 5, 6, 0, 0, 0, 0], shape: [2, 6], lengths: [3, 2])
    assertClose(loose.scalars, tight.scalars, tolerance: 1e-6)
    let alone = m([5, 6], shape: [1, 2], lengths: [2])
    assertClose(alone.scalars, Array(tight.scalars[3..<6]), tolerance: 1e-6)
    // The lengths matter: reading the padding as tokens changes the result.
    let unmasked = m([5, 6, 0, 0, 0, 0], shape: [1, 6], lengths: [6])
    #expect(maxRelativeError(unmasked.scalars, alone.scalars) > 1e-4)
  }

  @Test func batchCarriesIdsAsFloatsWithLengths() {
    let m = Self.model(.mean, bidirectional: false, layers: 1)
    let batch = TextPreprocessing.batch([[2, 3, 4], [7]], labels: [0, 1], indices: [0, 1])
    #expect(batch.inputs.shape == [2, 3] && batch.inputs.scalars == [2, 3, 4, 7, 0, 0] && batch.lengths == [3, 1])
    assertClose(m(batch).scalars, m([2, 3, 4, 7, 0, 0], shape: [2, 3], lengths: [3, 1]).scalars, tolerance: 0)
  }

  @Test func theRecipeSeesTheEmbeddingAsTheBase() {
    let m = Self.model(.mean, bidirectional: false, layers: 1)
    let network = m.grafted
    #expect(network.model === m && network.base === m.embedding)
    #expect(network.blocks.count == 1 && network.blocks[0] === m.embedding)
    // The forward pass reads the batch's lengths, as the model's own.
    let batch = TextPreprocessing.batch([[2, 3, 4], [7]], labels: [0, 1], indices: [0, 1])
    #expect(network.forward(batch).scalars == m(batch).scalars)
  }

  @Test func keysMatchPyTorch() {
    let m = Self.model(.last, bidirectional: true, layers: 1)
    #expect(m.stateDict().map(\.0) == [
      "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
      "lstm.weight_ih_l0_reverse", "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse", "lstm.bias_hh_l0_reverse",
      "head.weight", "head.bias",
    ])
    #expect(m.head.inFeatures == 6)
  }

  @Test func frozenEmbeddingGetsNoGradientUntilUnfrozen() throws {
    let m = Self.model(.max, bidirectional: false, layers: 1)
    m.train()
    func step() {
      m.zeroGradientsForTest()
      crossEntropy(logits: m([2, 3, 0, 4, 5, 6], shape: [2, 3], lengths: [2, 3]), labels: [0, 2]).backward()
    }
    step()
    #expect(m.embedding.weight.grad == nil)
    #expect(m.lstm.weights(layer: 0).ih.grad != nil && m.head.weight.grad != nil)
    #expect(!m.namedTrainableParameters().map(\.0).contains("embedding.weight"))
    m.embedding.unfreeze()
    step()
    let grad = try #require(m.embedding.weight.grad).scalars
    let row = { (r: Int) in grad[(r * 4)..<(r * 4 + 4)].map(abs).max()! }
    #expect(row(0) == 0)                    // padding
    #expect(row(2) > 0 && row(5) > 0)       // used tokens
    #expect(row(7) == 0)                    // unused token
  }

  @Test func wordLogitsAddTheMeanOfTheValidTokensRows() throws {
    var config = Self.model(.max, bidirectional: true, layers: 1).config
    config.wordLogits = true
    let m = LSTMClassifier(config, pretrained: Self.model(.max, bidirectional: true, layers: 1).embedding.weight.copy(), seed: 5)
    m.eval()
    let plain = Self.model(.max, bidirectional: true, layers: 1)
    #expect(m.stateDict().map(\.0).last == "word_logits.weight")
    let table = try #require(m.wordLogits)
    #expect(table.weight.scalars.allSatisfy { $0 == 0 }, "starts as the LSTM alone")
    let ids = [2, 3, 4, 7, 0, 0], lengths = [3, 1]
    #expect(m(ids, shape: [2, 3], lengths: lengths).scalars == plain(ids, shape: [2, 3], lengths: lengths).scalars)
    for i in 0..<table.weight.count { table.weight.data[i] = Float(i % 7) - 3 }
    let base = plain(ids, shape: [2, 3], lengths: lengths).scalars, got = m(ids, shape: [2, 3], lengths: lengths).scalars
    for c in 0..<3 {
      let first = (table.weight.scalars[2 * 3 + c] + table.weight.scalars[3 * 3 + c] + table.weight.scalars[4 * 3 + c]) / 3
      #expect(abs(got[c] - (base[c] + first)) < 1e-5)
      #expect(abs(got[3 + c] - (base[3 + c] + table.weight.scalars[7 * 3 + c])) < 1e-5)
    }
    // Padding changes nothing; the table trains with the head, its padding row never.
    #expect(m([2, 3, 4, 0, 7, 0, 0, 0], shape: [2, 4], lengths: [3, 1]).scalars == got)
    m.train()
    crossEntropy(logits: m(ids, shape: [2, 3], lengths: lengths), labels: [0, 2]).backward()
    let grad = try #require(table.weight.grad).scalars
    #expect(grad[0..<3].allSatisfy { $0 == 0 } && grad[6..<9].contains { $0 != 0 })
    // Bundles written before the option read as without it.
    var json = config.json
    #expect(try LSTMClassifierConfig(json: json) == config)
    json["word_logits"] = nil
    #expect(try LSTMClassifierConfig(json: json).wordLogits == false)
    json["word_logits"] = .string("yes")
    #expect(throws: ArchitectureError.self) { try LSTMClassifierConfig(json: json) }
  }

  @Test func configRoundTripsThroughJSON() throws {
    let config = LSTMClassifierConfig(vocabularySize: 12, embeddingDimension: 5, hiddenSize: 7, layers: 2,
                                      bidirectional: true, layerDropout: 0.25, headDropout: 0.5, pooling: .max, classCount: 4)
    #expect(try LSTMClassifierConfig(json: config.json) == config)
    var bad = config.json
    bad["layers"] = 3
    #expect(throws: ArchitectureError(.invalidHyperparameter("layers"))) { try LSTMClassifierConfig(json: bad) }
  }
}

extension Module {
  func zeroGradientsForTest() { for p in parameters() { p.grad = nil } }
}
