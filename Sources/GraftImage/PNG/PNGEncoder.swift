import GraftCore

/// Writes 8-bit images as PNG with libpng (`png_write_row`, default filters and zlib level,
/// no interlace, no ancillary chunks). The encoded bytes are built in memory and published with
/// `AtomicFile` (temporary file, `fsync`, `rename`), so readers never see a partial file.
public enum PNGEncoder {
  /// The PNG encoding of `image` (8-bit, 1–4 channels); `path` only labels errors.
  public static func encode(_ image: Image, path: String = "<memory>") throws(PNGError) -> [UInt8] {
    guard let samples = image.samples else {
      throw PNGError(path: path, reason: .unsupported("encoding 16-bit samples"))
    }
    guard image.width > 0, image.height > 0 else {
      throw PNGError(path: path, reason: .unsupported("empty image \(image.width)×\(image.height)"))
    }
    guard image.width <= Int(Int32.max), image.height <= Int(Int32.max) else {
      throw PNGError(path: path, reason: .tooLarge("\(image.width)×\(image.height)"))
    }
    return try CPNGCalls.encode(samples, width: image.width, height: image.height,
                                channels: image.channels, path: path)
  }

  /// Encodes `image` and atomically replaces the file at `path` with it.
  public static func write(_ image: Image, to path: String) throws(PNGError) {
    let bytes = try encode(image, path: path)
    do throws(FileWriteError) {
      try AtomicFile.write(bytes, to: path)
    } catch {
      throw PNGError(path: path, reason: .writeFailed(error.reason.description))
    }
  }
}

/// Writes `image` as a PNG file at `path` (see `PNGEncoder.write(_:to:)`).
public func encodePNG(_ image: Image, to path: String) throws(PNGError) {
  try PNGEncoder.write(image, to: path)
}
