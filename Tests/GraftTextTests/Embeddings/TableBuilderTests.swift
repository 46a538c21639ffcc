import GraftCore
@testable import GraftText
import Testing

@Suite struct TableBuilderTests {
  /// Rows beyond the reserved capacity grow the storage; the result is trimmed to the rows kept.
  @Test func growsAndTrims() throws {
    var builder = TableBuilder(path: "p", dimension: 3, options: EmbeddingLoadOptions(), rows: 2, fileSize: 1 << 20, bytesPerValue: 2)
    for i in 0..<40 {
      let row = builder.nextRow()
      for k in 0..<3 { row[k] = Float(i * 10 + k) }
      try builder.commit(i == 39 ? "w0" : "w\(i)", at: .line(i + 1))  // the last row repeats w0: dropped
    }
    let table = builder.finish()
    #expect(table.count == 39 && table.vectors.shape == [39, 3] && table.vectors.storage.count == 39 * 3)
    #expect(table.vector(for: "w0") == [0, 1, 2] && table.vector(for: "w38") == [380, 381, 382])
  }

  @Test func reservationIsBoundedByTheFileSize() {
    let builder = TableBuilder(path: "p", dimension: 1_000_000_000_000, options: EmbeddingLoadOptions(), rows: 1_000_000,
                               fileSize: 100, bytesPerValue: 4)
    #expect(builder.words.isEmpty)  // allocated nothing it could not fill (a crash otherwise)
  }
}
