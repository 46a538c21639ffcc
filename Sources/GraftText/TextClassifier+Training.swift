import Foundation
import GraftCore

/// Everything `TextClassifier.train` can be told.
public struct TextTrainingOptions: Sendable {
  public var tokenizer = Tokenizer()
  /// Vocabulary: tokens seen at least this often in the training split…
  public var minFrequency = 1
  /// …at most this many entries (`<pad>` and `<unk>` included).
  public var maxVocabularySize = 20_000
  /// Texts longer than this many tokens are cut (`truncation` says which end).
  public var maxLength = 64
  public var truncation = SequenceEnd.post
  /// Rows for words the embedding file lacks (`<unk>` included).
  public var oov = OOVInitialization.randomNormal(seed: 42)
  public var hiddenSize = 64
  public var layers = 1
  public var bidirectional = false
  public var pooling = SequencePooling.last
  public var layerDropout: Float = 0.2
  public var headDropout: Float = 0.3
  /// Epochs of the first stage (embeddings frozen), with early stopping on validation loss.
  public var epochs = 10
  /// Epochs of the second stage, where the embeddings train too; 0 skips it.
  public var fineTuneEmbeddingsEpochs = 0
  public var learningRate: Float = 2e-3
  /// The embeddings' learning rate in the second stage (the rest keeps `learningRate`);
  /// nil: `learningRate / 10`.
  public var embeddingLearningRate: Float?
  public var batchSize = 32
  public var validationFraction = 0.2
  /// Early stopping: epochs without a lower validation loss before stopping (best weights restored).
  public var patience = 3
  public var gradientClipNorm: Float? = 5
  public var seed: UInt64 = 42
  public var quiet = true

  public init() {}
}

/// What a training run did and how well it ended on the validation split.
public struct TextTrainingReport {
  public var labels: [String]
  public var trainCount: Int
  public var validationCount: Int
  public var vocabularySize: Int
  /// How much of the vocabulary the embedding file covers.
  public var coverage: EmbeddingCoverage
  /// Share of the training split's tokens (not types) that have a vector.
  public var tokenCoverage: Double
  /// Validation metrics of the final model (the training split when there is no validation split).
  public var validation: ClassificationMetrics
  public var history: TrainingHistory
  public var fineTuneHistory: TrainingHistory?
  /// Rows or files of the dataset that were skipped.
  public var issues: [TextDatasetIssue]
}

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
    let vocabulary = Vocabulary(counting: trainTokens, minFrequency: options.minFrequency,
                                maxSize: options.maxVocabularySize)
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
                               freezeEmbedding: true, seed: options.seed)

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
    let final = trainer.evaluate(validationLoader ?? encode(trainSplit).loader(batchSize: 256, shuffled: false, seed: 0))
    model.eval()

    let report = TextTrainingReport(
      labels: dataset.labels, trainCount: trainSplit.count, validationCount: validationSplit.count,
      vocabularySize: vocabulary.count, coverage: coverage, tokenCoverage: tokens == 0 ? 1 : Double(found) / Double(tokens),
      validation: final.metrics, history: history, fineTuneHistory: fineTuneHistory, issues: dataset.issues)
    let classifier = TextClassifier(model: model, preprocessing: preprocessing, labels: dataset.labels,
                                    training: report.json(options: options))
    return (classifier, report)
  }
}

extension TextTrainingReport {
  /// The bundle's `training` entry.
  func json(options: TextTrainingOptions) -> [String: JSONValue] {
    func encoded<T: Encodable>(_ value: T) -> JSONValue {
      (try? JSONEncoder().encode(value)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) } ?? .null
    }
    var out: [String: JSONValue] = [
      "coverage": encoded(coverage), "token_coverage": .number(tokenCoverage),
      "train_count": .number(Double(trainCount)), "validation_count": .number(Double(validationCount)),
      "validation": encoded(validation), "history": encoded(history),
      "learning_rate": .number(Double(options.learningRate)), "batch_size": .number(Double(options.batchSize)),
      "seed": .number(Double(options.seed)),
    ]
    if let fineTuneHistory {
      out["fine_tune"] = encoded(fineTuneHistory)
      out["embedding_learning_rate"] = .number(Double(options.embeddingLearningRate ?? options.learningRate / 10))
    }
    return out
  }
}
