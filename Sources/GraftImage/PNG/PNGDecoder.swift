import GraftCore

/// Reads PNG files into `Image`s with libpng's classic API and the raw-pixel transforms
/// (https://www.libpng.org/pub/png/libpng-manual.txt, "Transformations"): palettes and 1/2/4-bit
/// gray expanded to 8 bits (`png_set_expand`), tRNS turned into alpha, Adam7 de-interlaced, and
/// trailing chunks checked (`png_read_end`). No gamma correction, colour management or bKGD
/// compositing — the pixels PyTorch/Pillow pipelines see, and what
/// `../shared/conformance/pngsuite/MANIFEST.tsv` calls `sha256_libpng_raw_strip16`.
public enum PNGDecoder {
  /// The default cap on `width × height` (2²⁸ pixels, e.g. 16384 × 16384): a larger IHDR throws
  /// `.tooLarge` before any pixel memory is allocated, so a tiny file cannot claim gigabytes.
  public static let defaultMaxPixels = 1 << 28

  /// Decodes the file at `path`. 16-bit samples are kept as `UInt16` when `keep16` is true and
  /// reduced to their high byte otherwise (`png_set_strip_16`). Images with more than
  /// `maxPixels` pixels throw `.tooLarge` (0: no limit beyond libpng's own).
  public static func decode(at path: String, keep16: Bool = false, maxPixels: Int = defaultMaxPixels)
    throws(PNGError) -> Image
  {
    try decodeReportingWarnings(at: path, keep16: keep16, maxPixels: maxPixels).image
  }

  /// `decode(at:keep16:maxPixels:)`, also returning libpng's warnings — problems libpng
  /// recovered from, such as a damaged ancillary chunk it skipped — one string each.
  public static func decodeReportingWarnings(
    at path: String, keep16: Bool = false, maxPixels: Int = defaultMaxPixels
  ) throws(PNGError) -> (image: Image, warnings: [String]) {
    let raw = try CPNGCalls.decode(path: path, keep16: keep16, maxPixels: maxPixels)
    let (w, h, c) = (raw.info.width, raw.info.height, raw.channels)
    guard (1...4).contains(c) else {
      throw PNGError(path: path, reason: .unsupported("\(c) channels after expansion"))
    }
    if raw.bytesPerSample == 2 {
      // cpng asked libpng for host (little-endian) order with png_set_swap.
      let samples = raw.bytes.withUnsafeBytes { bytes in
        (0..<(bytes.count / 2)).map {
          UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))
        }
      }
      return (Image(width: w, height: h, channels: c, samples16: samples), raw.warnings)
    }
    return (Image(width: w, height: h, channels: c, samples: raw.bytes), raw.warnings)
  }

  /// The header of the file at `path`, without decoding its pixels (IHDR and the chunks
  /// before the first IDAT are read and checked).
  public static func info(at path: String) throws(PNGError) -> PNGInfo {
    try CPNGCalls.readInfo(path: path)
  }

  /// The libpng version Graft is linked against, e.g. `"1.6.39"`.
  public static var libpngVersion: String {
    let v = CPNGCalls.libpngVersion
    return "\(v / 10000).\(v / 100 % 100).\(v % 100)"
  }
}

/// Decodes the PNG file at `path` (see `PNGDecoder.decode(at:keep16:)`).
public func decodePNG(at path: String, keep16: Bool = false) throws(PNGError) -> Image {
  try PNGDecoder.decode(at: path, keep16: keep16)
}
