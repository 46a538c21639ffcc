import Foundation
import GraftCore
import GraftText
import Testing

/// Issue 16: every byte-distinct word of a file is a row of its own (as gensim), malformed rows
/// are errors (or, with `lenient`, reported skips) and repeated words are reported.
@Suite struct ExactWordsTests {
  typealias F = EmbeddingFixtures
  static let nfc = "caf\u{E9}"
  static let nfd = "cafe\u{301}"

  func bytes(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }

  /// The same five words and vectors as gensim, in every format: the two spellings of café are
  /// two rows, and each finds its own vector.
  @Test(arguments: ["exact.txt", "exact.bin", "exact.glove.txt", "exact.vec"])
  func canonicallyEquivalentWordsStayApart(file: String) throws {
    let expected = try #require(F.gensim(file))
    let table = try EmbeddingTable.load(F.path(file))
    #expect(table.count == 5)
    #expect(bytes(table.words) == bytes(expected.words))
    #expect(table.vectors.scalars == expected.vectors.flatMap { $0 })
    #expect(table.index(of: Self.nfc) == 1 && table.index(of: Self.nfd) == 2)
    #expect(table.vector(for: Self.nfd) == expected.vectors[2])
    #expect(table.index(of: "a\u{A0}b") == 3 && !table.contains("a b"))
    #expect(table.report.isEmpty)
    // Each spelling's nearest neighbour list names the other, byte for byte.
    let neighbours = try #require(table.nearest(to: Self.nfc, k: 4))
    #expect(neighbours.contains { $0.word.utf8.elementsEqual(Self.nfd.utf8) })
    #expect(!neighbours.contains { $0.word.utf8.elementsEqual(Self.nfc.utf8) })
  }

  @Test func vocabularyKeepsBothSpellings() throws {
    let vocabulary = Vocabulary(counting: [[Self.nfc, Self.nfd, Self.nfd, "the"]])
    #expect(bytes(vocabulary.tokens) == bytes(["<pad>", "<unk>", Self.nfd, Self.nfc, "the"]))
    #expect(vocabulary.encode([Self.nfc, Self.nfd]) == [3, 2])
    let decoded = try JSONDecoder().decode(Vocabulary.self, from: JSONEncoder().encode(vocabulary))
    #expect(bytes(decoded.tokens) == bytes(vocabulary.tokens))
    let table = try EmbeddingTable.load(F.path("exact.txt"))
    #expect(table.coverage(of: vocabulary).found == 3)
    let matrix = table.embeddingMatrix(for: vocabulary, oov: .zero)
    #expect(Array(matrix.scalars[2 * 4..<3 * 4]) == table.vector(for: Self.nfd))
    #expect(Array(matrix.scalars[3 * 4..<4 * 4]) == table.vector(for: Self.nfc))
  }

