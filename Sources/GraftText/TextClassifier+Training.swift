import Foundation
import GraftCore

extension TextClassifier {
  /// Trains a text classifier by the stages of the shared `TransferRecipe`, with the embedding
  /// table as the base: split `dataset` (stratified, seeded by `recipe.seed`), build the
  /// vocabulary on the training split (`options`), import `base`'s vectors for it into the
  /// `Embedding` of an `LSTMClassifier`, then train (`TextTrainingStages`):
  ///
  /// 1. the file's vectors frozen (unless `recipe.freezeBase` is false); the vectors of words
  ///    the file lacks (with `options.trainableOOV`, their own table), the LSTM and the linear
  ///    head trained for at most `recipe.headEpochs` at `recipe.headLearningRate`;
  /// 2. with `recipe.fineTune`, the file's vectors unfrozen and trained with the rest for at
  ///    most `fineTune.epochs`, in a second parameter group at `fineTune.baseLearningRate` (the
  ///    rest at `fineTune.headLearningRate`); frozen again afterwards.
  ///
  /// The trained rows are then folded into the one embedding table the bundle stores. Batches,
  /// seed, class balance, weight decay, early stopping, gradient clipping and the
  /// gradient-reduction seam come from the recipe; `recipe.head`, `headSolver` and
  /// `cacheFeatures` do not apply (the head is the LSTM that `options` sizes, and a sequence of
  /// vectors is not cached). Validation batches hold `max(batchSize, 256)` texts unless
  /// `recipe.validationBatchSize` says otherwise. `checkpointing` writes and resumes training
  /// state. `TextClassifier.recipe(…)` gives the defaults.
  public static func train(base embeddings: EmbeddingTable, on dataset: TextDataset,
                           recipe: TransferRecipe = TextClassifier.recipe(),
                           options: TextTrainingOptions = TextTrainingOptions(),
                           checkpointing: TextCheckpointing = TextCheckpointing()) throws -> (TextClassifier, TextTrainingReport) {
    let (trainSplit, validationSplit) = trainValidationSplit(dataset, validationFraction: options.validationFraction,
                                                            seed: recipe.seed)
    let tokenizer = options.tokenizer
    let trainTokens = trainSplit.indices.map { tokenizer.tokenize(dataset.texts[$0]) }
    var counter = TokenCounter()
    for stream in trainTokens { counter.add(stream) }
    var vocabulary = Vocabulary(counter, minFrequency: options.minFrequency, maxSize: options.maxVocabularySize)
    if options.minFrequencyWithoutVector > options.minFrequency {
      let kept = Vocabulary(counter, minFrequency: options.minFrequency).tokens.dropFirst(2).filter {
        counter.count(of: $0) >= options.minFrequencyWithoutVector || embeddings.contains($0)
      }
      vocabulary = Vocabulary(words: Array(kept.prefix(options.maxVocabularySize - 2)))
    }
    if options.vocabularyIncludesEmbeddingWords {
      let room = max(0, options.maxVocabularySize - vocabulary.count)
      let extra = embeddings.words.lazy.filter {
        !vocabulary.contains($0) && $0 != Vocabulary.paddingToken && $0 != Vocabulary.unknownToken
      }.prefix(room)
      vocabulary = Vocabulary(words: Array(vocabulary.tokens.dropFirst(2)) + extra)
    }
    var tokens = 0, found = 0
    for stream in trainTokens {
      tokens += stream.count
      for token in stream where embeddings.contains(token) { found += 1 }
    }
    let coverage = embeddings.coverage(of: vocabulary)
    let preprocessing = TextPreprocessing(tokenizer: tokenizer, vocabulary: vocabulary, maxLength: options.maxLength,
                                          truncation: options.truncation)
    let config = LSTMClassifierConfig(
      vocabularySize: vocabulary.count, embeddingDimension: embeddings.dimension, hiddenSize: options.hiddenSize,
      layers: options.layers, bidirectional: options.bidirectional, layerDropout: options.layerDropout,
      headDropout: options.headDropout, pooling: options.pooling, wordLogits: options.wordLogits,
      classCount: dataset.labels.count)
    let model = LSTMClassifier(config, pretrained: embeddings.embeddingMatrix(for: vocabulary, oov: options.oov),
                               freezeEmbedding: recipe.freezeBase, seed: recipe.seed)
    let missingRows = (1..<vocabulary.count).filter { !embeddings.contains(vocabulary[$0]) }
    if options.trainableOOV && recipe.freezeBase && !missingRows.isEmpty {
      // The rows as `oov` drew them move into their own, trainable table.
      model.attachTrainableRows(missingRows, initial: model.embedding.weight.indexSelect(axis: 0, missingRows))
    }

    func encode<D: Dataset>(_ split: Subset<D>) -> EncodedTexts {
      EncodedTexts(sequences: split.indices.map { preprocessing.encode(dataset.texts[$0]) },
                   labels: split.indices.map { dataset.labelIndices[$0] })
    }
    var textRecipe = recipe
    textRecipe.validationBatchSize = recipe.validationBatchSize ?? max(recipe.batchSize, 256)
    let stages = try TextTrainingStages(recipe: textRecipe, checkpointing: checkpointing,
                                        wordLogitsLearningRateScale: options.wordLogitsLearningRateScale)
      .run(model, labelNames: dataset.labels, train: encode(trainSplit),
           validation: validationSplit.count > 0 ? encode(validationSplit) : nil)
    model.foldTrainableRows()
    model.embedding.freeze()

    // The final model's view of the validation split (the training split when there is none).
    let evaluatedSplit = validationSplit.count > 0 ? validationSplit.indices : trainSplit.indices
    let final = stages.finalEvaluation ?? Trainer.evaluate(encode(trainSplit).loader(batchSize: 256),
                                                           labelNames: dataset.labels) { model($0) }
    let classCount = dataset.labels.count
    let predictions = zip(final.indices, final.labels).enumerated().map { row, pair in
      let (local, actual) = pair
      let p = UnsafeBufferPointer(start: final.probabilities.data + row * classCount, count: classCount)
      let best = p.indices.max { p[$0] < p[$1] } ?? 0
      let i = evaluatedSplit[local]
      return TextExamplePrediction(source: dataset.sources[i], text: dataset.texts[i], actual: dataset.labels[actual],
                                   predicted: dataset.labels[best], probability: Double(p[best]))
    }

    var report = TextTrainingReport(
      labels: dataset.labels, trainCount: trainSplit.count, validationCount: validationSplit.count,
      vocabularySize: vocabulary.count, coverage: coverage, tokenCoverage: tokens == 0 ? 1 : Double(found) / Double(tokens),
      validation: final.metrics, validationPredictions: predictions,
      validationROCAUC: final.rocAUC, history: stages.headHistory, fineTuneHistory: stages.fineTuneHistory,
      issues: dataset.issues, embeddingCount: embeddings.count, embeddingDimension: embeddings.dimension)
    let validationTexts = validationSplit.indices.map { dataset.texts[$0] }
    let validationLabels = validationSplit.indices.map { dataset.labelIndices[$0] }
    let fitted = TextBaseline.fit(
      trainTexts: trainSplit.indices.map { dataset.texts[$0] }, trainLabels: trainSplit.indices.map { dataset.labelIndices[$0] },
      validationTexts: validationTexts, validationLabels: validationLabels, labels: dataset.labels, tokenizer: tokenizer)
    report.baseline = fitted?.comparison
    let classifier = TextClassifier(model: model, preprocessing: preprocessing, labels: dataset.labels)
    let smallestClass = (0..<classCount).map { c in validationLabels.count { $0 == c } }.min() ?? 0
    if options.ngramBlend, let fitted, smallestClass >= NgramModel.minimumValidationPerClass {
      // The baseline regression joins the model when averaging their probabilities lowers the
      // validation split's log-loss (the same split early stopping read; the blend's validation
      // figures are therefore not held out).
      let lstm = classifier.lstmProbabilities(validationTexts)
      let ngram = fitted.model.probabilities(validationTexts, tokenizer: tokenizer)
      let choice = NgramModel.blendWeight(lstm: lstm, ngram: ngram, labels: validationLabels)
      var blend = TextTrainingReport.Blend(weight: Double(choice.weight), metrics: final.metrics)
      if choice.weight > 0 {
        var model = fitted.model
        model.blend = choice.weight
        classifier.ngram = model
        let predicted = zip(lstm, ngram).map { a, b in
          let p = NgramModel.blended(a, b, weight: choice.weight)
          return p.indices.max { p[$0] < p[$1] } ?? 0
        }
        blend.metrics = ClassificationMetrics(predicted: predicted, actual: validationLabels, classCount: classCount,
                                              labels: dataset.labels)
      }
      report.blend = blend
    }
    classifier.training = report.json(recipe: recipe)
    return (classifier, report)
  }

