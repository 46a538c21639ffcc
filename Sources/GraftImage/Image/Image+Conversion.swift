/// Channel conversions, as Pillow's `Image.convert` does them for `L`, `LA`, `RGB` and `RGBA`
/// (Pillow 13.0.0, `src/libImaging/Convert.c`). The bit depth is kept.
extension Image {
  /// A target channel layout.
  public enum ChannelLayout: Int, Equatable, Sendable, CaseIterable {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4
  }

  /// The image with `layout.rawValue` channels. Gray → RGB replicates the value; a missing alpha
  /// becomes fully opaque (255, or 65535 at 16 bits); dropping alpha discards it (no
  /// compositing); RGB → gray uses the ITU-R 601-2 luma transform exactly as Pillow's `rgb2l`:
  /// `L = (R·19595 + G·38470 + B·7471 + 0x8000) >> 16`, i.e. R·299/1000 + G·587/1000 +
  /// B·114/1000 rounded to nearest.
  public func converted(to layout: ChannelLayout) -> Image {
    let target = layout.rawValue
    if target == channels { return self }
    switch pixels {
    case .uint8(let p):
      return Image(width: width, height: height, channels: target,
                   samples: Image.convert(p, from: channels, to: target, opaque: UInt8.max))
    case .uint16(let p):
      return Image(width: width, height: height, channels: target,
                   samples16: Image.convert(p, from: channels, to: target, opaque: UInt16.max))
    }
  }

  /// One channel: luma of the colour channels, alpha dropped (Pillow `convert("L")`).
  public func toGray() -> Image { converted(to: .gray) }
  /// Three channels (Pillow `convert("RGB")`).
  public func toRGB() -> Image { converted(to: .rgb) }
  /// Four channels, alpha opaque when the image has none (Pillow `convert("RGBA")`).
  public func toRGBA() -> Image { converted(to: .rgba) }

  /// ITU-R 601-2 luma in Pillow's fixed point (`L24` in Convert.c), exact for 8 and 16 bits.
  @inline(__always)
  static func luma<T: FixedWidthInteger & UnsignedInteger>(_ r: T, _ g: T, _ b: T) -> T {
    let l = (UInt64(r) * 19595 + UInt64(g) * 38470 + UInt64(b) * 7471 + 0x8000) >> 16
    return T(truncatingIfNeeded: l)
  }

  static func convert<T: FixedWidthInteger & UnsignedInteger>(
    _ src: [T], from inChannels: Int, to outChannels: Int, opaque: T
  ) -> [T] {
    let n = src.count / inChannels
    var out = [T](repeating: 0, count: n * outChannels)
    src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { d in
        for i in 0..<n {
          let p = i * inChannels, q = i * outChannels
          // Decompose the source pixel into gray-or-colour plus alpha.
          let isColor = inChannels >= 3
          let r = s[p], g = isColor ? s[p + 1] : r, b = isColor ? s[p + 2] : r
          let alpha = inChannels == 2 ? s[p + 1] : inChannels == 4 ? s[p + 3] : opaque
          switch outChannels {
          case 1:
            d[q] = isColor ? luma(r, g, b) : r
          case 2:
            d[q] = isColor ? luma(r, g, b) : r
            d[q + 1] = alpha
          case 3:
            d[q] = r; d[q + 1] = g; d[q + 2] = b
          default:
            d[q] = r; d[q + 1] = g; d[q + 2] = b; d[q + 3] = alpha
          }
        }
      }
    }
    return out
  }
}
