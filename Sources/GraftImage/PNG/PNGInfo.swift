/// The header of a PNG file as IHDR stores it (https://www.w3.org/TR/png-3/#11IHDR), read
/// without decoding the pixels.
public struct PNGInfo: Equatable, Sendable, Codable {
  /// IHDR colour type (PNG spec table 11.1).
  public enum ColorType: Int, Equatable, Sendable, Codable, CustomStringConvertible {
    case gray = 0
    case rgb = 2
    case palette = 3
    case grayAlpha = 4
    case rgba = 6

    public var description: String {
      switch self {
      case .gray: "gray"
      case .rgb: "rgb"
      case .palette: "palette"
      case .grayAlpha: "gray_alpha"
      case .rgba: "rgba"
      }
    }
  }

  public let width: Int
  public let height: Int
  /// Bits per sample (per palette index for `.palette`): 1, 2, 4, 8 or 16.
  public let bitDepth: Int
  public let colorType: ColorType
  /// Adam7 interlacing.
  public let interlaced: Bool
  /// A tRNS chunk is present (it becomes an alpha channel when decoded).
  public let hasTransparency: Bool

  public init(width: Int, height: Int, bitDepth: Int, colorType: ColorType, interlaced: Bool,
              hasTransparency: Bool) {
    self.width = width
    self.height = height
    self.bitDepth = bitDepth
    self.colorType = colorType
    self.interlaced = interlaced
    self.hasTransparency = hasTransparency
  }

  /// Channels of the decoded image: palettes expand to RGB, and tRNS adds alpha
  /// (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
  public var decodedChannels: Int {
    let base: Int
    switch colorType {
    case .gray: base = 1
    case .grayAlpha: base = 2
    case .rgb, .palette: base = 3
    case .rgba: base = 4
    }
    let hasAlpha = colorType == .grayAlpha || colorType == .rgba
    return hasAlpha || !hasTransparency ? base : base + 1
  }

  /// Bit depth of the decoded samples: 16 stays 16 (when kept), everything else becomes 8.
  public var decodedBitDepth: Int { bitDepth == 16 ? 16 : 8 }
}
