import Foundation
import GraftCore

/// A text classifier: `TextPreprocessing` + `LSTMClassifier` + label names, trained by
/// `train(base:on:recipe:options:)` and stored as a model bundle (modality `"text"`,
/// architecture `"lstm_classifier"`) that rebuilds it with nothing else.
public final class TextClassifier: ModalityClassifier {
  public static let modality = "text"
  public static let architectureName = "lstm_classifier"

  public let model: LSTMClassifier
  public let preprocessing: TextPreprocessing
  public let labels: [String]
  /// Training record written to the bundle's `training` (coverage, histories, validation metrics).
  public var training: [String: JSONValue]
  /// The n-gram regression whose probabilities are blended with the LSTM's (`NgramModel`), or nil.
  public var ngram: NgramModel?

  public init(model: LSTMClassifier, preprocessing: TextPreprocessing, labels: [String],
              training: [String: JSONValue] = [:], ngram: NgramModel? = nil) {
    if let ngram { precondition(ngram.classCount == labels.count, "TextClassifier: n-gram model of \(ngram.classCount) classes") }
    self.ngram = ngram
    precondition(labels.count == model.config.classCount, "TextClassifier: \(labels.count) labels, \(model.config.classCount) classes")
    precondition(preprocessing.vocabulary.count == model.config.vocabularySize,
                 "TextClassifier: vocabulary of \(preprocessing.vocabulary.count), model of \(model.config.vocabularySize)")
    self.model = model
    self.preprocessing = preprocessing
    self.labels = labels
    self.training = training
    model.eval()
  }

  /// Reads the bundle at `path` and rebuilds the classifier, in inference mode.
  public convenience init(bundlePath path: String) throws(BundleError) {
    try self.init(bundle: ModelBundle.read(from: path), path: path)
  }

  /// Rebuilds the classifier `bundle` describes; `path` names it in errors.
  public convenience init(bundle: ModelBundle, path: String) throws(BundleError) {
    let config = bundle.config
    guard config.modality == Self.modality else {
      throw BundleError(path: path, reason: .wrongModality(expected: Self.modality, actual: config.modality))
    }
    guard config.architecture.name == Self.architectureName else {
      throw BundleError(path: path, reason: .unknownArchitecture(config.architecture.name))
    }
    let modelConfig: LSTMClassifierConfig
    do {
      modelConfig = try LSTMClassifierConfig(json: config.architecture.hyperparameters)
    } catch {
      throw BundleError(path: path, reason: .invalidConfig(error.description))
    }
    let preprocessing = try SettingsDecoder.decode(config.preprocessing, path: path) { try TextPreprocessing(json: $0.json) }
    guard modelConfig.classCount == config.labels.count else {
      throw BundleError(path: path, reason: .invalidConfig("classes must equal the number of labels (\(config.labels.count))"))
    }
    guard modelConfig.vocabularySize == preprocessing.vocabulary.count else {
      throw BundleError(path: path, reason: .invalidConfig(
        "vocabulary_size \(modelConfig.vocabularySize) but the vocabulary has \(preprocessing.vocabulary.count) tokens"))
    }
    let model = LSTMClassifier(modelConfig, seed: 0)
    var lstmBundle = bundle
    lstmBundle.weights = bundle.weights.filter { !$0.key.hasPrefix(NgramModel.tensorPrefix) }
    try lstmBundle.load(into: model, path: path)
    var ngram: NgramModel? = nil
    if config.preprocessing[NgramModel.configKey] != nil {
      ngram = try SettingsDecoder.decode(config.preprocessing, path: path) { s in
        try NgramModel(settings: try s.object(NgramModel.configKey), tensors: bundle.weights, classCount: config.labels.count)
      }
    } else if bundle.weights.keys.contains(where: { $0.hasPrefix(NgramModel.tensorPrefix) }) {
      throw BundleError(path: path, reason: .invalidConfig("ngram tensors without preprocessing.\(NgramModel.configKey)"))
    }
    self.init(model: model, preprocessing: preprocessing, labels: config.labels, training: config.training, ngram: ngram)
  }

  /// The bundle of this classifier.
  public var bundle: ModelBundle {
    var stored = preprocessing.json
    if let ngram { stored[NgramModel.configKey] = ngram.json }
    let config = ModelBundle.Config(
      modality: Self.modality, architecture: ArchitectureSpec(name: Self.architectureName, hyperparameters: model.config.json),
      labels: labels, preprocessing: stored, training: training)
    var bundle = ModelBundle(config: config, model: model)
    if let ngram { bundle.weights.merge(ngram.tensors) { _, new in new } }
    return bundle
  }

  public func write(to path: String) throws(BundleError) { try bundle.write(to: path) }

  /// Label probabilities [texts.count][labels.count], in inference mode, batches of `batchSize`:
  /// the LSTM's, blended with the n-gram model's when there is one (`ngram`).
  public func probabilities(_ texts: [String], batchSize: Int = 256) -> [[Float]] {
    let lstm = lstmProbabilities(texts, batchSize: batchSize)
    guard let ngram, ngram.blend > 0 else { return lstm }
    let other = ngram.probabilities(texts, tokenizer: preprocessing.tokenizer)
    return zip(lstm, other).map { NgramModel.blended($0, $1, weight: ngram.blend) }
  }

  /// The LSTM's own label probabilities (no n-gram blend).
  public func lstmProbabilities(_ texts: [String], batchSize: Int = 256) -> [[Float]] {
    let wasTraining = model.isTraining
    model.eval()
    defer { model.train(wasTraining) }
    var out: [[Float]] = []
    out.reserveCapacity(texts.count)
    withoutGradients {
      var start = 0
      while start < texts.count {
        let chunk = texts[start..<min(start + batchSize, texts.count)]
        let batch = TextPreprocessing.batch(chunk.map(preprocessing.encode), labels: [], indices: [])
        let p = softmax(model(batch), axis: 1)
        let c = labels.count
        for row in 0..<chunk.count { out.append(Array(UnsafeBufferPointer(start: p.data + row * c, count: c))) }
        start += batchSize
      }
    }
    return out
  }

  /// The most probable label of each text, with every label's probability.
  public func predict(_ texts: [String]) -> [TextPrediction] {
    zip(texts, probabilities(texts)).map { text, p in
      let best = p.indices.max { p[$0] < p[$1] } ?? 0
      return TextPrediction(text: text, label: labels[best], probabilities: p, labels: labels)
    }
  }

  /// Metrics on a labelled dataset, whose label names must all be this classifier's labels
  /// (`evaluation(of:)` also gives each text's prediction).
  public func evaluate(_ dataset: TextDataset) throws(TextDatasetError) -> ClassificationMetrics {
    try evaluation(of: dataset).metrics
  }

  // MARK: Entry points for the generic CLI (`graft evaluate` / `graft predict`)

  /// Loads the bundle and the dataset at `data` (`format`, a single class allowed) and evaluates.
  public static func evaluate(bundlePath: String, data: String, format: TextDataFormat = .auto) throws
    -> (metrics: ClassificationMetrics, issues: [DataIssue]) {
    let classifier = try TextClassifier(bundlePath: bundlePath)
    let dataset = try TextDataset.load(data, format: format, allowSingleClass: true)
    return (try classifier.evaluate(dataset), dataset.issues)
  }

  /// Loads the bundle and predicts each text.
  public static func predict(bundlePath: String, texts: [String]) throws -> [TextPrediction] {
    try TextClassifier(bundlePath: bundlePath).predict(texts)
  }
}
