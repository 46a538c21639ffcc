import Foundation
import GraftImage
import Testing
import _GraftTestSupport

@Suite struct PNGEncoderTests {
  @Test(arguments: [1, 2, 3, 4])
  func roundTripsEveryChannelCount(_ channels: Int) throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let (w, h) = (5, 3)
    let samples = (0..<(w * h * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
    let image = Image(width: w, height: h, channels: channels, samples: samples)
    let path = dir.file("out.png")
    try encodePNG(image, to: path)
    let back = try decodePNG(at: path)
    #expect(back == image)
    let info = try PNGDecoder.info(at: path)
    let types: [PNGInfo.ColorType] = [.gray, .grayAlpha, .rgb, .rgba]
    #expect(info.colorType == types[channels - 1] && info.bitDepth == 8 && !info.interlaced)
    // Nothing but the target is left in the directory (the temporary file was renamed).
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.png"])
  }

  @Test func replacesAnExistingFileAtomically() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.file("x.png")
    try dir.write(Array("old".utf8), to: "x.png")
    let image = Image(width: 2, height: 2, channels: 1, samples: [0, 64, 128, 255])
    try encodePNG(image, to: path)
    #expect(try decodePNG(at: path) == image)
  }

  @Test func sixteenBitAndUnwritablePathsAreTypedErrors() throws {
    let wide = Image(width: 1, height: 1, channels: 1, samples16: [1000])
    #expect(throws: PNGError(path: "/tmp/x.png", reason: .unsupported("encoding 16-bit samples"))) {
      try encodePNG(wide, to: "/tmp/x.png")
    }
    let image = Image(width: 1, height: 1, channels: 1, samples: [7])
    do {
      try encodePNG(image, to: "/nonexistent/graft/dir/x.png")
      Issue.record("wrote into a missing directory")
    } catch {
      #expect(error.path == "/nonexistent/graft/dir/x.png")
      guard case .writeFailed = error.reason else { Issue.record("\(error)"); return }
    }
  }
}
