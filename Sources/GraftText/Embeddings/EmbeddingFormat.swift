/// The on-disk layouts of pretrained word vectors.
///
/// - `word2vecBinary`: header line `count dimension`, then per word its UTF-8 bytes, a space and
///   `dimension` little-endian float32 values, optionally followed by `\n` (the word2vec C tool
///   writes one; gensim's `save_word2vec_format(binary=True)` does not).
/// - `word2vecText`: header line `count dimension`, then one `word v1 … vN` line per word.
/// - `glove`: the text rows without a header (Stanford GloVe releases).
/// - `fasttext`: fastText's `.vec` files, which are the word2vec text format (each line usually
///   ends with a space).
public enum EmbeddingFormat: String, CaseIterable, Codable, Sendable {
  case word2vecBinary = "word2vec-binary"
  case word2vecText = "word2vec-text"
  case glove
  case fasttext

  /// Whether the file starts with a `count dimension` header line.
  public var hasHeader: Bool { self != .glove }
}
