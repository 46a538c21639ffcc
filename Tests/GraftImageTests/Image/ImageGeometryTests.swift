import GraftImage
import Testing

@Suite struct ImageGeometryTests {
  // 4×3 gray, value = 10·row + column.
  let image = Image(width: 4, height: 3, channels: 1, samples: [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23])

  @Test func cropCopiesTheWindowAndZeroFillsOutside() {
    #expect(image.cropped(x: 1, y: 1, width: 2, height: 2).samples == [11, 12, 21, 22])
    #expect(image.cropped(x: -1, y: 2, width: 3, height: 2).samples == [0, 20, 21, 0, 0, 0])
    #expect(image.cropped(x: 10, y: 0, width: 1, height: 1).samples == [0])
  }

  @Test func centerCropRoundsHalfToEvenAsTorchvision() {
    // (4 − 1) / 2 = 1.5 → 2 and (3 − 2) / 2 = 0.5 → 0, as Python's round.
    #expect(image.centerCropped(width: 1, height: 2).samples == [2, 12])
    #expect(image.centerCropped(width: 2, height: 1).samples == [11, 12])
    // Larger than the image: zero padding around it.
    #expect(image.centerCropped(width: 6, height: 3).samples
            == [0, 0, 1, 2, 3, 0, 0, 10, 11, 12, 13, 0, 0, 20, 21, 22, 23, 0])
  }

  @Test func horizontalFlipMirrorsEachRowKeepingPixelsWhole() {
    #expect(image.flippedHorizontally().samples == [3, 2, 1, 0, 13, 12, 11, 10, 23, 22, 21, 20])
    let rgb = Image(width: 2, height: 1, channels: 3, samples: [1, 2, 3, 4, 5, 6])
    #expect(rgb.flippedHorizontally().samples == [4, 5, 6, 1, 2, 3])
    #expect(rgb.flippedHorizontally().flippedHorizontally() == rgb)
  }

  @Test func shorterSideResizeKeepsTheAspectTruncated() {
    let wide = Image(width: 10, height: 4, channels: 1, samples: [UInt8](repeating: 5, count: 40))
    let r = wide.resizedShorterSide(to: 3)
    #expect(r.width == 7 && r.height == 3)  // int(3 · 10 / 4) = 7
  }
}
