/// How `EmbeddingTable.load` treats the rows it reads.
public struct EmbeddingLoadOptions: Equatable, Sendable {
  /// Read only the first `limit` rows (files are usually ordered by frequency), as gensim's
  /// `limit`. Rows after them are not read, so they are not checked either.
  public var limit: Int?
  /// Whether words are lowercased (`String.lowercased()`), and how rows that then share a word
  /// are merged. Without lowercasing, repeated words follow `duplicates`. Words are otherwise
  /// kept byte for byte: `café` in NFC and in NFD are two words, as in gensim (see `ExactString`).
  public var lowercase: LowercaseMerge
  /// What to do with a word that is not valid UTF-8, as gensim's `unicode_errors`.
  public var unicodeErrors: UnicodeErrorPolicy
  /// What to do with a word that appears twice (the same bytes; lowercasing off). Every repeat
  /// is listed in `EmbeddingTable.report.duplicates` whatever the policy.
  public var duplicates: DuplicatePolicy
  /// Skip a malformed row (wrong number of values, a value that is not a number, an empty field,
  /// no word, a word that is not UTF-8 under `.strict`) and list it in
  /// `EmbeddingTable.report.skippedRows`, instead of failing the whole load. Off by default: a
  /// malformed row is an error naming the file, the line and the reason.
  public var lenient: Bool

  public enum LowercaseMerge: String, Sendable, CaseIterable {
    /// Words are kept as written.
    case none
    /// Lowercase; the first row of each lowercased word wins (in frequency-ordered files, the
    /// most frequent casing).
    case keepFirst
    /// Lowercase; the vectors of all rows of a lowercased word are averaged.
    case average
  }

  /// As Python's codec error handlers, which gensim passes through.
  public enum UnicodeErrorPolicy: String, Sendable, CaseIterable {
    /// Invalid UTF-8 is an error.
    case strict
    /// Each maximal invalid subsequence becomes U+FFFD.
    case replace
    /// Invalid bytes are dropped.
    case ignore
  }

  public enum DuplicatePolicy: String, Sendable, CaseIterable {
    // Raw values are the CLI's `--duplicates` spellings.
    /// The first row wins, as gensim (which logs a warning).
    case keepFirst = "keep-first"
    /// The last row's vector wins; the word keeps the position of its first row.
    case keepLast = "keep-last"
    /// A repeated word is an `EmbeddingFormatError`.
    case error
  }

  public init(limit: Int? = nil, lowercase: LowercaseMerge = .none, unicodeErrors: UnicodeErrorPolicy = .strict,
              duplicates: DuplicatePolicy = .keepFirst, lenient: Bool = false) {
    if let limit { precondition(limit >= 0, "EmbeddingLoadOptions: negative limit \(limit)") }
    self.limit = limit
    self.lowercase = lowercase
    self.unicodeErrors = unicodeErrors
    self.duplicates = duplicates
    self.lenient = lenient
  }
}
