/// CSV or TSV bytes split into records of fields, with the line each record starts on: the one
/// table reader every modality's datasets use (labels tables, text tables).
///
/// - CSV follows RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): a field wrapped in `"`
///   may hold commas, line breaks and `""` for a quote; after the closing quote only a comma
///   or the end of the record may follow. A quote inside an unquoted field is kept, as
///   Python's `csv` module does. A quoted field that never closes is reported and reading
///   resumes on the line after the one the record started on.
/// - TSV: fields end at a tab or a line break. A field that starts with `"` and has a closing
///   quote on the same line followed by a tab or the line's end is unquoted (`""` → `"`);
///   any other quote is literal text (`"Great" he said` stays as is), so quoted TSV fields
///   never span lines.
///
/// Line breaks are `\n`, `\r\n` or a lone `\r` (old Mac exports); empty lines are skipped; a
/// UTF-8 byte-order mark is dropped. A field that is not valid UTF-8 makes its record malformed.
/// A malformed record is a `DataIssue` naming the file and the line it starts on.
public struct DelimitedText: Sendable {
  public enum Dialect: String, Sendable, CaseIterable {
    case csv, tsv

    /// The byte that separates fields.
    public var delimiter: UInt8 { self == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t") }

    /// CSV for a `.csv` name; otherwise TSV when the first line holds a tab, else CSV.
    public static func guess(path: String, bytes: [UInt8]) -> Dialect {
      if path.lowercased().hasSuffix(".csv") { return .csv }
      let firstLine = bytes.prefix { $0 != newline && $0 != carriageReturn }
      return firstLine.contains(UInt8(ascii: "\t")) ? .tsv : .csv
    }
  }

  /// One record: its fields, or why it is malformed.
  public struct Record: Sendable {
    /// 1-based line the record starts on.
    public let line: Int
    public let result: Result<[String], DataIssue>

    /// The fields of a well-formed record; nil for a malformed one.
    public var fields: [String]? { try? result.get() }
  }

  /// The file the bytes came from (named in every issue).
  public let path: String
  public let dialect: Dialect
  /// The records in file order, empty lines left out.
  public let records: [Record]

  public init(bytes: [UInt8], dialect: Dialect, path: String) {
    self.path = path
    self.dialect = dialect
    let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    var scanner = Scanner(bytes: body, delimiter: dialect.delimiter)
    records = scanner.records(dialect, path: path)
  }

  static let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
}

extension DelimitedText {
  /// The byte-level reader: a position and the line it is on.
  struct Scanner {
    let bytes: [UInt8]
    let delimiter: UInt8
    var i = 0, line = 1

    init(bytes: [UInt8], delimiter: UInt8) {
      self.bytes = bytes
      self.delimiter = delimiter
    }

    /// The length of the line break at `k` (2 for `\r\n`, 1 for `\n` or `\r`), 0 if none.
    func lineBreak(at k: Int) -> Int {
      guard k < bytes.count else { return 0 }
      if bytes[k] == DelimitedText.newline { return 1 }
      guard bytes[k] == DelimitedText.carriageReturn else { return 0 }
      return k + 1 < bytes.count && bytes[k + 1] == DelimitedText.newline ? 2 : 1
    }

    /// True at a line break or the end; nothing is consumed.
    func atRecordEnd() -> Bool { i >= bytes.count || lineBreak(at: i) > 0 }

    /// Moves past the line break at `i` (if any) and counts it.
    mutating func consumeLineBreak() {
      let n = lineBreak(at: i)
      if n > 0 { i += n; line += 1 }
    }

    mutating func records(_ dialect: Dialect, path: String) -> [Record] {
      var out: [Record] = []
      while i < bytes.count {
        if lineBreak(at: i) > 0 { consumeLineBreak(); continue }  // an empty line
        let start = i, startLine = line
        let parsed = dialect == .csv ? csvRecord() : tsvRecord()
        switch parsed.flatMap(Self.decode) {
        case .success(let fields):
          out.append(Record(line: startLine, result: .success(fields)))
        case .failure(let error):
          out.append(Record(line: startLine, result: .failure(DataIssue(path: path, line: startLine, reason: error.reason))))
          if case .failure = parsed {
            // Resume after the line the broken record started on.
            i = start
            while !atRecordEnd() { i += 1 }
            line = startLine
            consumeLineBreak()
          }
        }
      }
      return out
    }

    struct Failure: Error { var reason: String }

    static func decode(_ fields: [ArraySlice<UInt8>]) -> Result<[String], Failure> {
      var strings: [String] = []
      strings.reserveCapacity(fields.count)
      for (k, field) in fields.enumerated() {
        guard let s = String(validating: field, as: UTF8.self) else {
          return .failure(Failure(reason: "field \(k + 1) is not valid UTF-8"))
        }
        strings.append(s)
      }
      return .success(strings)
    }

    mutating func csvRecord() -> Result<[ArraySlice<UInt8>], Failure> {
      var fields: [ArraySlice<UInt8>] = []
      let n = bytes.count
      while true {
        if i < n && bytes[i] == DelimitedText.quote {
          var value: [UInt8] = []
          i += 1
          while true {
            guard i < n else { return .failure(Failure(reason: "quoted field is never closed")) }
            let c = bytes[i]
            if c == DelimitedText.quote {
              if i + 1 < n && bytes[i + 1] == DelimitedText.quote { value.append(c); i += 2; continue }
              i += 1
              break
            }
            let lineBreak = lineBreak(at: i)
            if lineBreak > 0 {
              value.append(contentsOf: bytes[i..<(i + lineBreak)])
              i += lineBreak
              line += 1
              continue
            }
            value.append(c)
            i += 1
          }
          fields.append(value[...])
          if i < n && bytes[i] == delimiter { i += 1; continue }
          guard atRecordEnd() else {
            return .failure(Failure(reason: "unexpected character after the closing quote of field \(fields.count)"))
          }
        } else {
          let start = i
          while i < n && bytes[i] != delimiter && !atRecordEnd() { i += 1 }
          fields.append(bytes[start..<i])
          if i < n && bytes[i] == delimiter { i += 1; continue }
        }
        consumeLineBreak()
        return .success(fields)
      }
    }

    mutating func tsvRecord() -> Result<[ArraySlice<UInt8>], Failure> {
      var fields: [ArraySlice<UInt8>] = []
      let n = bytes.count
      while true {
        let start = i
        while i < n && bytes[i] != delimiter && !atRecordEnd() { i += 1 }
        fields.append(DelimitedText.unquoteTSV(bytes[start..<i]))
        if i < n && bytes[i] == delimiter { i += 1; continue }
        consumeLineBreak()
        return .success(fields)
      }
    }
  }

  /// `"…"` with only doubled quotes inside → its content; anything else unchanged.
  static func unquoteTSV(_ field: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    guard field.count >= 2, field.first == quote, field.last == quote else { return field }
    var value: [UInt8] = []
    var k = field.startIndex + 1
    let end = field.endIndex - 1
    while k < end {
      if field[k] == quote {
        guard k + 1 < end, field[k + 1] == quote else { return field }
        value.append(quote)
        k += 2
      } else {
        value.append(field[k])
        k += 1
      }
    }
    return value[...]
  }
}
