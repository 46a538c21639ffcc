import Foundation
import GraftImage
import Testing
import _GraftTestSupport

@Suite struct PNGDecoderTests {
  @Test func missingFileIsNamed() {
    #expect(throws: PNGError(path: "/nonexistent/graft/x.png", reason: .fileNotFound)) {
      try decodePNG(at: "/nonexistent/graft/x.png")
    }
    #expect(throws: PNGError(path: "/nonexistent/graft/x.png", reason: .fileNotFound)) {
      try PNGDecoder.info(at: "/nonexistent/graft/x.png")
    }
  }

  @Test func notAPNGByItsSignature() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try dir.write(Array("GIF89a, not a png at all".utf8), to: "a.png")
    try dir.write([0x89, 0x50], to: "short.png")
    for name in ["a.png", "short.png"] {
      do {
        _ = try decodePNG(at: dir.file(name))
        Issue.record("\(name) decoded")
      } catch {
        #expect(error.path == dir.file(name))
        guard case .notPNG = error.reason else { Issue.record("\(error)"); continue }
      }
    }
  }

  @Test func truncatedFileIsCorruptWithLibpngsMessage() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let good = try PNGEncoder.encode(Image(width: 8, height: 8, channels: 3,
                                           samples: (0..<192).map { UInt8($0) }))
    try dir.write(Array(good.prefix(good.count - 20)), to: "cut.png")
    do {
      _ = try decodePNG(at: dir.file("cut.png"))
      Issue.record("a truncated file decoded")
    } catch {
      guard case .corrupt(let message) = error.reason else { Issue.record("\(error)"); return }
      #expect(!message.isEmpty)
      #expect(error.description.hasPrefix(dir.file("cut.png") + ": corrupt PNG: "))
    }
  }

  @Test(.enabled(if: PngSuite.isAvailable, "../shared/conformance/pngsuite is missing")) func paletteWithTransparencyExpandsToRGBA() throws {
    // tbbn3p08: 8-bit palette with tRNS → 4 channels; basn3p08: palette without tRNS → RGB.
    let withAlpha = try decodePNG(at: PngSuite.directory + "/tbbn3p08.png")
    #expect(withAlpha.channels == 4 && withAlpha.bitDepth == 8)
    let info = try PNGDecoder.info(at: PngSuite.directory + "/tbbn3p08.png")
    #expect(info.colorType == .palette && info.hasTransparency && info.bitDepth == 8)
    let opaque = try decodePNG(at: PngSuite.directory + "/basn3p08.png")
    #expect(opaque.channels == 3)
  }

  @Test(.enabled(if: PngSuite.isAvailable, "../shared/conformance/pngsuite is missing")) func sixteenBitSamplesAreKeptOnRequest() throws {
    // basn0g16: 16-bit gray ramp. The kept samples' high bytes are the stripped decode.
    let path = PngSuite.directory + "/basn0g16.png"
    let wide = try decodePNG(at: path, keep16: true)
    let narrow = try decodePNG(at: path)
    #expect(wide.bitDepth == 16 && wide.channels == 1 && narrow.bitDepth == 8)
    let samples = try #require(wide.samples16)
    #expect(samples.map { UInt8($0 >> 8) } == narrow.samples)
    // A genuinely 16-bit image: some samples have a non-zero low byte.
    #expect(samples.contains { $0 & 0xff != 0 })
  }

  @Test func libpngVersionIsReported() {
    #expect(PNGDecoder.libpngVersion.hasPrefix("1.6."))
  }
}

@Suite struct PNGDecoderLimitTests {
  /// A tiny file whose IHDR claims 16000 × 16000 RGBA (1 GB of pixels, under the pixel limit):
  /// refused from the file's size before the pixel buffer is allocated (deflate expands at most
  /// 1032:1), as a corrupt file (issue 16).
  @Test func headerClaimingMoreThanTheFileCanHoldIsRefused() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    var bytes = try PNGEncoder.encode(Image(width: 2, height: 2, channels: 4, samples: [UInt8](repeating: 7, count: 16)))
    for (k, v) in [UInt8(0), 0, 0x3E, 0x80, 0, 0, 0x3E, 0x80].enumerated() { bytes[16 + k] = v }  // 16000 x 16000
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes[12..<29] {
      crc ^= UInt32(b)
      for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }
    crc ^= 0xFFFF_FFFF
    for k in 0..<4 { bytes[29 + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
    let path = dir.file("bomb.png")
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    #expect(try PNGDecoder.info(at: path).width == 16000)
    #expect(throws: PNGError(path: path, reason: .corrupt(
      "16000 x 16000 pixels (1024000000 bytes decoded) is more than a \(bytes.count)-byte file can hold"))) {
      try PNGDecoder.decode(at: path)
    }
  }

  @Test func pixelLimitThrowsTooLargeBeforeDecoding() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.file("wide.png")
    try encodePNG(Image(width: 10, height: 10, channels: 1, samples: [UInt8](repeating: 1, count: 100)), to: path)
    #expect(throws: PNGError(path: path, reason: .tooLarge("10 x 10 pixels exceeds the limit of 99"))) {
      try PNGDecoder.decode(at: path, maxPixels: 99)
    }
    #expect(try PNGDecoder.decode(at: path, maxPixels: 100).width == 10)
    #expect(try PNGDecoder.decode(at: path, maxPixels: 0).width == 10)
  }

  @Test(.enabled(if: PngSuite.isAvailable, "../shared/conformance/pngsuite is missing")) func warningsAreReportedNotFatal() throws {
    // A valid 1×1 file full of empty ancillary chunks: libpng decodes it and warns.
    let path = PngSuite.directory + "/libpng/contrib-testpngs/crashers/empty_ancillary_chunks.png"
    let (image, warnings) = try PNGDecoder.decodeReportingWarnings(at: path)
    #expect(image.width == 1 && image.height == 1)
    // The 28 warnings the manifest's reference decoder recorded, in the same order.
    #expect(warnings.count == 28)
    #expect(warnings.first == "bKGD: out of place")
    #expect(warnings.last == "zTXt: bad keyword")
    // A clean file has none.
    let clean = try PNGDecoder.decodeReportingWarnings(at: PngSuite.directory + "/basn2c08.png")
    #expect(clean.warnings.isEmpty)
  }
}
