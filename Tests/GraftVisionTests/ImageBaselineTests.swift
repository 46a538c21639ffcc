import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

@Suite struct ImageBaselineTests {
  /// Dark and bright images are told apart from their pixels; a file that does not decode is
  /// left out of the baseline (the transfer run reports it).
  @Test func separatesDarkFromBrightAndSkipsBrokenFiles() throws {
    let dir = try TemporaryDirectory("graft-imagebaseline")
    defer { dir.remove() }
    var g = Generator(seed: 9)
    func item(_ i: Int, _ label: Int) throws -> ImageFolder.Item {
      let base: Float = label == 0 ? 40 : 200
      let samples = (0..<(20 * 20 * 3)).map { _ in UInt8(max(0, min(255, base + g.uniform(-30, 30)))) }
      let path = dir.file("\(label)-\(i).png")
      try PNGEncoder.write(Image(width: 20, height: 20, channels: 3, samples: samples), to: path)
      return ImageFolder.Item(path: path, label: label)
    }
    let train = try (0..<12).map { try item($0, $0 % 2) }
    var validation = try (12..<20).map { try item($0, $0 % 2) }
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: dir.file("broken.png")))
    validation.append(ImageFolder.Item(path: dir.file("broken.png"), label: 0))
    let result = try #require(ImageBaseline.compare(train: train, validation: validation, labels: ["dark", "bright"], side: 4))
    #expect(result.accuracy == 1)
    #expect(result.featureCount == 48 && result.trainCount == 12 && result.validationCount == 8)
    #expect(ImageBaseline.compare(train: train, validation: [], labels: ["dark", "bright"]) == nil)
  }
}
