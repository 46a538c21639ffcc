import Foundation
import GraftCore
import GraftText
import Testing

@Suite struct TextClassifierTests {
  static func options() -> TextTrainingOptions {
    var o = TextTrainingOptions()
    o.hiddenSize = 8
    o.headDropout = 0.1
    o.validationFraction = 0.25
    return o
  }

  static func recipe(epochs: Int = 12, fineTune: Int = 0, embeddingLearningRate: Float? = nil, patience: Int = 4,
                     seed: UInt64 = 3) -> TransferRecipe {
    TextClassifier.recipe(epochs: epochs, learningRate: 0.02, batchSize: 16, patience: patience,
                          fineTuneEmbeddingsEpochs: fineTune, embeddingLearningRate: embeddingLearningRate, seed: seed)
  }

  static func fixture(_ dir: TemporaryFolder, count: Int = 120) throws -> (TextDataset, EmbeddingTable) {
    let data = try dir.write("train.tsv", SentimentFixture.tsv(SentimentFixture.examples(count: count, seed: 1)))
    let vectors = try dir.write("vectors.txt", SentimentFixture.glove())
    return (try TextDataset.load(data), try EmbeddingTable.load(vectors))
  }

  @Test func learnsTheTinySentimentTaskAndRoundTripsThroughABundle() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try Self.fixture(dir)
    let (classifier, report) = try TextClassifier.train(base: table, on: dataset, recipe: Self.recipe(), options: Self.options())
    #expect(report.labels == ["negative", "positive"])
    #expect(report.trainCount == 90 && report.validationCount == 30)
    #expect(report.validation.accuracy >= 0.9, "\(report.validation.confusion)")
    // Coverage: every fixture word but "boring" has a vector.
    #expect(report.coverage.missing == 1 && report.coverage.sampleMissing == ["boring"])
    #expect(report.coverage.total == report.vocabularySize - 2)
    // Frozen: the embedding is exactly the imported matrix but for the trained row of "boring".
    let vocabulary = classifier.preprocessing.vocabulary
    let imported = table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 42))
    let boring = try #require(vocabulary.index(of: "boring")), d = table.dimension
    var w = classifier.model.embedding.weight.scalars, v = imported.scalars
    #expect(w[boring * d..<(boring + 1) * d] != v[boring * d..<(boring + 1) * d])
    w.removeSubrange(boring * d..<(boring + 1) * d)
    v.removeSubrange(boring * d..<(boring + 1) * d)
    #expect(w == v)

    let texts = ["this movie was wonderful", "awful acting really", "", "unknownword superb"]
    let before = classifier.probabilities(texts)
    #expect(classifier.predict(texts).prefix(2).map(\.label) == ["positive", "negative"])
    let path = dir.path("sentiment.graft")
    try classifier.write(to: path)
    let reloaded = try TextClassifier(bundlePath: path)
    #expect(reloaded.probabilities(texts) == before)
    #expect(reloaded.preprocessing == classifier.preprocessing && reloaded.labels == classifier.labels)
    #expect(reloaded.model.config == classifier.model.config)
    let config = try ModelBundle.read(from: path).config
    #expect(config.modality == "text" && config.architecture.name == "lstm_classifier")
    #expect(config.preprocessing["padding"] == "post" && config.preprocessing["max_length"] == 64)
    #expect(config.training["coverage"]?["sampleMissing"] == ["boring"])

    // The static entry points the generic CLI calls.
    let test = try dir.write("test.tsv", SentimentFixture.tsv(SentimentFixture.examples(count: 40, seed: 99)))
    let (metrics, issues) = try TextClassifier.evaluate(bundlePath: path, data: test)
    #expect(issues.isEmpty && metrics.count == 40 && metrics.accuracy >= 0.9)
    #expect(try TextClassifier.predict(bundlePath: path, texts: texts).map(\.probabilities) == before)
  }

  @Test func fineTuningMovesTheEmbeddingsButNotThePaddingRow() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try Self.fixture(dir, count: 60)
    let (classifier, report) = try TextClassifier.train(base: table, on: dataset,
                                                        recipe: Self.recipe(epochs: 2, fineTune: 2, patience: 10),
                                                        options: Self.options())
    #expect(report.fineTuneHistory?.epochs.count == 2)
    let imported = table.embeddingMatrix(for: classifier.preprocessing.vocabulary, oov: .randomNormal(seed: 42))
    let d = table.dimension, w = classifier.model.embedding.weight.scalars
    #expect(Array(w[0..<d]) == [Float](repeating: 0, count: d))
    #expect(w != imported.scalars)
    // Frozen again after training, so a later stage does not move it by accident.
    #expect(classifier.model.embedding.weight.requiresGrad == false)
  }

  @Test func theEmbeddingsTrainAtTheirOwnLearningRate() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try Self.fixture(dir, count: 40)
    let (classifier, _) = try TextClassifier.train(base: table, on: dataset,
                                                   recipe: Self.recipe(epochs: 1, fineTune: 1, embeddingLearningRate: 0),
                                                   options: Self.options())
    // Stage 2 trained the head (learningRate) but not the file's vectors (their group's rate is
    // 0); the rows of words the file lacks trained with the head from stage 1.
    let vocabulary = classifier.preprocessing.vocabulary
    let imported = table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 42))
    let d = table.dimension, w = classifier.model.embedding.weight.scalars, v = imported.scalars
    for row in 2..<vocabulary.count {  // <unk> is in no training text: its row has had no gradient
      let same = w[row * d..<(row + 1) * d] == v[row * d..<(row + 1) * d]
      #expect(same == table.contains(vocabulary[row]), "\(vocabulary[row])")
    }
    let history = try #require(classifier.training["fine_tune"])
    #expect(history["epochs"]?.array?.count == 1)
  }

  @Test func theSameSeedGivesTheSameModel() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try Self.fixture(dir, count: 40)
    var recipe = Self.recipe(epochs: 2, fineTune: 1)
    let texts = ["good film", "the plot was dull"]
    let a = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options()).0.probabilities(texts)
    let b = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options()).0.probabilities(texts)
    #expect(a == b)
    recipe.seed = 4
    let c = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: Self.options()).0.probabilities(texts)
    #expect(c != a)
  }

  @Test func evaluateRejectsLabelsTheModelDoesNotKnow() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try Self.fixture(dir, count: 40)
    let (classifier, _) = try TextClassifier.train(base: table, on: dataset, recipe: Self.recipe(epochs: 1),
                                                   options: Self.options())
    let other = try dir.write("other.tsv", "text\tlabel\ngood\tpositive\nmeh\tneutral\n")
    #expect(throws: TextDatasetError(path: other, reason: .unknownLabels(["neutral"], known: ["negative", "positive"]))) {
      try classifier.evaluate(try TextDataset.load(other))
    }
  }

  @Test func bundleErrors() throws {
    let dir = try TemporaryFolder()
    #expect(throws: BundleError(path: dir.path("none.graft"), reason: .missing)) {
      try TextClassifier(bundlePath: dir.path("none.graft"))
    }
    let vision = ModelBundle(config: .init(modality: "vision", architecture: .init(name: "classifier"), labels: ["a", "b"]),
                             weights: [:])
    try vision.write(to: dir.path("v.graft"))
    #expect(throws: BundleError(path: dir.path("v.graft"), reason: .wrongModality(expected: "text", actual: "vision"))) {
      try TextClassifier(bundlePath: dir.path("v.graft"))
    }
  }
}
