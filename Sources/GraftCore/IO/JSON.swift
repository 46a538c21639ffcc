/// A parsed JSON value (RFC 8259, https://www.rfc-editor.org/rfc/rfc8259), as small as the
/// safetensors header needs. Object members keep their file order, duplicates included.
enum ParsedJSON: Equatable {
  case object([(key: String, value: ParsedJSON)])
  case array([ParsedJSON])
  case string(String)
  /// A number written without fraction or exponent that fits in `Int`.
  case integer(Int)
  /// Any other number.
  case number(Double)
  case bool(Bool)
  case null

  static func == (a: ParsedJSON, b: ParsedJSON) -> Bool {
    switch (a, b) {
    case let (.object(x), .object(y)):
      x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case let (.array(x), .array(y)): x == y
    case let (.string(x), .string(y)): x == y
    case let (.integer(x), .integer(y)): x == y
    case let (.number(x), .number(y)): x == y
    case let (.bool(x), .bool(y)): x == y
    case (.null, .null): true
    default: false
    }
  }
}

/// Where and why JSON text failed to parse.
struct JSONSyntaxError: Error, Equatable, CustomStringConvertible {
  let offset: Int
  let message: String
  var description: String { "\(message) at byte \(offset)" }
}

/// A recursive-descent JSON parser over raw bytes. Never traps: every malformed input, including
/// nesting deeper than `maximumDepth`, throws `JSONSyntaxError`.
struct JSONParser {
  static let maximumDepth = 64

  private let bytes: UnsafeRawBufferPointer
  private var index = 0

  /// Parses one value; only whitespace may follow it.
  static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> ParsedJSON {
    var parser = JSONParser(bytes: bytes)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    if parser.index != bytes.count { throw parser.error("unexpected text after the value") }
    return value
  }

  private init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  private func error(_ message: String) -> JSONSyntaxError {
    JSONSyntaxError(offset: index, message: message)
  }

  private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

  private mutating func skipWhitespace() {
    while let b = peek, b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { index += 1 }
  }

  private mutating func expect(_ literal: StaticString) throws(JSONSyntaxError) {
    let start = index
    for b in UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount) {
      guard peek == b else { index = start; throw error("invalid literal") }
      index += 1
    }
  }

  private mutating func value(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    skipWhitespace()
    guard let b = peek else { throw error("unexpected end of text") }
    switch b {
    case UInt8(ascii: "{"): return try object(depth: depth + 1)
    case UInt8(ascii: "["): return try array(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"): try expect("true"); return .bool(true)
    case UInt8(ascii: "f"): try expect("false"); return .bool(false)
    case UInt8(ascii: "n"): try expect("null"); return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("unexpected character")
    }
  }

  private mutating func object(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    guard depth <= JSONParser.maximumDepth else { throw error("nesting too deep") }
    index += 1  // {
    var members: [(key: String, value: ParsedJSON)] = []
    skipWhitespace()
    if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
    while true {
      skipWhitespace()
      guard peek == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let key = try string()
      skipWhitespace()
      guard peek == UInt8(ascii: ":") else { throw error("expected ':'") }
      index += 1
      members.append((key, try value(depth: depth)))
      skipWhitespace()
      switch peek {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "}"): index += 1; return .object(members)
      default: throw error("expected ',' or '}'")
      }
    }
  }

  private mutating func array(depth: Int) throws(JSONSyntaxError) -> ParsedJSON {
    guard depth <= JSONParser.maximumDepth else { throw error("nesting too deep") }
    index += 1  // [
    var elements: [ParsedJSON] = []
    skipWhitespace()
    if peek == UInt8(ascii: "]") { index += 1; return .array(elements) }
    while true {
      elements.append(try value(depth: depth))
      skipWhitespace()
      switch peek {
      case UInt8(ascii: ","): index += 1
      case UInt8(ascii: "]"): index += 1; return .array(elements)
      default: throw error("expected ',' or ']'")
      }
    }
  }

  private mutating func string() throws(JSONSyntaxError) -> String {
    index += 1  // opening quote
    var utf8: [UInt8] = []
    while true {
      guard let b = peek else { throw error("unterminated string") }
      index += 1
      switch b {
      case UInt8(ascii: "\""):
        guard let s = String(validating: utf8, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
        return s
      case UInt8(ascii: "\\"):
        guard let e = peek else { throw error("unterminated string") }
        index += 1
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
        default: throw error("invalid escape")
        }
      case 0..<0x20:
        throw error("control character in string")
      default:
        utf8.append(b)
      }
    }
  }

  /// The UTF-8 of a `\uXXXX` escape (the `\u` already read), joining surrogate pairs.
  private mutating func unicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
    var code = try hex4()
    if 0xD800..<0xDC00 ~= code {
      guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
        throw error("lone surrogate")
      }
      index += 2
      let low = try hex4()
      guard 0xDC00..<0xE000 ~= low else { throw error("lone surrogate") }
      code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
    } else if 0xDC00..<0xE000 ~= code {
      throw error("lone surrogate")
    }
    guard let scalar = Unicode.Scalar(code) else { throw error("invalid code point") }
    return Array(String(Character(scalar)).utf8)
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let b = peek else { throw error("unterminated escape") }
      let digit: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
      default: throw error("invalid hex digit")
      }
      code = code << 4 | UInt32(digit)
      index += 1
    }
    return code
  }

  private mutating func number() throws(JSONSyntaxError) -> ParsedJSON {
    let start = index
    func digits(_ p: inout JSONParser) -> Int {
      var n = 0
      while let b = p.peek, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { p.index += 1; n += 1 }
      return n
    }
    if peek == UInt8(ascii: "-") { index += 1 }
    if peek == UInt8(ascii: "0") {
      index += 1
    } else if digits(&self) == 0 {
      throw error("invalid number")
    }
    var isInteger = true
    if peek == UInt8(ascii: ".") {
      index += 1
      isInteger = false
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
      index += 1
      isInteger = false
      if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    if isInteger, let n = Int(text) { return .integer(n) }
    guard let x = Double(text) else { throw error("invalid number") }
    return .number(x)
  }
}

enum JSON {
  /// `s` as a JSON string literal: quotes, backslashes and control characters escaped.
  static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
