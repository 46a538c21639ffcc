#if canImport(Glibc)
import Glibc
#endif
import GraftCore
@testable import GraftText
import Testing

@Suite struct FloatParserTests {
  func parse(_ text: String) -> Float? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { FloatParser.parse($0.baseAddress!, 0, $0.count) }
  }

  /// `Float(strtod(text))`: what numpy.float32(float(text)) gives.
  func reference(_ text: String) -> Float { Float(strtod(text, nil)) }

  @Test func randomDecimalsMatchStrtod() {
    var generator = Generator(seed: 21)
    for _ in 0..<20_000 {
      var text = generator.int(below: 2) == 0 ? "-" : ""
      let integerDigits = generator.int(below: 25)
      for _ in 0..<integerDigits { text += String(generator.int(below: 10)) }
      if integerDigits == 0 || generator.int(below: 2) == 0 {
        text += "."
        for _ in 0..<(1 + generator.int(below: 25)) { text += String(generator.int(below: 10)) }
      }
      if generator.int(below: 3) == 0 { text += "e" + String(generator.int(below: 90) - 45) }
      let value = parse(text)
      #expect(value?.bitPattern == reference(text).bitPattern, "\(text)")
    }
  }

  @Test(arguments: ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "0x10", " 1", "1 ", "1_000", "--1", "in", "nanx", "١"])
  func rejects(text: String) {
    #expect(parse(text) == nil)
  }

  @Test func extremes() {
    #expect(parse("1e-50") == 0 && parse("-1e-50")?.sign == .minus)
    #expect(parse("1e400") == .infinity && parse("-INF") == -.infinity && parse("nan")?.isNaN == true)
    #expect(parse("3.4028235e38") == .greatestFiniteMagnitude)
    #expect(parse("1.4e-45") == .leastNonzeroMagnitude)
    #expect(parse("0000000000000000000000000000001.5") == 1.5)
    #expect(parse("9007199254740993") == Float(9007199254740993.0))
  }
}
