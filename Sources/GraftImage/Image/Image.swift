/// A decoded raster image: `height` rows of `width` pixels, each `channels` interleaved samples
/// (HWC, row-major), as Pillow's `Image.tobytes()` lays them out.
///
/// Channels are 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). Samples are 8-bit, or 16-bit
/// when a 16-bit PNG was decoded with `keep16`.
public struct Image: Equatable, Sendable {
  /// The sample buffer, `width × height × channels` elements.
  public enum Pixels: Equatable, Sendable {
    case uint8([UInt8])
    case uint16([UInt16])

    public var count: Int {
      switch self {
      case .uint8(let p): p.count
      case .uint16(let p): p.count
      }
    }
  }

  public let width: Int
  public let height: Int
  public let channels: Int
  public let pixels: Pixels

  /// Wraps samples; their count must be `width × height × channels`.
  public init(width: Int, height: Int, channels: Int, pixels: Pixels) {
    precondition(width >= 0 && height >= 0, "Image: negative size \(width)×\(height)")
    precondition((1...4).contains(channels), "Image: \(channels) channels (1–4 allowed)")
    precondition(pixels.count == width * height * channels,
                 "Image: \(pixels.count) samples for \(width)×\(height)×\(channels)")
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// An 8-bit image.
  public init(width: Int, height: Int, channels: Int, samples: [UInt8]) {
    self.init(width: width, height: height, channels: channels, pixels: .uint8(samples))
  }

  /// A 16-bit image.
  public init(width: Int, height: Int, channels: Int, samples16: [UInt16]) {
    self.init(width: width, height: height, channels: channels, pixels: .uint16(samples16))
  }

  /// 8 or 16.
  public var bitDepth: Int {
    if case .uint16 = pixels { return 16 }
    return 8
  }

  /// Whether the last channel is alpha (2 or 4 channels).
  public var hasAlpha: Bool { channels == 2 || channels == 4 }

  /// The 8-bit samples; nil for a 16-bit image (see `to8Bit()`).
  public var samples: [UInt8]? {
    if case .uint8(let p) = pixels { return p }
    return nil
  }

  /// The 16-bit samples; nil for an 8-bit image.
  public var samples16: [UInt16]? {
    if case .uint16(let p) = pixels { return p }
    return nil
  }

  /// The 8-bit samples, reducing 16-bit ones to their high byte (libpng's `png_set_strip_16`).
  public var samples8: [UInt8] {
    switch pixels {
    case .uint8(let p): p
    case .uint16(let p): p.map { UInt8(truncatingIfNeeded: $0 >> 8) }
    }
  }

  /// The image with 8-bit samples: 16-bit samples keep their high byte (`v >> 8`, as
  /// `png_set_strip_16`); an 8-bit image is returned as is.
  public func to8Bit() -> Image {
    bitDepth == 8 ? self : Image(width: width, height: height, channels: channels, samples: samples8)
  }
}
