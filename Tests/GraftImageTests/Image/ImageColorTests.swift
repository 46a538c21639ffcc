import GraftImage
import Testing

/// Brightness, contrast and saturation against Pillow's `ImageEnhance` on L, RGB and RGBA, with
/// factors inside [0, 1] (interpolation) and above 1 (extrapolation, clipped). Exact.
@Suite struct ImageColorTests {
  @Test(arguments: ImageOpsFixture.modes.flatMap { m in
    ["brightness", "contrast", "saturation"].flatMap { k in ["0.3", "0.6", "1.4", "1.8"].map { "\(m)/\(k)/\($0)" } }
  })
  func matchesPillow(_ key: String) throws {
    let parts = key.split(separator: "/").map(String.init)
    let input = try ImageOpsFixture.image("input/\(parts[0])")
    let factor = Double(parts[2])!
    let actual: Image
    switch parts[1] {
    case "brightness": actual = input.adjustingBrightness(factor)
    case "contrast": actual = input.adjustingContrast(factor)
    default: actual = input.adjustingSaturation(factor)
    }
    let expected = try ImageOpsFixture.image("enhance/\(key)")
    #expect(ImageOpsFixture.maxDifference(actual, expected) == 0, "\(key)")
  }

  @Test(arguments: ["RGB", "RGBA"])
  func grayMatchesPillowConvertL(_ mode: String) throws {
    let input = try ImageOpsFixture.image("input/\(mode)")
    #expect(input.toGray() == (try ImageOpsFixture.image("gray/\(mode)")))
  }

  @Test func factorOneIsIdentity() {
    let image = Image(width: 2, height: 1, channels: 4, samples: [10, 200, 30, 128, 255, 0, 7, 9])
    #expect(image.adjustingBrightness(1) == image)
    #expect(image.adjustingContrast(1) == image)
    #expect(image.adjustingSaturation(1) == image)
    #expect(image.adjustingBrightness(0).samples == [0, 0, 0, 128, 0, 0, 0, 9])
  }
}
