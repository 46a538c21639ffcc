import GraftImage
import Testing

@Suite struct ImageConversionTests {
  // Two pixels: (10, 200, 30, 128) and (255, 255, 255, 0).
  let rgba = Image(width: 2, height: 1, channels: 4, samples: [10, 200, 30, 128, 255, 255, 255, 0])

  @Test func rgbToGrayIsPillowsRoundedLuma() {
    // Pillow 13: (R·19595 + G·38470 + B·7471 + 0x8000) >> 16 — 10,200,30 → 124 (the truncating
    // R·299/1000 + … form gives 123), white → 255.
    #expect(rgba.toGray().samples == [124, 255])
    let rgb = Image(width: 3, height: 1, channels: 3, samples: [255, 0, 0, 0, 255, 0, 0, 0, 255])
    #expect(rgb.toGray().samples == [76, 150, 29])
  }

  @Test func grayToColorReplicatesAndAddsOpaqueAlpha() {
    let gray = Image(width: 2, height: 1, channels: 1, samples: [7, 250])
    #expect(gray.toRGB().samples == [7, 7, 7, 250, 250, 250])
    #expect(gray.toRGBA().samples == [7, 7, 7, 255, 250, 250, 250, 255])
    let grayAlpha = Image(width: 1, height: 1, channels: 2, samples: [9, 40])
    #expect(grayAlpha.toRGBA().samples == [9, 9, 9, 40])
    #expect(grayAlpha.toRGB().samples == [9, 9, 9])
    #expect(grayAlpha.toGray().samples == [9])
  }

  @Test func alphaIsDroppedWithoutCompositing() {
    #expect(rgba.toRGB().samples == [10, 200, 30, 255, 255, 255])
    #expect(rgba.converted(to: .grayAlpha).samples == [124, 128, 255, 0])
    #expect(rgba.toRGBA() == rgba)
  }

  @Test func sixteenBitConversionsKeepTheDepth() {
    let wide = Image(width: 1, height: 1, channels: 1, samples16: [0x1234])
    #expect(wide.toRGBA().samples16 == [0x1234, 0x1234, 0x1234, 0xffff])
    #expect(wide.to8Bit().samples == [0x12])
  }
}
