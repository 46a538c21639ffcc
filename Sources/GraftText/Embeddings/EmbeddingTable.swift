import GraftCore

/// Pretrained word vectors: `words[i]` has the vector in row `i` of `vectors` ([count, dimension]).
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
  private let indices: [String: Int]

  public var count: Int { words.count }
  public var dimension: Int { vectors.shape[1] }

  /// A table of `words` and `vectors` [words.count, dimension]; words must be distinct.
  public init(words: [String], vectors: Tensor) {
    precondition(vectors.rank == 2 && vectors.shape[0] == words.count,
                 "EmbeddingTable: vectors \(vectors.shape) for \(words.count) words")
    var indices: [String: Int] = [:]
    indices.reserveCapacity(words.count)
    for (i, word) in words.enumerated() {
      let previous = indices.updateValue(i, forKey: word)
      precondition(previous == nil, "EmbeddingTable: duplicate word \"\(word)\"")
    }
    self.words = words
    self.vectors = vectors
    self.indices = indices
  }

  init(uncheckedWords words: [String], vectors: Tensor, indices: [String: Int]) {
    self.words = words
    self.vectors = vectors
    self.indices = indices
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

  /// The row of `word`, or nil.
  public func index(of word: String) -> Int? { indices[word] }

  public func contains(_ word: String) -> Bool { indices[word] != nil }

  /// The vector of `word`, or nil when the table does not have it.
  public func vector(for word: String) -> [Float]? {
    guard let row = indices[word] else { return nil }
    return Array(UnsafeBufferPointer(start: vectors.data + row * dimension, count: dimension))
  }
}
