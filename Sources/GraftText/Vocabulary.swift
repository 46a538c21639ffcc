import GraftCore

/// Where padding or truncation happens in `Vocabulary.encode(_:length:padding:truncation:)`:
/// at the start of the sequence (`pre`) or at its end (`post`), as Keras `pad_sequences`.
public enum SequenceEnd: String, Codable, Sendable {
  case pre, post
}

/// A token ↔ index mapping with `<pad>` = 0 and `<unk>` = 1.
///
/// Built from token streams by `init(counting:minFrequency:maxSize:)`: tokens seen at least
/// `minFrequency` times, most frequent first, ties broken by the token's UTF-8 bytes, so the
/// same streams always give the same indices (as torchtext's `build_vocab_from_iterator`, which
/// also puts special tokens first). Codable as `{"tokens": [...]}` for the model bundle;
/// decoding checks the special tokens and rejects duplicates.
///
/// Tokens are counted and matched byte for byte (`ExactString`): `café` in NFC and in NFD are two
/// tokens unless the tokenizer normalises (its `normalizeNFKC` option, on by default).
public struct Vocabulary: Codable, Equatable, Sendable {
  public static let paddingToken = "<pad>"
  public static let unknownToken = "<unk>"
  public static let paddingIndex = 0
  public static let unknownIndex = 1

  /// Every token, by index; `tokens[0] == "<pad>"`, `tokens[1] == "<unk>"`.
  public let tokens: [String]
  private let indices: [ExactString: Int]

  /// A vocabulary of `<pad>`, `<unk>`, then `words` in order. Each word must be distinct and
  /// neither special token.
  public init(words: [String]) {
    var all = [Vocabulary.paddingToken, Vocabulary.unknownToken]
    all.append(contentsOf: words)
    var indices: [ExactString: Int] = [:]
    indices.reserveCapacity(all.count)
    for (i, token) in all.enumerated() {
      let previous = indices.updateValue(i, forKey: ExactString(token))
      precondition(previous == nil, "Vocabulary: duplicate token \"\(token)\" at \(previous ?? 0) and \(i)")
    }
    self.tokens = all
    self.indices = indices
  }

  /// Counts the tokens of `streams` and keeps those seen at least `minFrequency` times,
  /// most frequent first (ties: by UTF-8 bytes), at most `maxSize` entries in all (the two
  /// special tokens included). The special tokens themselves are never counted.
  public init<S: Sequence>(counting streams: S, minFrequency: Int = 1, maxSize: Int? = nil)
  where S.Element: Sequence, S.Element.Element == String {
    var counter = TokenCounter()
    for stream in streams { counter.add(stream) }
    self.init(counter, minFrequency: minFrequency, maxSize: maxSize)
  }

  /// The vocabulary of counted tokens; see `init(counting:minFrequency:maxSize:)`.
  public init(_ counter: TokenCounter, minFrequency: Int = 1, maxSize: Int? = nil) {
    precondition(minFrequency >= 1, "Vocabulary: minFrequency \(minFrequency) must be at least 1")
    if let maxSize { precondition(maxSize >= 2, "Vocabulary: maxSize \(maxSize) leaves no room for <pad> and <unk>") }
    var kept = counter.counts.filter {
      $0.value >= minFrequency && $0.key != ExactString(Vocabulary.paddingToken) && $0.key != ExactString(Vocabulary.unknownToken)
    }.map { (token: $0.key.string, count: $0.value) }
    kept.sort { a, b in a.count != b.count ? a.count > b.count : a.token.utf8.lexicographicallyPrecedes(b.token.utf8) }
    if let maxSize, kept.count > maxSize - 2 { kept.removeLast(kept.count - (maxSize - 2)) }
    self.init(words: kept.map(\.token))
  }

  public var count: Int { tokens.count }

  /// The index of `token`, or nil when it is not in the vocabulary.
  public func index(of token: String) -> Int? { indices[ExactString(token)] }

  public func contains(_ token: String) -> Bool { index(of: token) != nil }

  public subscript(index: Int) -> String {
    precondition(index >= 0 && index < tokens.count, "Vocabulary: index \(index) outside 0..<\(tokens.count)")
    return tokens[index]
  }

  /// Indices of `tokens`; unknown tokens map to `<unk>` (1).
  public func encode(_ tokens: [String]) -> [Int] {
    tokens.map { indices[ExactString($0)] ?? Vocabulary.unknownIndex }
  }

  /// Indices of `tokens`, cut or padded with `<pad>` (0) to exactly `length`. `truncation: .post`
  /// keeps the first `length` tokens, `.pre` the last; `padding` says where the zeros go.
  public func encode(_ tokens: [String], length: Int, padding: SequenceEnd = .post, truncation: SequenceEnd = .post) -> [Int] {
    Vocabulary.fit(encode(tokens), length: length, padding: padding, truncation: truncation)
  }

  /// `ids` cut or padded with 0 to exactly `length`, as Keras `pad_sequences`.
  public static func fit(_ ids: [Int], length: Int, padding: SequenceEnd = .post, truncation: SequenceEnd = .post) -> [Int] {
    precondition(length >= 0, "Vocabulary.fit: negative length \(length)")
    if ids.count >= length {
      return truncation == .post ? Array(ids.prefix(length)) : Array(ids.suffix(length))
    }
    let pad = [Int](repeating: Vocabulary.paddingIndex, count: length - ids.count)
    return padding == .post ? ids + pad : pad + ids
  }

  /// The tokens of `ids`; `<pad>` entries are left out when `skipPadding`.
  public func decode(_ ids: [Int], skipPadding: Bool = true) -> [String] {
    ids.compactMap { id in
      if skipPadding && id == Vocabulary.paddingIndex { return nil }
      return self[id]
    }
  }

  // MARK: Codable

  private enum CodingKeys: String, CodingKey { case tokens }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let tokens = try container.decode([String].self, forKey: .tokens)
    guard tokens.count >= 2, tokens[0] == Vocabulary.paddingToken, tokens[1] == Vocabulary.unknownToken else {
      throw DecodingError.dataCorruptedError(forKey: .tokens, in: container,
                                             debugDescription: "a vocabulary starts with \"<pad>\", \"<unk>\"")
    }
    var indices: [ExactString: Int] = [:]
    for (i, token) in tokens.enumerated() where indices.updateValue(i, forKey: ExactString(token)) != nil {
      throw DecodingError.dataCorruptedError(forKey: .tokens, in: container,
                                             debugDescription: "duplicate token \"\(token)\" at index \(i)")
    }
    self.tokens = tokens
    self.indices = indices
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(tokens, forKey: .tokens)
  }

  public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.tokens == b.tokens }
}

/// Token frequencies, gathered incrementally (one stream at a time) for `Vocabulary`; tokens are
/// counted byte for byte (`ExactString`).
public struct TokenCounter: Sendable {
  public private(set) var counts: [ExactString: Int] = [:]

  public init() {}

  public mutating func add<S: Sequence>(_ tokens: S) where S.Element == String {
    for token in tokens { counts[ExactString(token), default: 0] += 1 }
  }

  /// How often `token` (these exact bytes) was seen.
  public func count(of token: String) -> Int { counts[ExactString(token)] ?? 0 }
}
