import GraftCore

/// The hyper-parameters of an `LSTMClassifier`, stored in a bundle's `architecture`.
public struct LSTMClassifierConfig: Equatable, Sendable {
  public var vocabularySize: Int
  public var embeddingDimension: Int
  public var hiddenSize: Int
  /// 1 or 2 stacked layers.
  public var layers: Int
  public var bidirectional: Bool
  /// Dropout between stacked LSTM layers (PyTorch's `dropout`; unused with one layer).
  public var layerDropout: Float
  /// Dropout on the pooled vector, before the head.
  public var headDropout: Float
  public var pooling: SequencePooling
  /// A per-word, per-class weight table whose mean over the valid steps is added to the logits:
  /// a bag-of-words linear model beside the LSTM ("wide and deep"), learning a weight for every
  /// word of the vocabulary whatever its vector.
  public var wordLogits: Bool
  public var classCount: Int

  public init(vocabularySize: Int, embeddingDimension: Int, hiddenSize: Int = 64, layers: Int = 1,
              bidirectional: Bool = false, layerDropout: Float = 0.2, headDropout: Float = 0.3,
              pooling: SequencePooling = .last, wordLogits: Bool = false, classCount: Int) {
    self.vocabularySize = vocabularySize
    self.embeddingDimension = embeddingDimension
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.bidirectional = bidirectional
    self.layerDropout = layerDropout
    self.headDropout = headDropout
    self.pooling = pooling
    self.wordLogits = wordLogits
    self.classCount = classCount
  }

  /// The pooled feature size: D·H.
  public var featureCount: Int { (bidirectional ? 2 : 1) * hiddenSize }

  public var json: [String: JSONValue] {
    [
      "vocabulary_size": .number(Double(vocabularySize)), "embedding_dim": .number(Double(embeddingDimension)),
      "hidden_size": .number(Double(hiddenSize)), "layers": .number(Double(layers)),
      "bidirectional": .bool(bidirectional), "layer_dropout": .number(Double(layerDropout)),
      "head_dropout": .number(Double(headDropout)), "pooling": .string(pooling.rawValue),
      "word_logits": .bool(wordLogits), "classes": .number(Double(classCount)),
    ]
  }

  /// Reads `json`; throws naming the first missing or invalid key.
  public init(json: [String: JSONValue]) throws(ArchitectureError) {
    func int(_ key: String, _ range: ClosedRange<Int>) throws(ArchitectureError) -> Int {
      guard let v = json[key]?.int, range.contains(v) else { throw ArchitectureError(.invalidHyperparameter(key)) }
      return v
    }
    func float(_ key: String) throws(ArchitectureError) -> Float {
      guard let v = json[key]?.double, v >= 0, v < 1 else { throw ArchitectureError(.invalidHyperparameter(key)) }
      return Float(v)
    }
    guard let bidirectional = json["bidirectional"]?.bool else { throw ArchitectureError(.invalidHyperparameter("bidirectional")) }
    guard let pooling = json["pooling"]?.string.flatMap(SequencePooling.init(rawValue:)) else {
      throw ArchitectureError(.invalidHyperparameter("pooling"))
    }
    // Absent in bundles written before the option existed: off.
    var wordLogits = false
    if let value = json["word_logits"] {
      guard let flag = value.bool else { throw ArchitectureError(.invalidHyperparameter("word_logits")) }
      wordLogits = flag
    }
    self.init(vocabularySize: try int("vocabulary_size", 2...Int(1 << 24)), embeddingDimension: try int("embedding_dim", 1...100_000),
              hiddenSize: try int("hidden_size", 1...100_000), layers: try int("layers", 1...2), bidirectional: bidirectional,
              layerDropout: try float("layer_dropout"), headDropout: try float("head_dropout"), pooling: pooling,
              wordLogits: wordLogits, classCount: try int("classes", 2...1_000_000))
  }
}
