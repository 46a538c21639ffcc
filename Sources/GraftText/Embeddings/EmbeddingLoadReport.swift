/// What `EmbeddingTable.load` read but did not keep as a row of its own: repeated words (always
/// listed, whatever `EmbeddingLoadOptions.duplicates` did with them) and, with `lenient`, the
/// malformed rows it skipped. Empty for a clean file; never a silent drop.
public struct EmbeddingLoadReport: Equatable, Sendable {
  public typealias Location = EmbeddingFormatError.Location

  /// A word that appeared again (the same bytes) after its first row.
  public struct Duplicate: Equatable, Sendable {
    public let word: String
    /// Its first row, whose vector `keepFirst` keeps (as gensim).
    public let first: Location
    /// The later row.
    public let repeated: Location

    public init(word: String, first: Location, repeated: Location) {
      self.word = word
      self.first = first
      self.repeated = repeated
    }
  }

  /// Every repeat, in file order.
  public internal(set) var duplicates: [Duplicate] = []
  /// Rows skipped under `lenient`, each with the error it would have thrown, in file order.
  public internal(set) var skippedRows: [EmbeddingFormatError] = []

  public init() {}

  public var isEmpty: Bool { duplicates.isEmpty && skippedRows.isEmpty }

  /// One line per problem, `path: line 9: duplicate word "the" (first at line 2), kept the first`,
  /// for a tool to print as warnings.
  public func warnings(path: String, policy: EmbeddingLoadOptions.DuplicatePolicy) -> [String] {
    let kept = policy == .keepLast ? "kept the last vector" : "kept the first vector"
    return duplicates.map { "\(path): \($0.repeated): duplicate word \"\($0.word)\" (first at \($0.first)); \(kept)" }
      + skippedRows.map { "\($0.description); row skipped" }
  }
}
