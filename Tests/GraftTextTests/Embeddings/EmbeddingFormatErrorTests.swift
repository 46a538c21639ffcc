import Foundation
import GraftText
import Testing

@Suite struct EmbeddingFormatErrorTests {
  typealias F = EmbeddingFixtures

  static let cases: [(String, EmbeddingFormat?, EmbeddingFormatError.Reason)] = [
    ("empty.txt", nil, .empty),
    ("empty.txt", .word2vecText, .empty),
    ("empty.txt", .glove, .empty),
    ("empty.txt", .word2vecBinary, .empty),
    ("bad_header.txt", nil, .badHeader("8 x")),
    ("bad_header.txt", .word2vecText, .badHeader("8 x")),
    ("count_too_large.txt", nil, .tooFewRows(expected: 10, found: 8)),
    ("count_too_small.txt", nil, .tooManyRows(expected: 7, at: .line(9))),
    ("wrong_dim.txt", nil, .wrongDimension(at: .line(5), expected: 4, found: 3)),
    ("non_numeric.txt", nil, .nonNumeric(at: .line(7), field: 2, value: "zero")),
    ("invalid_utf8.txt", nil, .invalidUTF8(at: .line(4))),
    ("truncated.bin", nil, .truncated(at: .byte(162), row: 7)),
    ("count_too_large.bin", nil, .tooFewRows(expected: 9, found: 8)),
    ("invalid_utf8.bin", nil, .invalidUTF8(at: .byte(68))),
    // The GloVe reader on a file with a header: the header row has 1 value, the next 4.
    ("vectors.txt", .glove, .wrongDimension(at: .line(2), expected: 1, found: 4)),
  ]

  @Test(arguments: cases)
  func malformedFileThrows(file: String, format: EmbeddingFormat?, reason: EmbeddingFormatError.Reason) throws {
    // gensim raises for each of these too, except count_too_small (it ignores the extra row).
    if file != "count_too_small.txt", format == nil { #expect(F.gensim(file)?.error != nil, "gensim loads \(file)") }
    let path = F.path(file)
    #expect(throws: EmbeddingFormatError(path: path, reason: reason)) {
      try EmbeddingTable.load(path, format: format)
    }
  }

  @Test func offsetsPointAtTheProblem() throws {
    // truncated.bin: row 7 ("king") starts right after row 6; its vector runs past the end.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: F.path("vectors.bin")))
    let kingOffset = try #require(bytes.firstRange(of: Data("king ".utf8))).lowerBound
    #expect(kingOffset + 5 == 162)
    let bad = try Data(contentsOf: URL(fileURLWithPath: F.path("invalid_utf8.bin")))
    #expect(bad.firstRange(of: Data([0x63, 0x61, 0x66, 0xE9]))?.lowerBound == 68)
  }

