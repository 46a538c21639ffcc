import Foundation
import GraftCore
import GraftText
import Synchronization
import Testing

@Suite struct TextClassifierTrainingTests {
  static func data() throws -> (TextDataset, EmbeddingTable) {
    let texts = (0..<40).map { $0 % 2 == 0 ? "a good film \($0 % 3 == 0 ? "indeed" : "")" : "a bad film" }
    let dataset = try TextDataset(path: "<memory>", texts: texts, labelNames: (0..<40).map { $0 % 2 == 0 ? "pos" : "neg" })
    var g = Generator(seed: 1)
    let words = ["a", "good", "bad", "film", "great", "awful"]
    return (dataset, EmbeddingTable(words: words, vectors: Tensor.randomNormal([words.count, 6], using: &g)))
  }

  static func options() -> TextTrainingOptions {
    var o = TextTrainingOptions()
    o.hiddenSize = 4
    o.validationFraction = 0
    return o
  }

  static func train(_ dataset: TextDataset, _ table: EmbeddingTable, options: TextTrainingOptions = options(),
                    freezeEmbeddings: Bool = true) throws -> TextClassifier {
    try TextClassifier.train(base: table, on: dataset,
                             recipe: TextClassifier.recipe(epochs: 2, fineTuneEmbeddingsEpochs: 0, freezeEmbeddings: freezeEmbeddings),
                             options: options).0
  }

  @Test func embeddingWordsJoinTheVocabularyOnlyWhenAsked() throws {
    let (dataset, table) = try Self.data()
    var o = Self.options()
    o.vocabularyIncludesEmbeddingWords = false
    let plain = try Self.train(dataset, table, options: o)
    #expect(!plain.preprocessing.vocabulary.contains("great"))
    o.vocabularyIncludesEmbeddingWords = true
    let wide = try Self.train(dataset, table, options: o)
    let vocabulary = wide.preprocessing.vocabulary
    #expect(vocabulary.contains("great") && vocabulary.contains("awful") && vocabulary.contains("indeed"))
    // The training tokens keep their places; the extra words follow, each with its pretrained row.
    #expect(Array(vocabulary.tokens.prefix(plain.preprocessing.vocabulary.count)) == plain.preprocessing.vocabulary.tokens)
    let row = vocabulary.index(of: "great")!, d = table.dimension
    let weights = wide.model.embedding.weight
    #expect(Array(UnsafeBufferPointer(start: weights.data + row * d, count: d)) == table.vector(for: "great")!)
  }

  @Test func unfrozenEmbeddingsTrainFromTheFirstEpoch() throws {
    let (dataset, table) = try Self.data()
    let frozen = try Self.train(dataset, table)
    let goodRow = frozen.preprocessing.vocabulary.index(of: "good")!, d = table.dimension
    func row(_ c: TextClassifier) -> [Float] {
      Array(UnsafeBufferPointer(start: c.model.embedding.weight.data + goodRow * d, count: d))
    }
    #expect(row(frozen) == table.vector(for: "good")!)
    let trained = try Self.train(dataset, table, freezeEmbeddings: false)
    #expect(row(trained) != table.vector(for: "good")!)
  }

  /// The parameter counts `reduceGradients` was handed, one per optimizer step.
  final class Steps: Sendable {
    let counts = Mutex<[Int]>([])
  }

  @Test func theRecipesTrainingSeamAndClippingReachTextTraining() throws {
    let (dataset, table) = try Self.data()
    let steps = Steps()
    var recipe = TextClassifier.recipe(epochs: 2, learningRate: 0.02, batchSize: 16, fineTuneEmbeddingsEpochs: 1)
    recipe.reduceGradients = { parameters in steps.counts.withLock { $0.append(parameters.count) } }
    let (classifier, report) = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options())
    #expect(report.history.epochs.count == 2 && report.fineTuneHistory?.epochs.count == 1)
    // 40 texts in batches of 16: 3 steps an epoch. Stage 1 reduces the trainable rows of the
    // words without a vector ("indeed", <unk>), the BiLSTM's 8 tensors, the head's 2 and the
    // word-logit table; stage 2 the embedding too.
    #expect(steps.counts.withLock { $0 } == [12, 12, 12, 12, 12, 12, 13, 13, 13])

    // The recipe's clipping applies: at a norm of 1e-12 Adam's steps shrink to about lr · 1e-4.
    func moved(_ c: TextClassifier) -> Float {
      let initial = LSTMClassifier(c.model.config, pretrained: c.model.embedding.weight.copy(), seed: 42)
      return zip(c.model.head.weight.scalars, initial.head.weight.scalars).map { abs($0 - $1) }.max() ?? 0
    }
    recipe.reduceGradients = nil
    recipe.fineTune = nil
    let free = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options()).0
    recipe.gradientClipNorm = 1e-12
    let clipped = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options()).0
    #expect(moved(free) > 0.02 && moved(clipped) < 1e-4, "free \(moved(free)), clipped \(moved(clipped))")
    #expect(classifier.model.embedding.weight.requiresGrad == false)
  }
}