  /// Defaults of `recipe(…)` (and of `graft text train`).
  public static let defaultEpochs = 50
  public static let defaultLearningRate: Float = 2e-3
  public static let defaultBatchSize = 32
  public static let defaultPatience = 3
  public static let defaultFineTuneEmbeddingsEpochs = 0

  /// The text recipe with its defaults: at most `epochs` (`defaultEpochs`) at `learningRate`
  /// (`defaultLearningRate`) with the pretrained vectors frozen, batches of 32, early stopping on
  /// validation loss after `patience` (3) epochs without improvement (best weights restored),
  /// the gradient norm clipped at 5, seed 42, quiet. `fineTuneEmbeddingsEpochs` > 0 (nil:
  /// `defaultFineTuneEmbeddingsEpochs` with frozen vectors, 0 otherwise) adds the second stage:
  /// the vectors at `embeddingLearningRate` (nil: `learningRate / 10`), the rest staying at
  /// `learningRate`, again ended by early stopping. `freezeEmbeddings: false` trains the vectors
  /// from the first epoch, as a model trained from scratch (random vectors) needs.
  public static func recipe(epochs: Int = defaultEpochs, learningRate: Float = defaultLearningRate,
                            batchSize: Int = defaultBatchSize, patience: Int = defaultPatience,
                            gradientClipNorm: Float? = 5, fineTuneEmbeddingsEpochs: Int? = nil,
                            embeddingLearningRate: Float? = nil, freezeEmbeddings: Bool = true, seed: UInt64 = 42,
                            quiet: Bool = true) -> TransferRecipe {
    let fineTuneEmbeddingsEpochs = fineTuneEmbeddingsEpochs ?? (freezeEmbeddings ? defaultFineTuneEmbeddingsEpochs : 0)
    let fineTune = fineTuneEmbeddingsEpochs > 0
      ? FineTune(topBlocks: 1, epochs: fineTuneEmbeddingsEpochs, baseLearningRate: embeddingLearningRate ?? learningRate / 10,
                 headLearningRate: learningRate)
      : nil
    return TransferRecipe(headEpochs: epochs, headLearningRate: learningRate, batchSize: batchSize, fineTune: fineTune,
                          earlyStopping: EarlyStopping(monitor: .validationLoss, patience: patience), seed: seed,
                          quiet: quiet, freezeBase: freezeEmbeddings, gradientClipNorm: gradientClipNorm)
  }
}
