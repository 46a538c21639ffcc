import GraftCore

/// Everything `TextClassifier.train` can be told.
public struct TextTrainingOptions: Sendable {
  public var tokenizer = Tokenizer()
  /// Vocabulary: tokens seen at least this often in the training split…
  public var minFrequency = 1
  /// …at most this many entries (`<pad>` and `<unk>` included).
  public var maxVocabularySize = 20_000
  /// Also put the embedding table's words in the vocabulary (after the training split's tokens,
  /// within `maxVocabularySize`), so a word first met at prediction time keeps its pretrained
  /// vector instead of becoming `<unk>`.
  public var vocabularyIncludesEmbeddingWords = false
  /// Texts longer than this many tokens are cut (`truncation` says which end).
  public var maxLength = 64
  public var truncation = SequenceEnd.post
  /// Rows for words the embedding file lacks (`<unk>` included).
  public var oov = OOVInitialization.randomNormal(seed: 42)
  public var hiddenSize = 64
  public var layers = 1
  public var bidirectional = false
  public var pooling = SequencePooling.last
  /// Keep the embeddings frozen in the first stage (transfer). `false` trains them from the first
  /// epoch, as a model trained from scratch (random vectors) needs.
  public var freezeEmbeddings = true
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
