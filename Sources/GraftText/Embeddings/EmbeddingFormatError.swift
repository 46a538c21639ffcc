/// An embedding file could not be read. Positions are 1-based line numbers in text formats and
/// 0-based byte offsets in word2vec binary files. The checks follow gensim's
/// `KeyedVectors.load_word2vec_format` (`gensim/models/keyedvectors.py`), which also raises
/// for each of these, except that Graft also rejects rows beyond the header's count (gensim
/// ignores them) and an empty word. Row-level problems (`isRowProblem`) are skipped and reported
/// instead of thrown under `EmbeddingLoadOptions.lenient`.
public struct EmbeddingFormatError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  /// Where in the file a problem is.
  public enum Location: Equatable, Sendable, CustomStringConvertible {
    case line(Int)
    case byte(Int)

    public var description: String {
      switch self {
      case .line(let n): "line \(n)"
      case .byte(let n): "byte \(n)"
      }
    }
  }

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or not a regular file; carries `strerror(errno)`.
    case cannotOpen(String)
    /// Reading failed part way; carries `strerror(errno)`.
    case readFailed(String)
    /// The file has no bytes.
    case empty
    /// The first line is not `count dimension` (two non-negative integers, dimension ≥ 1);
    /// carries the line (at most 80 characters).
    case badHeader(String)
    /// `--format auto` found neither a `count dimension` header nor a GloVe row; carries the
    /// start of the first line.
    case unrecognizedFormat(String)
    /// The header promises more rows than the file holds.
    case tooFewRows(expected: Int, found: Int)
    /// The header promises `expected` rows, and another row starts at `at`.
    case tooManyRows(expected: Int, at: Location)
    /// A text row has `found` values where the file's dimension is `expected`.
    case wrongDimension(at: Location, expected: Int, found: Int)
    /// Value number `field` (1-based, after the word) of a text row is not a number.
    case nonNumeric(at: Location, field: Int, value: String)
    /// A binary file ends inside row `row` (0-based).
    case truncated(at: Location, row: Int)
    /// A word is not valid UTF-8 (with `unicodeErrors: .strict`).
    case invalidUTF8(at: Location)
    /// A row has no word before its values.
    case emptyWord(at: Location)
    /// A text row has an empty field: two separators in a row (`word  0.1 …`), as gensim's
    /// `split(" ")` sees it (`could not convert string to float: ''`); `field` is 1-based after
    /// the word.
    case emptyField(at: Location, field: Int)
    /// A word appears a second time (with `duplicates: .error`); `first` is where it first appeared.
    case duplicateWord(String, at: Location, first: Location)

    public var description: String {
      switch self {
      case .cannotOpen(let m): "cannot open: \(m)"
      case .readFailed(let m): "read failed: \(m)"
      case .empty: "empty file"
      case .badHeader(let line): "bad header \"\(line)\": expected \"count dimension\""
      case .unrecognizedFormat(let line):
        "unrecognized format: first line \"\(line)\" is neither a \"count dimension\" header nor a GloVe row"
      case .tooFewRows(let expected, let found): "header says \(expected) rows, file has \(found)"
      case .tooManyRows(let expected, let at): "header says \(expected) rows, another row starts at \(at)"
      case .wrongDimension(let at, let expected, let found): "\(at): \(found) values, expected \(expected)"
      case .nonNumeric(let at, let field, let value): "\(at): value \(field) \"\(value)\" is not a number"
      case .truncated(let at, let row): "file ends inside row \(row) (at \(at))"
      case .invalidUTF8(let at): "\(at): word is not valid UTF-8"
      case .emptyWord(let at): "\(at): row has no word"
      case .emptyField(let at, let field): "\(at): value \(field) is empty (two separators in a row)"
      case .duplicateWord(let word, let at, let first): "\(at): duplicate word \"\(word)\" (first at \(first))"
      }
    }
  }

  /// A problem confined to one row, which `lenient` loading skips: the rows around it are intact.
  public var isRowProblem: Bool {
    switch reason {
    case .wrongDimension, .nonNumeric, .invalidUTF8, .emptyWord, .emptyField: true
    default: false
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
