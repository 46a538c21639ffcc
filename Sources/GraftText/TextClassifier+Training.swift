import Foundation
import GraftCore

extension TextClassifier {
  /// The sentiment recipe: split `dataset` (stratified, seeded), build the vocabulary on the
  /// training split, import `embeddings` for it and freeze them, train the LSTM and head with
  /// Adam and early stopping on validation loss, then optionally unfreeze the embeddings and
  /// train everything for `fineTuneEmbeddingsEpochs` more, with the embeddings in a second
  /// `ParameterGroup` at `embeddingLearningRate`.
  public static func train(on dataset: TextDataset, embeddings: EmbeddingTable,
                           options: TextTrainingOptions = TextTrainingOptions()) throws -> (TextClassifier, TextTrainingReport) {
    let (trainSplit, validationSplit) = trainValidationSplit(dataset, validationFraction: options.validationFraction,
                                                            seed: options.seed)
    let tokenizer = options.tokenizer
    let trainTokens = trainSplit.indices.map { tokenizer.tokenize(dataset.texts[$0]) }
    var vocabulary = Vocabulary(counting: trainTokens, minFrequency: options.minFrequency,
                                maxSize: options.maxVocabularySize)
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
      headDropout: options.headDropout, pooling: options.pooling, classCount: dataset.labels.count)
    let model = LSTMClassifier(config, pretrained: embeddings.embeddingMatrix(for: vocabulary, oov: options.oov),
                               freezeEmbedding: options.freezeEmbeddings, seed: options.seed)

    func encode<D: Dataset>(_ split: Subset<D>) -> EncodedTexts {
      EncodedTexts(sequences: split.indices.map { preprocessing.encode(dataset.texts[$0]) },
                   labels: split.indices.map { dataset.labelIndices[$0] })
    }
    let trainLoader = encode(trainSplit).loader(batchSize: options.batchSize, shuffled: true, seed: options.seed)
    let validationLoader = validationSplit.count > 0
      ? encode(validationSplit).loader(batchSize: max(options.batchSize, 256), shuffled: false, seed: 0) : nil

    func stage(_ label: String, epochs: Int, optimizer: any Optimizer) throws -> (Trainer, TrainingHistory) {
      let trainer = Trainer(model: model, optimizer: optimizer, options: TrainingOptions(
        epochs: epochs, gradientClipNorm: options.gradientClipNorm,
        earlyStopping: validationLoader == nil ? nil : EarlyStopping(monitor: .validationLoss, patience: options.patience),
        quiet: options.quiet, label: label)) { model($0) }
      trainer.labelNames = dataset.labels
      let history = try validationLoader.map { try trainer.fit(trainLoader, validation: $0) } ?? trainer.fit(trainLoader)
      return (trainer, history)
    }

    let named = model.namedTrainableParameters()
    let (firstTrainer, history) = try stage("train", epochs: options.epochs, optimizer: Adam(groups: [
      ParameterGroup(named.map(\.1), names: named.map(\.0), learningRate: options.learningRate),
    ]))
    var trainer = firstTrainer
    var fineTuneHistory: TrainingHistory? = nil
    if options.fineTuneEmbeddingsEpochs > 0 {
      model.embedding.unfreeze()
      let rest = model.namedTrainableParameters().filter { !$0.0.hasPrefix("embedding.") }
      let optimizer = Adam(groups: [
        ParameterGroup(rest.map(\.1), names: rest.map(\.0), learningRate: options.learningRate),
        ParameterGroup([model.embedding.weight], names: ["embedding.weight"],
                       learningRate: options.embeddingLearningRate ?? options.learningRate / 10),
      ])
      (trainer, fineTuneHistory) = try stage("fine-tune", epochs: options.fineTuneEmbeddingsEpochs, optimizer: optimizer)
      model.embedding.freeze()
    }
    let evaluatedSplit = validationLoader == nil ? trainSplit.indices : validationSplit.indices
    let final = trainer.evaluate(validationLoader ?? encode(trainSplit).loader(batchSize: 256, shuffled: false, seed: 0))
    model.eval()
    let classCount = dataset.labels.count
    let predictions = zip(final.indices, final.labels).enumerated().map { row, pair in
      let (local, actual) = pair
      let p = UnsafeBufferPointer(start: final.probabilities.data + row * classCount, count: classCount)
      let best = p.indices.max { p[$0] < p[$1] } ?? 0
      let i = evaluatedSplit[local]
      return TextExamplePrediction(source: dataset.sources[i], text: dataset.texts[i], actual: dataset.labels[actual],
                                   predicted: dataset.labels[best], probability: Double(p[best]))
    }

    let report = TextTrainingReport(
      labels: dataset.labels, trainCount: trainSplit.count, validationCount: validationSplit.count,
      vocabularySize: vocabulary.count, coverage: coverage, tokenCoverage: tokens == 0 ? 1 : Double(found) / Double(tokens),
      validation: final.metrics, validationPredictions: predictions,
      validationROCAUC: final.rocAUC, history: history, fineTuneHistory: fineTuneHistory,
      issues: dataset.issues, embeddingCount: embeddings.count, embeddingDimension: embeddings.dimension)
    let classifier = TextClassifier(model: model, preprocessing: preprocessing, labels: dataset.labels,
                                    training: report.json(options: options))
    return (classifier, report)
  }
}
