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
  public init(json: [String: JSONValue]) throws(SettingsError) {
    let s = SettingsDecoder(json)
    let t = try s.object("tokenizer")
    let tokenizer = Tokenizer(lowercase: try t.bool("lowercase"), normalizeNFKC: try t.bool("normalize_nfkc"),
                              splitContractions: try t.bool("split_contractions"))
    let tokens = try s.strings("vocabulary")
    guard tokens.count >= 2, tokens[0] == Vocabulary.paddingToken, tokens[1] == Vocabulary.unknownToken,
          Set(tokens.map { ExactString($0) }).count == tokens.count
    else { throw s.error("vocabulary", "distinct tokens starting with \(Vocabulary.paddingToken), \(Vocabulary.unknownToken)") }
    let maxLength = try s.int("max_length", in: 1...Int(Int32.max))
    guard json["padding"]?.string == SequenceEnd.post.rawValue else { throw s.error("padding", "\"post\"") }
    guard let truncation = json["truncation"]?.string.flatMap(SequenceEnd.init(rawValue:)) else {
      throw s.error("truncation", "\"pre\" or \"post\"")
    }
    self.init(tokenizer: tokenizer, vocabulary: Vocabulary(words: Array(tokens.dropFirst(2))), maxLength: maxLength,
              truncation: truncation)
  }
}
