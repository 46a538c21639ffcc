import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// Width and height from a PNG's IHDR chunk (bytes 16–23, big-endian).
func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
  guard bytes.count >= 24, bytes[0] == 0x89, bytes[1] == 0x50 else { return nil }
  func be(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
  return (be(16), be(20))
}

@Suite struct ImageReportTests {
  static func gray(_ width: Int, _ height: Int) -> Image {
    Image(width: width, height: height, channels: 1, samples: (0..<(width * height)).map { UInt8($0 % 251) })
  }

  @Test func thumbnailsFitInNinetySixPixelsAndNeverGrow() {
    let wide = ImageReport.thumbnail(of: Self.gray(200, 50))
    #expect((wide.width, wide.height) == (96, 24))
    let tall = ImageReport.thumbnail(of: Self.gray(30, 300))
    #expect((tall.width, tall.height) == (10, 96))
    let small = Self.gray(12, 20)
    #expect(ImageReport.thumbnail(of: small) == small)
    let sixteen = Image(width: 200, height: 200, channels: 3, samples16: [UInt16](repeating: 0xABCD, count: 200 * 200 * 3))
    let reduced = ImageReport.thumbnail(of: sixteen)
    #expect(reduced.bitDepth == 8 && reduced.width == 96 && reduced.samples8[0] == 0xAB)
  }

  @Test func examplesAreLimitedOrderedAndCarryThumbnails() throws {
    let dir = try TemporaryDirectory("graft-imagereport")
    defer { dir.remove() }
    try PNGEncoder.write(Self.gray(300, 150), to: dir.file("big.png"))
    try PNGEncoder.write(Self.gray(10, 8), to: dir.file("small.png"))
    func p(_ name: String, _ actual: String, _ predicted: String, _ probability: Double) -> ImageClassifier.FilePrediction {
      ImageClassifier.FilePrediction(path: dir.file(name), actual: actual, predicted: predicted, probability: probability)
    }
    let predictions = [
      p("big.png", "cat", "cat", 0.9), p("small.png", "cat", "dog", 0.6), p("big.png", "dog", "dog", 0.55),
      p("small.png", "dog", "cat", 0.8), p("missing.png", "dog", "dog", 0.99),
    ]
    let all = ImageReport.examples(predictions)
    // Mistakes first, most confident first; then correct ones, least confident first.
    #expect(all.map(\.confidence) == [0.8, 0.6, 0.55, 0.9, 0.99])
    #expect(all.map(\.isMistake) == [true, true, false, false, false])
    let sizes = all.map { $0.png.flatMap(pngSize).map { [$0.width, $0.height] } }
    #expect(sizes == [[10, 8], [10, 8], [96, 48], [96, 48], nil])   // an unreadable file: no picture

    let two = ImageReport.examples(predictions, limit: 2)
    #expect(two.map(\.name) == [dir.file("small.png"), dir.file("small.png")] && two.allSatisfy { $0.png != nil })
  }

  @Test func sectionWithoutEvaluationHasCurvesAndFactsOnly() throws {
    let json = #"{"epochs": [{"epoch": 1, "train_loss": 1, "train_accuracy": 0.5, "learning_rate": 0.001, "seconds": 0.1}]}"#
    let history = try JSONDecoder().decode(TrainingHistory.self, from: Data(json.utf8))
    let section = ImageReport.section(heading: "Validation", evaluation: nil,
                                      stages: [ReportStage(name: "head", history: history)],
                                      facts: [ReportFact("data", "x")], skipped: ["x/a.png: corrupt PNG: bad"])
    #expect(section.metrics == nil && section.examples.isEmpty && section.exampleCount == nil)
    #expect(section.stages.count == 1 && section.facts == [ReportFact("data", "x")])
    #expect(section.skipped == ["x/a.png: corrupt PNG: bad"])
  }
}
