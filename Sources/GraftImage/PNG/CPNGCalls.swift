import CPNG

#if canImport(Glibc)
import Glibc
#endif

/// Every call into the `CPNG` C target, in one place (as swift-system's `Syscalls.swift`): each
/// wrapper names the C function it calls, turns its status code and libpng's message into a
/// `PNGError`, and frees what C allocated.
enum CPNGCalls {
  static let messageSize = 512

  /// Raw decoded pixels handed from C to Swift.
  struct Decoded {
    var info: PNGInfo
    var channels: Int
    var bytesPerSample: Int
    var bytes: [UInt8]
    /// libpng's warnings, in order (damaged ancillary chunks and the like).
    var warnings: [String]
  }

  static let warningsSize = 4096

  /// The corresponding C function is `cpng_decode_file_ex`. `maxPixels` 0 means no limit.
  static func decode(path: String, keep16: Bool, maxPixels: Int) throws(PNGError) -> Decoded {
    var image = cpng_image()
    var message = [CChar](repeating: 0, count: messageSize)
    var warnings = [CChar](repeating: 0, count: warningsSize)
    var sysErrno: Int32 = 0
    let status = cpng_decode_file_ex(path, keep16 ? 1 : 0, UInt64(max(0, maxPixels)), &image, &message,
                                     messageSize, &sysErrno, &warnings, warningsSize)
    defer { cpng_free(&image) }
    guard status == CPNG_OK else {
      throw error(status, message: message, sysErrno: sysErrno, path: path)
    }
    let info = try convert(image.info, path: path)
    // cpng bounds rows × row bytes by 2^31; multiply checked all the same.
    var count = 1
    for factor in [Int(image.info.width), Int(image.info.height), Int(image.channels), Int(image.bytes_per_sample)] {
      let (product, overflow) = count.multipliedReportingOverflow(by: factor)
      guard !overflow, factor >= 0 else { throw PNGError(path: path, reason: .tooLarge("pixel buffer size overflows")) }
      count = product
    }
    guard let pixels = image.pixels else {
      throw PNGError(path: path, reason: .corrupt("no pixel data"))
    }
    let bytes = Array(UnsafeBufferPointer(start: pixels, count: count))
    let warningText = warnings.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    return Decoded(info: info, channels: Int(image.channels), bytesPerSample: Int(image.bytes_per_sample),
                   bytes: bytes, warnings: warningText.split(separator: "\n").map(String.init))
  }

  /// The corresponding C function is `cpng_read_info`.
  static func readInfo(path: String) throws(PNGError) -> PNGInfo {
    var info = cpng_info()
    var message = [CChar](repeating: 0, count: messageSize)
    var sysErrno: Int32 = 0
    let status = cpng_read_info(path, &info, &message, messageSize, &sysErrno)
    guard status == CPNG_OK else {
      throw error(status, message: message, sysErrno: sysErrno, path: path)
    }
    return try convert(info, path: path)
  }

  /// The corresponding C function is `cpng_encode_memory`. `pixels` holds
  /// `width × height × channels` 8-bit samples; `path` only labels errors.
  static func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int, path: String)
    throws(PNGError) -> [UInt8]
  {
    var message = [CChar](repeating: 0, count: messageSize)
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    let status = pixels.withUnsafeBufferPointer { buffer in
      cpng_encode_memory(buffer.baseAddress, UInt32(width), UInt32(height), Int32(channels), &out, &size,
                         &message, messageSize)
    }
    defer { cpng_free_buffer(out) }
    guard status == CPNG_OK, let out else {
      throw error(status, message: message, sysErrno: 0, path: path)
    }
    return Array(UnsafeBufferPointer(start: out, count: size))
  }

  /// libpng's version number, e.g. 10639 (`cpng_libpng_version`).
  static var libpngVersion: Int { Int(cpng_libpng_version()) }

  private static func convert(_ info: cpng_info, path: String) throws(PNGError) -> PNGInfo {
    guard let colorType = PNGInfo.ColorType(rawValue: Int(info.color_type)) else {
      throw PNGError(path: path, reason: .unsupported("colour type \(info.color_type)"))
    }
    return PNGInfo(width: Int(info.width), height: Int(info.height), bitDepth: Int(info.bit_depth),
                   colorType: colorType, interlaced: info.interlace != 0, hasTransparency: info.has_trns != 0)
  }

  private static func error(_ status: cpng_status, message: [CChar], sysErrno: Int32, path: String)
    -> PNGError
  {
    let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    let reason: PNGError.Reason
    switch status {
    case CPNG_ERR_OPEN: reason = sysErrno == ENOENT ? .fileNotFound : .unreadable(text)
    case CPNG_ERR_SIGNATURE: reason = .notPNG(text)
    case CPNG_ERR_MEMORY: reason = .tooLarge(text)
    default:
      // Apple's "CgBI" iPhone PNGs (byte-swapped, headerless zlib) are a different format that
      // libpng stops at; say so rather than calling them damaged.
      reason = text.hasPrefix("CgBI")
        ? .unsupported("Apple CgBI (iPhone-optimised) PNG; libpng: \(text)")
        : .corrupt(text.isEmpty ? "libpng error" : text)
    }
    return PNGError(path: path, reason: reason)
  }
}
