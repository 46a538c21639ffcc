import GraftImage
import Testing

/// `Image.resized` against Pillow's `Image.resize` (BILINEAR and BOX) on 13×11 L, RGB and RGBA
/// images, up, down and mixed. Tolerance: exact (0 difference in every sample), because the
/// arithmetic is Pillow's step for step: 22-bit fixed-point coefficients, rounding per pass, and
/// for RGBA the same premultiply (`MULDIV255`) and unpremultiply (`255·v / alpha`) roundings.
@Suite struct ImageResizeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var mode: String, filter: Image.ResampleFilter, width: Int, height: Int
    var key: String { "resize/\(mode)/\(filter.rawValue)/\(width)x\(height)" }
    var testDescription: String { key }
  }

  static let cases: [Case] = ImageOpsFixture.modes.flatMap { mode in
    Image.ResampleFilter.allCases.flatMap { filter in
      [(5, 4), (20, 17), (7, 15), (13, 6), (3, 11)].map { Case(mode: mode, filter: filter, width: $0.0, height: $0.1) }
    }
  }

  @Test(arguments: cases)
  func matchesPillow(_ c: Case) throws {
    let input = try ImageOpsFixture.image("input/\(c.mode)")
    let expected = try ImageOpsFixture.image(c.key)
    let actual = input.resized(width: c.width, height: c.height, filter: c.filter)
    #expect(ImageOpsFixture.maxDifference(actual, expected) == 0,
            "\(c.key) vs Pillow \(ImageOpsFixture.pillowVersion)")
  }

  @Test func boxDownscaleByTwoIsTheAreaMean() {
    let image = Image(width: 4, height: 2, channels: 1, samples: [0, 10, 100, 200, 20, 30, 50, 50])
    // Means of 2×2 blocks: 15 and 100, rounded to nearest.
    #expect(image.resized(width: 2, height: 1, filter: .box).samples == [15, 100])
  }

  @Test func sameSizeIsIdentityAndConstantStaysConstant() {
    let image = Image(width: 3, height: 2, channels: 3, samples: (0..<18).map { UInt8($0 * 13) })
    #expect(image.resized(width: 3, height: 2) == image)
    let flat = Image(width: 5, height: 5, channels: 1, samples: [UInt8](repeating: 77, count: 25))
    #expect(flat.resized(width: 2, height: 8).samples == [UInt8](repeating: 77, count: 16))
  }
}
