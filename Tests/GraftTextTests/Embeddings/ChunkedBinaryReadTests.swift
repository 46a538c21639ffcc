import Foundation
@testable import GraftText
import Testing

/// The word2vec binary reader through buffers far smaller than a row: rows straddle the
/// buffer's end, vectors are read straight into the matrix, words outgrow the buffer.
@Suite struct ChunkedBinaryReadTests {
  typealias F = EmbeddingFixtures

  /// Words of 1 to 40 bytes (one longer than any buffer below), vectors of 5 values, with and
  /// without the trailing newline, a blank line between two rows.
  static func file() -> (bytes: [UInt8], words: [String], vectors: [[Float]]) {
    let words: [String] = (0..<23).map { (i: Int) -> String in
      i == 11 ? String(repeating: "w", count: 40) : "w\(i)" + String(repeating: "é", count: i % 4)
    }
    let vectors: [[Float]] = (0..<23).map { (i: Int) -> [Float] in
      (0..<5).map { (k: Int) -> Float in Float(i) * 0.5 - Float(k) * 0.25 + 0.125 }
    }
    var bytes = Array("23 5\n".utf8)
    for (i, (word, vector)) in zip(words, vectors).enumerated() {
      bytes += Array(word.utf8) + [0x20]
      for v in vector { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
      if i % 3 != 2 { bytes.append(0x0A) }
      if i == 7 { bytes.append(0x0A) }
    }
    return (bytes, words, vectors)
  }

  @Test(arguments: [16, 17, 23, 64, 4 << 20])
  func tinyBuffersReadTheSameTable(bufferSize: Int) throws {
    let (bytes, words, vectors) = Self.file()
    let path = try F.temporaryFile(bytes, suffix: ".bin")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let table = try EmbeddingReaders.readBinary(path, options: EmbeddingLoadOptions(), bufferSize: bufferSize)
    #expect(table.words == words)
    for (word, vector) in zip(words, vectors) { #expect(table.vector(for: word) == vector) }
  }

  @Test(arguments: [16, 23, 4 << 20])
  func tinyBuffersKeepTheErrors(bufferSize: Int) throws {
    let bytes = Self.file().bytes
    // The last row is "w22éé" (7 bytes), a space, 20 value bytes and "\n": cut 9 value bytes.
    let cut = try F.temporaryFile(Array(bytes.dropLast(10)), suffix: ".bin")
    defer { try? FileManager.default.removeItem(atPath: cut) }
    #expect(throws: EmbeddingFormatError(path: cut, reason: .truncated(at: .byte(bytes.count - 21), row: 22))) {
      try EmbeddingReaders.readBinary(cut, options: EmbeddingLoadOptions(), bufferSize: bufferSize)
    }
    // Extra bytes after the last row.
    let extra = try F.temporaryFile(bytes + Array("x ".utf8), suffix: ".bin")
    defer { try? FileManager.default.removeItem(atPath: extra) }
    #expect(throws: EmbeddingFormatError(path: extra, reason: .tooManyRows(expected: 23, at: .byte(bytes.count)))) {
      try EmbeddingReaders.readBinary(extra, options: EmbeddingLoadOptions(), bufferSize: bufferSize)
    }
  }
}
