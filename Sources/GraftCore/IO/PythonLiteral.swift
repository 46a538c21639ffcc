/// The subset of Python literals a `.npy` header holds (what NumPy reads with
/// `ast.literal_eval`): dicts, tuples, lists, strings, ints, `True`, `False`, `None`.
indirect enum PythonLiteral: CustomStringConvertible {
  case dict([(key: PythonLiteral, value: PythonLiteral)])
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  case string(String)
  case int(Int)
  case bool(Bool)
  case none

  /// Close to Python's `repr`.
  var description: String {
    switch self {
    case .dict(let items): "{" + items.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
    case .tuple(let items): items.count == 1 ? "(\(items[0]),)" : "(" + items.map(\.description).joined(separator: ", ") + ")"
    case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .string(let s): "'\(s)'"
    case .int(let n): "\(n)"
    case .bool(let b): b ? "True" : "False"
    case .none: "None"
    }
  }
}

/// Why a header failed to parse, with the byte offset.
struct PythonLiteralError: Error, Equatable, CustomStringConvertible {
  let offset: Int
  let message: String
  var description: String { "\(message) at byte \(offset)" }
}

/// A recursive-descent parser for `PythonLiteral`. Never traps: malformed text, integers that
/// overflow `Int` and nesting deeper than `maximumDepth` all throw.
struct PythonLiteralParser {
  static let maximumDepth = 32

  private let bytes: [UInt8]
  /// Strings decode as Latin-1 (format 1.0 and 2.0) or UTF-8 (format 3.0).
  private let utf8: Bool
  private var index = 0

  static func parse(_ bytes: [UInt8], utf8: Bool) throws(PythonLiteralError) -> PythonLiteral {
    var parser = PythonLiteralParser(bytes: bytes, utf8: utf8)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    if parser.index != bytes.count { throw parser.error("unexpected text after the literal") }
    return value
  }

  private init(bytes: [UInt8], utf8: Bool) {
    self.bytes = bytes
    self.utf8 = utf8
  }

  private func error(_ message: String) -> PythonLiteralError {
    PythonLiteralError(offset: index, message: message)
  }

  private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipWhitespace() {
    while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0C || b == 0x0B {
      index += 1
    }
  }

  private mutating func value(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
    guard depth <= PythonLiteralParser.maximumDepth else { throw error("nesting too deep") }
    skipWhitespace()
    guard let b = peek else { throw error("unexpected end of header") }
    switch b {
    case UInt8(ascii: "{"):
      index += 1
      var items: [(key: PythonLiteral, value: PythonLiteral)] = []
      while true {
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return .dict(items) }
        let key = try value(depth: depth + 1)
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
        index += 1
        items.append((key, try value(depth: depth + 1)))
        guard try separator(closing: UInt8(ascii: "}")) else { index += 1; return .dict(items) }
      }
    case UInt8(ascii: "("), UInt8(ascii: "["):
      let closing = b == UInt8(ascii: "(") ? UInt8(ascii: ")") : UInt8(ascii: "]")
      index += 1
      var items: [PythonLiteral] = []
      var sawComma = false
      while true {
        skipWhitespace()
        if peek == closing { index += 1; break }
        items.append(try value(depth: depth + 1))
        if try separator(closing: closing) { sawComma = true } else { index += 1; break }
      }
      if closing == UInt8(ascii: "]") { return .list(items) }
      // `(x)` is x; `(x,)` and `()` are tuples.
      return items.count == 1 && !sawComma ? items[0] : .tuple(items)
    case UInt8(ascii: "'"), UInt8(ascii: "\""):
      return .string(try string(quote: b))
    case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .int(try integer())
    default:
      if try keyword("True") { return .bool(true) }
      if try keyword("False") { return .bool(false) }
      if try keyword("None") { return .none }
      throw error("unexpected character")
    }
  }

  /// After an item: consumes `,` and returns true, or finds `closing` (left for the caller to
  /// consume) and returns false.
  private mutating func separator(closing: UInt8) throws(PythonLiteralError) -> Bool {
    skipWhitespace()
    if peek == UInt8(ascii: ",") { index += 1; return true }
    if peek == closing { return false }
    throw error("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
  }

  private mutating func keyword(_ word: String) throws(PythonLiteralError) -> Bool {
    let w = Array(word.utf8)
    guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else { return false }
    index += w.count
    return true
  }

  private mutating func string(quote: UInt8) throws(PythonLiteralError) -> String {
    index += 1
    var raw: [UInt8] = []
    while true {
      guard let b = peek, b != 0x0A else { throw error("unterminated string") }
      index += 1
      if b == quote { break }
      if b == UInt8(ascii: "\\") {
        guard let e = peek else { throw error("unterminated string") }
        index += 1
        switch e {
        case UInt8(ascii: "n"): raw.append(0x0A)
        case UInt8(ascii: "t"): raw.append(0x09)
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): raw.append(e)
        default: raw.append(contentsOf: [b, e])
        }
      } else {
        raw.append(b)
      }
    }
    if !utf8 { return String(String.UnicodeScalarView(raw.map { Unicode.Scalar($0) })) }
    guard let s = String(validating: raw, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
    return s
  }

  /// A decimal int; a Python 2 `L` suffix is accepted, as NumPy's `_filter_header` does.
  private mutating func integer() throws(PythonLiteralError) -> Int {
    let start = index
    if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") { index += 1 }
    let digitsStart = index
    while let b = peek, b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") { index += 1 }
    guard index > digitsStart else { throw error("invalid number") }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    if peek == UInt8(ascii: "L") || peek == UInt8(ascii: "l") { index += 1 }
    guard let n = Int(text) else { throw error("integer out of range") }
    return n
  }
}
