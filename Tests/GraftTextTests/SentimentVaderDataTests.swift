import Foundation
import GraftText
import Testing

/// The shared real-data sentiment set (`../shared/datasets/sentiment_vader`, see its README),
/// read by `TextDataset`: the README's row and class counts of test.tsv, nothing skipped.
/// Skipped when the folder is absent.
@Suite struct SentimentVaderDataTests {
  static let folder = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/datasets/sentiment_vader").standardized
  static let present = FileManager.default.fileExists(atPath: folder.appendingPathComponent("test.tsv").path)

  @Test(.enabled(if: present, "../shared/datasets/sentiment_vader is absent: real-data check skipped"))
  func readsTheREADMEsCounts() throws {
    let test = try TextDataset.load(Self.folder.appendingPathComponent("test.tsv").path)
    #expect(test.count == 3_891 && test.issues.isEmpty && test.labels == ["0", "1"])
    #expect(test.labelIndices.filter { $0 == 1 }.count == 2_055)
    #expect(test.texts.allSatisfy { !$0.isEmpty && !$0.contains("\t") })
  }
}
