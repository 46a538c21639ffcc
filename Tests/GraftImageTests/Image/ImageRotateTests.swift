import GraftImage
import Testing

/// `Image.rotated` against Pillow's `Image.rotate(angle, BILINEAR)` on L, RGB and RGBA. Exact:
/// the same 15-decimal matrix, double-precision bilinear sampling and truncation as Pillow.
@Suite struct ImageRotateTests {
  @Test(arguments: ImageOpsFixture.modes.flatMap { m in ["10", "-25", "33.5"].map { (m, $0) } })
  func matchesPillow(_ mode: String, _ degrees: String) throws {
    let input = try ImageOpsFixture.image("input/\(mode)")
    let expected = try ImageOpsFixture.image("rotate/\(mode)/\(degrees)")
    let actual = input.rotated(degrees: Double(degrees)!)
    #expect(ImageOpsFixture.maxDifference(actual, expected) == 0, "rotate \(mode) \(degrees)°")
  }

  @Test func zeroAndFullTurnsAreIdentityAndHalfTurnReverses() {
    let image = Image(width: 3, height: 2, channels: 1, samples: [1, 2, 3, 4, 5, 6])
    #expect(image.rotated(degrees: 0) == image)
    #expect(image.rotated(degrees: 360) == image)
    #expect(image.rotated(degrees: 180).samples == [6, 5, 4, 3, 2, 1])
  }
}
