import Foundation
import GraftCore
import GraftText
import Testing

/// Damaged copies of the fixtures never crash a reader: each load returns a table or throws
/// `EmbeddingFormatError` (typed throws make anything else impossible to catch here).
@Suite struct EmbeddingFuzzTests {
  typealias F = EmbeddingFixtures

  @Test(arguments: ["vectors.bin", "newlines.bin", "vectors.txt", "vectors.glove.txt"])
  func mutatedFilesFailCleanly(file: String) throws {
    let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: F.path(file))))
    var generator = Generator(seed: 11)
    var failures = 0
    for round in 0..<60 {
      var bytes = original
      switch round % 3 {
      case 0: bytes.removeLast(generator.int(below: bytes.count))                      // truncate
      case 1: for _ in 0..<3 { bytes[generator.int(below: bytes.count)] = UInt8(generator.int(below: 256)) }  // corrupt
      default: bytes.insert(contentsOf: [0x0A, 0x20, 0xFF, 0x30], at: generator.int(below: bytes.count))  // insert
      }
      let path = try F.temporaryFile(bytes, suffix: ".\(file)")
      defer { try? FileManager.default.removeItem(atPath: path) }
      for format in [nil] + EmbeddingFormat.allCases.map(Optional.some) {
        do {
          let table = try EmbeddingTable.load(path, format: format)
          #expect(table.vectors.shape == [table.count, table.dimension])
        } catch {
          failures += 1
          #expect(!error.description.isEmpty && error.path == path)
        }
      }
    }
    #expect(failures > 0)
  }
}