  /// gensim: `could not convert string to float: ''`. Graft: an error naming the line and the field.
  @Test func anEmptyFieldIsAnError() throws {
    let path = F.path("empty_field.txt")
    #expect(F.gensim("empty_field.txt")?.error?.contains("could not convert string to float") == true)
    #expect(throws: EmbeddingFormatError(path: path, reason: .emptyField(at: .line(6), field: 1))) {
      try EmbeddingTable.load(path)
    }
    let lenient = try EmbeddingTable.load(path, options: EmbeddingLoadOptions(lenient: true))
    let skippedWord = try #require(F.gensim("vectors.txt")?.words[4])
    #expect(lenient.count == 7 && !lenient.contains(skippedWord))
    #expect(lenient.report.skippedRows == [EmbeddingFormatError(path: path, reason: .emptyField(at: .line(6), field: 1))])
  }

  /// An empty field in each position, in GloVe and word2vec text.
  @Test func emptyFieldsAnywhereAreFound() throws {
    for (header, glove) in [("3 2\n", false), ("", true)] {
      let text = header + "a 1 2\nb 3  4\nc\t\t5 6\n"
      let path = try F.temporaryFile(Array(text.utf8), suffix: glove ? ".glove.txt" : ".txt")
      defer { try? FileManager.default.removeItem(atPath: path) }
      let first = glove ? 2 : 3
      #expect(throws: EmbeddingFormatError(path: path, reason: .emptyField(at: .line(first), field: 2))) {
        try EmbeddingTable.load(path, format: glove ? .glove : .word2vecText)
      }
      let table = try EmbeddingTable.load(path, format: glove ? .glove : .word2vecText, options: EmbeddingLoadOptions(lenient: true))
      #expect(table.words == ["a"])
      #expect(table.report.skippedRows.map(\.reason) == [.emptyField(at: .line(first), field: 2),
                                                          .emptyField(at: .line(first + 1), field: 1)])
    }
  }

  /// Other malformed rows are skipped and reported too under `lenient`; a structural problem
  /// (the header's count) still fails.
  @Test func lenientSkipsRowProblemsOnly() throws {
    let wrong = try EmbeddingTable.load(F.path("wrong_dim.txt"), options: EmbeddingLoadOptions(lenient: true))
    #expect(wrong.count == 7 && wrong.report.skippedRows.map(\.reason) == [.wrongDimension(at: .line(5), expected: 4, found: 3)])
    let nonNumeric = try EmbeddingTable.load(F.path("non_numeric.txt"), options: EmbeddingLoadOptions(lenient: true))
    #expect(nonNumeric.count == 7 && nonNumeric.report.skippedRows.count == 1)
    let utf8 = try EmbeddingTable.load(F.path("invalid_utf8.bin"), options: EmbeddingLoadOptions(lenient: true))
    #expect(utf8.count == 7 && utf8.report.skippedRows.count == 1)
    guard case .invalidUTF8(at: .byte(let offset))? = utf8.report.skippedRows.first?.reason else {
      Issue.record("invalid UTF-8 row not reported: \(utf8.report.skippedRows)")
      return
    }
    #expect(offset > 0)
    #expect(throws: EmbeddingFormatError.self) {
      try EmbeddingTable.load(F.path("count_too_large.txt"), options: EmbeddingLoadOptions(lenient: true))
    }
  }

  /// Repeats keep the first vector (gensim's choice) and are reported with both places; with
  /// `.error` the load fails naming both.
  @Test(arguments: [false, true])
  func duplicatesAreReported(binary: Bool) throws {
    let rows: [(String, [Float])] = [("the", [1, 2]), (Self.nfc, [3, 4]), ("the", [5, 6]), (Self.nfd, [7, 8]), (Self.nfc, [9, 10])]
    var data = Array("\(rows.count) 2\n".utf8)
    var starts: [Int] = []
    for (word, values) in rows {
      starts.append(data.count)
      if binary {
        data += Array(word.utf8) + [0x20]
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
      } else {
        data += Array("\(word) \(values.map { "\($0)" }.joined(separator: " "))\n".utf8)
      }
    }
    let path = try F.temporaryFile(data, suffix: binary ? ".bin" : ".txt")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let at: (Int) -> EmbeddingFormatError.Location = { binary ? .byte(starts[$0]) : .line($0 + 2) }
    let table = try EmbeddingTable.load(path)
    #expect(bytes(table.words) == bytes(["the", Self.nfc, Self.nfd]))
    #expect(table.vector(for: "the") == [1, 2] && table.vector(for: Self.nfc) == [3, 4] && table.vector(for: Self.nfd) == [7, 8])
    #expect(table.report.duplicates == [
      EmbeddingLoadReport.Duplicate(word: "the", first: at(0), repeated: at(2)),
      EmbeddingLoadReport.Duplicate(word: Self.nfc, first: at(1), repeated: at(4)),
    ])
    let warnings = table.report.warnings(path: path, policy: .keepFirst)
    #expect(warnings.first == "\(path): \(at(2)): duplicate word \"the\" (first at \(at(0))); kept the first vector")
    let last = try EmbeddingTable.load(path, options: EmbeddingLoadOptions(duplicates: .keepLast))
    #expect(last.vector(for: "the") == [5, 6] && last.vector(for: Self.nfd) == [7, 8] && last.report.duplicates.count == 2)
    #expect(throws: EmbeddingFormatError(path: path, reason: .duplicateWord("the", at: at(2), first: at(0)))) {
      try EmbeddingTable.load(path, options: EmbeddingLoadOptions(duplicates: .error))
    }
  }

  /// Labels that differ only in normalisation are refused by name, never merged into one class.
  @Test func equivalentLabelsAreRefused() throws {
    #expect(throws: TextDatasetError(path: "t", reason: .equivalentLabels(Self.nfc, Self.nfd))) {
      try TextDataset(path: "t", texts: ["a", "b", "c"], labelNames: [Self.nfc, "x", Self.nfd])
    }
    let ok = try TextDataset(path: "t", texts: ["a", "b"], labelNames: ["\u{E9}t\u{E9}", "zebra"])
    #expect(ok.labels == ["zebra", "\u{E9}t\u{E9}"])  // code-point order
  }
}
