/// Splits CSV or TSV bytes into records of fields, with the line each record starts on.
///
/// - CSV follows RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180): a field wrapped in `"`
///   may hold commas, line breaks and `""` for a quote; after the closing quote only a comma
///   or the end of the record may follow. A quote inside an unquoted field is kept, as
///   Python's `csv` module does. A quoted field that never closes is reported and parsing
///   resumes on the line after the one the record started on.
/// - TSV: fields end at a tab or a line break. A field that starts with `"` and has a closing
///   quote on the same line followed by a tab or the line's end is unquoted (`""` → `"`);
///   any other quote is literal text (`"Great" he said` stays as is), so quoted TSV fields
///   never span lines.
///
/// Line breaks are `\n` or `\r\n`; empty lines are skipped; a UTF-8 byte-order mark is dropped.
/// A field that is not valid UTF-8 makes its record malformed.
struct DelimitedParser {
  enum Dialect { case csv, tsv }

  struct Record {
    /// 1-based line the record starts on.
    var line: Int
    var result: Result<[String], RecordError>
  }

  struct RecordError: Error, Equatable { var reason: String }

  let bytes: [UInt8]
  let dialect: Dialect

  static let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")

  init(bytes: [UInt8], dialect: Dialect) {
    self.bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
    self.dialect = dialect
  }

  var delimiter: UInt8 { dialect == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t") }

  func records() -> [Record] {
    var out: [Record] = []
    var i = 0, line = 1
    let n = bytes.count
    while i < n {
      // Skip empty lines.
      if bytes[i] == Self.newline { i += 1; line += 1; continue }
      if bytes[i] == Self.carriageReturn, i + 1 < n, bytes[i + 1] == Self.newline { i += 2; line += 1; continue }
      let start = i, startLine = line
      switch dialect == .csv ? parseCSVRecord(&i, &line) : parseTSVRecord(&i, &line) {
      case .success(let fields):
        out.append(Record(line: startLine, result: decode(fields)))
      case .failure(let error):
        out.append(Record(line: startLine, result: .failure(error)))
        // Resume after the line the broken record started on.
        i = start
        while i < n && bytes[i] != Self.newline { i += 1 }
        if i < n { i += 1 }
        line = startLine + 1
      }
    }
    return out
  }

  private func decode(_ fields: [ArraySlice<UInt8>]) -> Result<[String], RecordError> {
    var strings: [String] = []
    strings.reserveCapacity(fields.count)
    for (k, field) in fields.enumerated() {
      guard let s = String(validating: field, as: UTF8.self) else {
        return .failure(RecordError(reason: "field \(k + 1) is not valid UTF-8"))
      }
      strings.append(s)
    }
    return .success(strings)
  }

  /// True at `\n`, `\r\n` or the end; `i` is not moved.
  private func atRecordEnd(_ i: Int) -> Bool {
    i >= bytes.count || bytes[i] == Self.newline
      || (bytes[i] == Self.carriageReturn && i + 1 < bytes.count && bytes[i + 1] == Self.newline)
  }

  /// Moves past the record's line break (if any) and counts it.
  private func consumeRecordEnd(_ i: inout Int, _ line: inout Int) {
    if i < bytes.count && bytes[i] == Self.carriageReturn { i += 1 }
    if i < bytes.count && bytes[i] == Self.newline { i += 1; line += 1 }
  }

  private func parseCSVRecord(_ i: inout Int, _ line: inout Int) -> Result<[ArraySlice<UInt8>], RecordError> {
    var fields: [ArraySlice<UInt8>] = []
    let n = bytes.count
    while true {
      if i < n && bytes[i] == Self.quote {
        var value: [UInt8] = []
        i += 1
        while true {
          guard i < n else { return .failure(RecordError(reason: "quoted field is never closed")) }
          let c = bytes[i]
          if c == Self.quote {
            if i + 1 < n && bytes[i + 1] == Self.quote { value.append(Self.quote); i += 2; continue }
            i += 1
            break
          }
          if c == Self.newline { line += 1 }
          value.append(c)
          i += 1
        }
        fields.append(value[...])
        if i < n && bytes[i] == delimiter { i += 1; continue }
        guard atRecordEnd(i) else {
          return .failure(RecordError(reason: "unexpected character after the closing quote of field \(fields.count)"))
        }
      } else {
        let start = i
        while i < n && bytes[i] != delimiter && !atRecordEnd(i) { i += 1 }
        fields.append(bytes[start..<i])
        if i < n && bytes[i] == delimiter { i += 1; continue }
      }
      consumeRecordEnd(&i, &line)
      return .success(fields)
    }
  }

  private func parseTSVRecord(_ i: inout Int, _ line: inout Int) -> Result<[ArraySlice<UInt8>], RecordError> {
    var fields: [ArraySlice<UInt8>] = []
    let n = bytes.count
    while true {
      let start = i
      while i < n && bytes[i] != delimiter && !atRecordEnd(i) { i += 1 }
      fields.append(Self.unquoteTSV(bytes[start..<i]))
      if i < n && bytes[i] == delimiter { i += 1; continue }
      consumeRecordEnd(&i, &line)
      return .success(fields)
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
