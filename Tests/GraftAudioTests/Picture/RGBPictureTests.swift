import Foundation
import GraftAudio
import GraftImage
import Testing
import _GraftTestSupport

@Suite struct RGBPictureTests {
  /// A picture with distinct colours in distinct places, so a transposed or channel-swapped
  /// encoding cannot pass.
  static func picture() -> RGBPicture {
    var p = RGBPicture(width: 5, height: 3, fill: (255, 255, 255))
    p.fill(x: 1, y: 0, width: 2, height: 2, color: (10, 200, 30))
    p[4, 2] = (1, 2, 3)
    return p
  }

  @Test func imageIsTheSameBytes() {
    let p = Self.picture()
    let image = p.image
    #expect(image.width == 5 && image.height == 3 && image.channels == 3 && image.bitDepth == 8)
    #expect(image.samples == p.pixels)
  }

  /// The bytes the CLI used to produce by wrapping the pixels in an `Image` itself, and a file
  /// that decodes back to the picture's pixels.
  @Test func encodesItsOwnPNG() throws {
    let p = Self.picture()
    let bytes = try p.pngBytes()
    #expect(bytes == (try PNGEncoder.encode(Image(width: p.width, height: p.height, channels: 3, samples: p.pixels))))
    #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    let dir = try TemporaryDirectory("graft-audio-picture")
    defer { dir.remove() }
    try p.writePNG(to: dir.file("p.png"))
    #expect(Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("p.png")))) == bytes)
    let decoded = try decodePNG(at: dir.file("p.png"))
    #expect(decoded.width == 5 && decoded.height == 3 && decoded.channels == 3 && decoded.samples == p.pixels)
  }

  @Test func writingIntoAMissingFolderThrowsNamingTheFile() {
    let path = "/nonexistent/graft/dir/p.png"
    #expect(throws: PNGError.self) { try Self.picture().writePNG(to: path) }
    do { try Self.picture().writePNG(to: path) } catch { #expect(error.path == path) }
  }
}
