import GraftCore

/// What `TextClassifier.train(base:on:recipe:options:)` needs to know about text: how to split,
/// tokenize and encode it, and the size of the LSTM head. Epochs, learning rates, batches,
/// fine-tuning, early stopping, clipping and the seed are the recipe's
/// (`TextClassifier.recipe(…)`).
public struct TextTrainingOptions: Sendable {
  public var tokenizer = Tokenizer()
  /// Vocabulary: tokens seen at least this often in the training split…
  public var minFrequency = 1
  /// …at most this many entries (`<pad>` and `<unk>` included).
  public var maxVocabularySize = 20_000
  /// Also put the embedding table's words in the vocabulary (after the training split's tokens,
  /// within `maxVocabularySize`), so a word first met at prediction time keeps its pretrained
  /// vector instead of becoming `<unk>`.
  public var vocabularyIncludesEmbeddingWords = true
  /// Texts longer than this many tokens are cut (`truncation` says which end).
  public var maxLength = 64
  public var truncation = SequenceEnd.post
  /// Words the embedding file lacks are kept only when seen at least this often in the
  /// training split (and `minFrequency`); rarer ones become `<unk>`.
  public var minFrequencyWithoutVector = 2
  /// Initial rows for words the embedding file lacks (`<unk>` included).
  public var oov = OOVInitialization.randomNormal(seed: 42)
  /// Those rows train with the LSTM and head from the first epoch (their own table, see
  /// `LSTMClassifier.attachTrainableRows`) while the file's vectors stay frozen; false: they
  /// are frozen with the rest of the embedding.
  public var trainableOOV = true
  public var hiddenSize = 128
  public var layers = 1
  public var bidirectional = true
  public var pooling = SequencePooling.max
  /// A bag-of-words weight per word and class beside the LSTM (`LSTMClassifierConfig.wordLogits`).
  public var wordLogits = true
  /// The word-logit table trains at this multiple of the head's learning rate.
  public var wordLogitsLearningRateScale: Float = 25
  public var layerDropout: Float = 0.2
  public var headDropout: Float = 0.3
  /// Share of the dataset held out (stratified) for validation: early stopping and the report.
  public var validationFraction = 0.2
  /// Blend the baseline's n-gram regression into the classifier's probabilities at the weight
  /// the validation split chooses (`NgramModel`; 0 keeps the LSTM alone). Needs a validation split
  /// with at least `NgramModel.minimumValidationPerClass` texts of every class.
  public var ngramBlend = true

  public init() {}
}