  @Test func descriptionNamesPathAndReason() {
    let e = EmbeddingFormatError(path: "/x/v.txt", reason: .wrongDimension(at: .line(5), expected: 4, found: 3))
    #expect(e.description == "/x/v.txt: line 5: 3 values, expected 4")
    #expect(EmbeddingFormatError(path: "v.bin", reason: .truncated(at: .byte(9), row: 2)).description
      == "v.bin: file ends inside row 2 (at byte 9)")
  }

  static let smallFiles: [(String, EmbeddingFormat?, EmbeddingFormatError.Reason?)] = [
    // (file bytes, format, expected reason)
    ("2 3\na 1 2 3\n\nb 4 5 6\n\n", .word2vecText, nil),
    ("2 3\r\na 1 2 3\r\nb 4 5 6", .word2vecText, nil),
    ("a 1 2 3\nb 4 5\n", .glove, .wrongDimension(at: .line(2), expected: 3, found: 2)),
    ("a 1 2 3\nb 4 5 6 7\n", .glove, .wrongDimension(at: .line(2), expected: 3, found: 4)),
    ("a 1 2 3\n 4 5 6\n", .glove, .emptyWord(at: .line(2))),
    ("a 1 2 3\nb 4 5 0x1\n", .glove, .nonNumeric(at: .line(2), field: 3, value: "0x1")),
    ("a 1 2 3\nb 4 5 1e\n", .glove, .nonNumeric(at: .line(2), field: 3, value: "1e")),
    ("a 1 2 3\nb 4 5 .\n", .glove, .nonNumeric(at: .line(2), field: 3, value: ".")),
    ("2 0\n", .word2vecText, .badHeader("2 0")),
    ("2 3 4\na 1 2 3\n", .word2vecText, .badHeader("2 3 4")),
    ("-2 3\n", .word2vecText, .badHeader("-2 3")),
    ("hello\n", nil, .unrecognizedFormat("hello")),
    ("\n\n", .glove, .empty),
    ("0 5\n", .word2vecText, nil),
    // Huge header counts and dimensions are not trusted for allocation.
    ("999999999999999 999999999999999\na 1 2\n", .word2vecText, .wrongDimension(at: .line(2), expected: 999_999_999_999_999, found: 2)),
    ("999999999999999 2\na 1 2\n", .word2vecText, .tooFewRows(expected: 999_999_999_999_999, found: 1)),
    ("3 999999999999999\nabc ", .word2vecBinary, .truncated(at: .byte(22), row: 0)),
    ("999999999999999 1\nabc 1234", .word2vecBinary, .tooFewRows(expected: 999_999_999_999_999, found: 1)),
    ("9999999999999999 1\n", .word2vecText, .badHeader("9999999999999999 1")),
    // Binary rows (float bytes all zero, so the file is a valid string literal).
    ("1 1\na \0\0\0\0b \0\0\0\0", .word2vecBinary, .tooManyRows(expected: 1, at: .byte(10))),
    ("2 1\na \0\0\0\0\n \0\0\0\0", .word2vecBinary, .emptyWord(at: .byte(11))),
    ("2 1\na \0\0\0\0\n\n", .word2vecBinary, .tooFewRows(expected: 2, found: 1)),
    ("1 1\na \0\0\0\0\n\n", .word2vecBinary, nil),
  ]

  @Test(arguments: smallFiles)
  func smallTextFiles(text: String, format: EmbeddingFormat?, reason: EmbeddingFormatError.Reason?) throws {
    let path = try F.temporaryFile(Array(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    if let reason {
      #expect(throws: EmbeddingFormatError(path: path, reason: reason)) { try EmbeddingTable.load(path, format: format) }
    } else {
      #expect(throws: Never.self) { try EmbeddingTable.load(path, format: format) }
    }
  }

  @Test func numbersParseAsPythonFloatThenFloat32() throws {
    let fields = ["0.1", "-0", "1e-45", "3.4028235e38", "1e39", "-inf", "Infinity", "123456789012345678901234567890",
                  "0.000000000000000000000000000000000001", "+2.5E+3", "7.", ".5", "1.00000005960464477539062500001"]
    let text = "w " + fields.joined(separator: " ") + "\n"
    let path = try F.temporaryFile(Array(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table = try EmbeddingTable.load(path, format: .glove)
    // Each value is the double nearest the decimal, rounded to float32 (numpy.float32(float(s))).
    // The last field is the double-rounding case: correctly rounded straight to float32 it would be
    // 1.0000001, but gensim 4.4.0 (numpy 2.4.6) loads 1.0, as this reader does.
    let expected = fields.map { Float(Double($0) ?? .nan) }
    #expect(table.vectors.scalars.map(\.bitPattern) == expected.map(\.bitPattern))
    let nan = try F.temporaryFile(Array("w nan NaN\n".utf8))
    defer { try? FileManager.default.removeItem(atPath: nan) }
    #expect(try EmbeddingTable.load(nan, format: .glove).vectors.scalars.allSatisfy(\.isNaN))
  }

  @Test func missingFileAndDirectory() {
    #expect(throws: EmbeddingFormatError(path: "/nonexistent/v.txt", reason: .cannotOpen("No such file or directory"))) {
      try EmbeddingTable.load("/nonexistent/v.txt")
    }
    #expect(throws: EmbeddingFormatError(path: "/tmp", reason: .cannotOpen("Is a directory"))) {
      try EmbeddingTable.load("/tmp", format: .glove)
    }
  }

  @Test func detectsFilesWithLinesLongerThanTheSample() throws {
    // 20k values per row: the first row does not fit in the 64 KiB detection sample, and the
    // sample ends inside "1e-05".
    let row = String(repeating: " 1e-05", count: 20_000)
    for (header, format) in [("  2 20000 \r\n", EmbeddingFormat.word2vecText), ("", .glove)] {
      let path = try F.temporaryFile(Array((header + "a" + row + "\nb" + row + "\n").utf8))
      defer { try? FileManager.default.removeItem(atPath: path) }
      #expect(try EmbeddingFormat.detect(path) == format)
      #expect(try EmbeddingTable.load(path).dimension == 20_000)
    }
  }

  @Test func longLinesCrossTheReadBuffer() throws {
    // 3 rows of 100k values each: every line is longer than the 1 MiB read buffer's share.
    var text = ""
    for word in ["x", "y", "z"] {
      text += word + String(repeating: " 0.25", count: 100_000) + "\n"
    }
    let path = try F.temporaryFile(Array(text.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table = try EmbeddingTable.load(path)
    #expect(table.count == 3 && table.dimension == 100_000 && table.vectors.scalars.allSatisfy { $0 == 0.25 })
  }
}
