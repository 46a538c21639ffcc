import Foundation
import GraftCore

/// Text → token ids, exactly as at training time: the tokenizer, the vocabulary built on the
/// training split, the maximum length and where sequences are cut. Sequences are padded at the
/// end (`padding: .post`), which the LSTM's `lengths` masking expects; batches are padded to
/// their longest sequence, not to `maxLength`. An empty text becomes one `<unk>`.
///
/// Stored in a bundle's `preprocessing` as
/// `{"tokenizer": {...}, "vocabulary": [tokens], "max_length": N, "padding": "post", "truncation": "post"}`.
public struct TextPreprocessing: Equatable, Sendable {
  public var tokenizer: Tokenizer
  public var vocabulary: Vocabulary
  public var maxLength: Int
  /// Which end is cut when a text has more than `maxLength` tokens (`.post` keeps the start).
  public var truncation: SequenceEnd
  /// Always `.post`; stored so a reader never has to guess.
  public let padding = SequenceEnd.post

  public init(tokenizer: Tokenizer, vocabulary: Vocabulary, maxLength: Int, truncation: SequenceEnd = .post) {
    precondition(maxLength >= 1, "TextPreprocessing: maxLength \(maxLength)")
    self.tokenizer = tokenizer
    self.vocabulary = vocabulary
    self.maxLength = maxLength
    self.truncation = truncation
  }

  /// The ids of `text`: 1 to `maxLength` of them, no padding.
  public func encode(_ text: String) -> [Int] {
    var ids = vocabulary.encode(tokenizer.tokenize(text))
    if ids.isEmpty { ids = [Vocabulary.unknownIndex] }
    if ids.count > maxLength { ids = truncation == .post ? Array(ids.prefix(maxLength)) : Array(ids.suffix(maxLength)) }
    return ids
  }

  /// Sequences joined into a batch: ids [B, T] as Float (exact below 2^24), post-padded with 0
  /// to the longest, and each one's length.
  public static func batch(_ sequences: [[Int]], labels: [Int], indices: [Int]) -> Batch {
    let t = sequences.map(\.count).max() ?? 1
    var values = [Float](repeating: 0, count: sequences.count * t)
    for (row, ids) in sequences.enumerated() {
      for (step, id) in ids.enumerated() { values[row * t + step] = Float(id) }
    }
    return Batch(inputs: Tensor(shape: [sequences.count, t], values), labels: labels,
                 lengths: sequences.map(\.count), indices: indices)
  }

  public var json: [String: JSONValue] {
    [
      "tokenizer": .object([
        "lowercase": .bool(tokenizer.lowercase), "normalize_nfkc": .bool(tokenizer.normalizeNFKC),
        "split_contractions": .bool(tokenizer.splitContractions),
      ]),
      "vocabulary": .array(vocabulary.tokens.map(JSONValue.string)),
      "max_length": .number(Double(maxLength)),
      "padding": .string(padding.rawValue),
      "truncation": .string(truncation.rawValue),
    ]
  }

  /// Reads `json` (a bundle's `preprocessing`); the error names the first bad key.
  public init(json: [String: JSONValue]) throws(ArchitectureError) {
    func bad(_ key: String) -> ArchitectureError { ArchitectureError(.invalidHyperparameter("preprocessing.\(key)")) }
    guard let t = json["tokenizer"]?.object, let lowercase = t["lowercase"]?.bool,
          let nfkc = t["normalize_nfkc"]?.bool, let contractions = t["split_contractions"]?.bool
    else { throw bad("tokenizer") }
    guard let list = json["vocabulary"]?.array else { throw bad("vocabulary") }
    let tokens = list.compactMap(\.string)
    guard tokens.count == list.count, tokens.count >= 2, tokens[0] == Vocabulary.paddingToken,
          tokens[1] == Vocabulary.unknownToken, Set(tokens.map { ExactString($0) }).count == tokens.count
    else { throw bad("vocabulary") }
    guard let maxLength = json["max_length"]?.int, maxLength >= 1 else { throw bad("max_length") }
    guard json["padding"]?.string == SequenceEnd.post.rawValue else { throw bad("padding") }
    guard let truncation = json["truncation"]?.string.flatMap(SequenceEnd.init(rawValue:)) else { throw bad("truncation") }
    self.init(tokenizer: Tokenizer(lowercase: lowercase, normalizeNFKC: nfkc, splitContractions: contractions),
              vocabulary: Vocabulary(words: Array(tokens.dropFirst(2))), maxLength: maxLength, truncation: truncation)
  }
}
