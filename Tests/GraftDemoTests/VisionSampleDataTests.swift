import Foundation
import GraftCore
import GraftDemo
import GraftVision
import Testing

@Suite struct VisionSampleDataTests {
  @Test func drawingIsSeededAndEveryClassDraws() throws {
    for name in VisionSampleData.sourceClasses + VisionSampleData.targetClasses {
      var a = Generator(seed: 9), b = Generator(seed: 9)
      let image = VisionSampleData.draw(name, using: &a)
      #expect(image == VisionSampleData.draw(name, using: &b), "\(name)")
      #expect(image.width == VisionSampleData.size && image.height == VisionSampleData.size && image.channels == 3)
      // Two colours plus noise: the picture is not flat.
      let samples = try #require(image.samples)
      #expect((samples.max() ?? 0) - (samples.min() ?? 0) > 60, "\(name)")
      let path = FileManager.default.temporaryDirectory.appendingPathComponent("graft-sample-\(name)-\(getpid()).png").path
      defer { try? FileManager.default.removeItem(atPath: path) }
      try PNGEncoder.write(image, to: path)
      #expect(try PNGDecoder.decode(at: path) == image)
    }
    #expect(Set(VisionSampleData.sourceClasses).isDisjoint(with: VisionSampleData.targetClasses))
  }
}
