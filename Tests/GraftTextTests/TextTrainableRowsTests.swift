import Foundation
import GraftCore
import GraftText
import Testing

/// Vectors for words the embedding file lacks train; the file's stay fixed; folding them into
/// one table changes no logit.
@Suite struct TextTrainableRowsTests {
  static func rows(_ t: Tensor, _ indices: [Int]) -> [[Float]] {
    let d = t.shape[1]
    return indices.map { Array(UnsafeBufferPointer(start: t.data + $0 * d, count: d)) }
  }

  @Test func onlyTheTrainableRowsGetGradientsAndFoldingKeepsTheLogits() throws {
    var g = Generator(seed: 3)
    let config = LSTMClassifierConfig(vocabularySize: 6, embeddingDimension: 4, hiddenSize: 3, pooling: .max, classCount: 2)
    let pretrained = Tensor.randomNormal([6, 4], using: &g)
    (pretrained.data).update(repeating: 0, count: 4)  // <pad>
    let model = LSTMClassifier(config, pretrained: pretrained.copy(), seed: 1)
    let initial = Tensor.randomNormal([2, 4], using: &g)
    model.attachTrainableRows([1, 4], initial: initial)
    // Rows 1 and 4 now live in the second table; the frozen table holds zeros for them.
    #expect(Self.rows(model.embedding.weight, [1, 4]) == [[0, 0, 0, 0], [0, 0, 0, 0]])
    #expect(Self.rows(model.trainableRows!.weight, [1, 2]) == Self.rows(initial, [0, 1]))
    #expect(model.namedTrainableParameters().map(\.0).contains("trainable_rows.weight"))
    #expect(!model.embedding.weight.requiresGrad)

    let ids = [2, 1, 4, 3, 5, 4, 0, 0], batch = Batch(inputs: Tensor(shape: [2, 4], ids.map(Float.init)), labels: [0, 1],
                                                     lengths: [4, 2], indices: [0, 1])
    let optimizer = Adam(groups: [ParameterGroup(model.trainableParameters(), learningRate: 0.1)])
    optimizer.zeroGradients()
    crossEntropy(logits: model(batch), labels: batch.labels).backward()
    let grad = try #require(model.trainableRows!.weight.grad)
    #expect(Self.rows(grad, [0]) == [[0, 0, 0, 0]], "the padding row never trains")
    #expect(Self.rows(grad, [1, 2]).allSatisfy { $0.contains { $0 != 0 } })
    optimizer.step()
    #expect(Self.rows(model.embedding.weight, [0, 2, 3, 5]) == Self.rows(pretrained, [0, 2, 3, 5]))
    #expect(Self.rows(model.trainableRows!.weight, [1, 2]) != Self.rows(initial, [0, 1]))

    model.eval()
    let before = model(batch).scalars
    let trained = Self.rows(model.trainableRows!.weight, [1, 2])
    model.foldTrainableRows()
    #expect(model.trainableRows == nil)
    #expect(model(batch).scalars == before)
    #expect(Self.rows(model.embedding.weight, [1, 4]) == trained)
    #expect(model.stateDict().map(\.0).allSatisfy { !$0.hasPrefix("trainable_rows") })
  }

  @Test func trainingLearnsTheMissingWordsAndLeavesTheFilesVectors() throws {
    let (dataset, table) = try TextClassifierTrainingTests.data()
    let classifier = try TextClassifierTrainingTests.train(dataset, table)
    let vocabulary = classifier.preprocessing.vocabulary
    let initial = table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 42))
    let known = ["a", "good", "bad", "film"].map { vocabulary.index(of: $0)! }
    let missing = [vocabulary.index(of: "indeed")!, Vocabulary.unknownIndex]
    let weights = classifier.model.embedding.weight
    #expect(Self.rows(weights, known) == ["a", "good", "bad", "film"].map { table.vector(for: $0)! })
    // "indeed" trained; <unk>, in no training text, kept its initial row.
    #expect(Self.rows(weights, [missing[0]]) != Self.rows(initial, [missing[0]]))
    #expect(Self.rows(weights, [missing[1]]) == Self.rows(initial, [missing[1]]))

    var frozen = TextClassifierTrainingTests.options()
    frozen.trainableOOV = false
    let fixed = try TextClassifierTrainingTests.train(dataset, table, options: frozen)
    #expect(Self.rows(fixed.model.embedding.weight, missing) == Self.rows(initial, missing))
  }

  @Test func rareWordsWithoutAVectorCanBecomeUnknown() throws {
    let (dataset, table) = try TextClassifierTrainingTests.data()
    var o = TextClassifierTrainingTests.options()
    o.vocabularyIncludesEmbeddingWords = false
    #expect(try TextClassifierTrainingTests.train(dataset, table, options: o).preprocessing.vocabulary.contains("indeed"))
    o.minFrequencyWithoutVector = 100  // "indeed" is in 7 texts; the file's words stay whatever their count
    let vocabulary = try TextClassifierTrainingTests.train(dataset, table, options: o).preprocessing.vocabulary
    #expect(!vocabulary.contains("indeed") && vocabulary.contains("good") && vocabulary.count == 6)
  }
}
