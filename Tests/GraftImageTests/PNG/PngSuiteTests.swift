import GraftCore
import GraftImage
import Testing

/// PngSuite conformance: every valid file decodes to the canonical libpng raw-pixel RGBA8 bytes
/// (`sha256_libpng_raw_strip16` in MANIFEST.tsv), and every invalid one throws a `PNGError`.
///
/// The set lives outside the repository (`../shared/conformance/pngsuite`). Where it is absent
/// the suite is disabled rather than failing, with a warning printed by `PngSuite.isAvailable`;
/// CI always has it, and `manifestIsComplete` pins the expected size.
@Suite(.enabled(if: PngSuite.isAvailable, "../shared/conformance/pngsuite is missing"))
struct PngSuiteTests {
  @Test func manifestIsComplete() {
    #expect(PngSuite.valid.count == 338)
    #expect(PngSuite.invalid.count == 43)
  }

  @Test(arguments: PngSuite.valid)
  func validFileDecodesToReference(_ png: PngSuite.Case) throws {
    let image = try decodePNG(at: png.path)
    #expect(image.width == png.width && image.height == png.height)
    #expect(image.bitDepth == 8)
    let rgba = image.toRGBA()
    let bytes = try #require(rgba.samples)
    #expect(bytes.count == image.width * image.height * 4)
    #expect(SHA256.hash(bytes).hex == png.sha256Strip16)
    // The header reader agrees with IHDR as the manifest records it.
    let info = try PNGDecoder.info(at: png.path)
    #expect(info.width == png.width && info.height == png.height)
    #expect(info.bitDepth == png.bitDepth && info.colorType.rawValue == png.colorType)
    #expect(info.interlaced == (png.interlace == 1))
    #expect(info.decodedChannels == image.channels)
  }

  @Test(arguments: PngSuite.invalid)
  func invalidFileThrows(_ png: PngSuite.Case) {
    do {
      let image = try decodePNG(at: png.path)
      Issue.record("decoded \(image.width)×\(image.height) from an invalid file")
    } catch {
      #expect(error.path == png.path)
      switch error.reason {
      case .unsupported:
        // Only Apple's CgBI variant is a format rather than a damage problem.
        #expect(png.file.hasPrefix("stb-iphone-cgbi/"), "\(error)")
      case .corrupt, .notPNG:
        #expect(!png.file.hasPrefix("stb-iphone-cgbi/"), "\(error)")
      default: Issue.record("unexpected reason \(error.reason)")
      }
    }
  }

  /// Keeping 16 bits and then taking the high byte gives the same bytes as stripping in libpng.
  @Test(arguments: PngSuite.valid.filter { $0.bitDepth == 16 })
  func keep16AgreesWithStrip16(_ png: PngSuite.Case) throws {
    let wide = try decodePNG(at: png.path, keep16: true)
    #expect(wide.bitDepth == 16)
    #expect(SHA256.hash(wide.to8Bit().toRGBA().samples8).hex == png.sha256Strip16)
  }
}
