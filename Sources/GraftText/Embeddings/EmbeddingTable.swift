import GraftCore

/// Pretrained word vectors: `words[i]` has the vector in row `i` of `vectors` ([count, dimension]).
///
/// Words are matched byte for byte (`ExactString`), as gensim and Python dictionaries match them:
/// `café` written with U+00E9 and written as `e` + U+0301 are two words with two rows, and looking
/// up one never returns the other's vector. Normalise explicitly (the tokenizer's NFKC option) to
/// make such spellings meet.
///
/// Load word2vec (binary or text), GloVe or fastText `.vec` files with `load(_:format:options:)`,
/// which reads them as gensim's `KeyedVectors.load_word2vec_format` does
/// (https://radimrehurek.com/gensim/models/keyedvectors.html) and either returns the whole
/// table or throws; it never returns part of a file.
public struct EmbeddingTable {
  /// The words, in file order (after merging and duplicates).
  public let words: [String]
  /// [count, dimension]
  public let vectors: Tensor
  private let indices: [ExactString: Int]
  /// Repeated words and skipped rows of the file it was loaded from (empty for tables built in
  /// memory); see `EmbeddingLoadReport`.
  public let report: EmbeddingLoadReport

  public var count: Int { words.count }
  public var dimension: Int { vectors.shape[1] }

  /// A table of `words` and `vectors` [words.count, dimension]; words must be distinct (as bytes).
  public init(words: [String], vectors: Tensor) {
    precondition(vectors.rank == 2 && vectors.shape[0] == words.count,
                 "EmbeddingTable: vectors \(vectors.shape) for \(words.count) words")
    var indices: [ExactString: Int] = [:]
    indices.reserveCapacity(words.count)
    for (i, word) in words.enumerated() {
      let previous = indices.updateValue(i, forKey: ExactString(word))
      precondition(previous == nil, "EmbeddingTable: duplicate word \"\(word)\"")
    }
    self.words = words
    self.vectors = vectors
    self.indices = indices
    self.report = EmbeddingLoadReport()
  }

  init(uncheckedWords words: [String], vectors: Tensor, indices: [ExactString: Int], report: EmbeddingLoadReport) {
    self.words = words
    self.vectors = vectors
    self.indices = indices
    self.report = report
  }

  /// Reads `path` in `format` (nil: `EmbeddingFormat.detect`).
  public static func load(_ path: String, format: EmbeddingFormat? = nil,
                          options: EmbeddingLoadOptions = EmbeddingLoadOptions()) throws(EmbeddingFormatError) -> EmbeddingTable {
    let resolved: EmbeddingFormat
    if let format { resolved = format } else { resolved = try EmbeddingFormat.detect(path) }
    switch resolved {
    case .word2vecBinary: return try EmbeddingReaders.readBinary(path, options: options)
    case .word2vecText, .fasttext: return try EmbeddingReaders.readText(path, header: true, options: options)
    case .glove: return try EmbeddingReaders.readText(path, header: false, options: options)
    }
  }

  /// The row of `word` (byte-exact match), or nil.
  public func index(of word: String) -> Int? { indices[ExactString(word)] }

  public func contains(_ word: String) -> Bool { index(of: word) != nil }

  /// The vector of `word`, or nil when the table does not have it.
  public func vector(for word: String) -> [Float]? {
    guard let row = index(of: word) else { return nil }
    return Array(UnsafeBufferPointer(start: vectors.data + row * dimension, count: dimension))
  }
}
