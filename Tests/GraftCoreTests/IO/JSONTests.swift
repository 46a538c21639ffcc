@testable import GraftCore
import Testing

extension IOTests {
  /// The header parser behind `SafeTensors` (RFC 8259).
  @Suite struct JSONTests {
    func parse(_ text: String) throws(JSONSyntaxError) -> ParsedJSON {
      let bytes = Array(text.utf8)
      return try bytes.withUnsafeBytes { raw in
        Result { () throws(JSONSyntaxError) in try JSONParser.parse(raw) }
      }.get()
    }

    @Test func scalarsAndContainers() throws {
      #expect(try parse(#" [1, -0, 2.5, 1e2, 12345678901234567890, true, false, null] "#)
        == .array([.integer(1), .integer(0), .number(2.5), .number(100), .number(12345678901234567890),
                   .bool(true), .bool(false), .null]))
      #expect(try parse(#"{"b":{},"a":[]}"#) == .object([("b", .object([])), ("a", .array([]))]))
    }

    @Test func stringEscapes() throws {
      #expect(try parse(#""\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00""#) == .string("\"\\/\u{8}\u{C}\n\r\té😀"))
    }

    @Test(arguments: ["", "01", "1.", "-", "+1", "1e", "tru", "\"\\x\"", "\"a", "\"\u{1}\"", "{\"a\" 1}",
                      "{1:2}", "[1,]", "[1 2]", "{\"a\":1,}", "\"\\ude00\"", "\"\\ud800\\u0041\"", "\"\\u12G4\""])
    func rejects(_ text: String) {
      #expect(throws: JSONSyntaxError.self) { try parse(text) }
    }

    @Test(arguments: ["plain", "quote\" back\\slash", "line\nbreak\ttab\r", "\u{0}\u{1F}", "é ✓ 😀"])
    func quotedRoundTrips(_ s: String) throws {
      #expect(try parse(JSON.quoted(s)) == .string(s))
    }
  }
}
