import GraftImage

/// An 8-bit RGB picture: `height` rows of `width` pixels, top row first, three bytes per pixel.
/// A canvas to draw on (spectrograms, axes, labels); `image` hands it to GraftImage, which
/// encodes it (`pngBytes()`, `writePNG(to:)`).
public struct RGBPicture: Equatable, Sendable {
  public let width: Int
  public let height: Int
  /// `height × width × 3` bytes, row-major, top row first.
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                 "RGBPicture: \(pixels.count) bytes for \(width)×\(height)×3")
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// A picture filled with one colour.
  public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8)) {
    var pixels = [UInt8](repeating: 0, count: width * height * 3)
    for i in stride(from: 0, to: pixels.count, by: 3) { (pixels[i], pixels[i + 1], pixels[i + 2]) = fill }
    self.init(width: width, height: height, pixels: pixels)
  }

  /// The colour at column `x`, row `y` (0 = top).
  public subscript(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
    get {
      let i = (y * width + x) * 3
      return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      let i = (y * width + x) * 3
      (pixels[i], pixels[i + 1], pixels[i + 2]) = newValue
    }
  }

  /// Copies `other` with its top-left corner at (`x`, `y`), clipped to this picture.
  public mutating func draw(_ other: RGBPicture, atX x: Int, y: Int) {
    for row in 0..<other.height where (0..<height).contains(y + row) {
      for col in 0..<other.width where (0..<width).contains(x + col) { self[x + col, y + row] = other[col, row] }
    }
  }

  /// Fills the rectangle `[x, x + w) × [y, y + h)`, clipped to the picture.
  public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, color: (UInt8, UInt8, UInt8)) {
    for row in max(0, y)..<min(height, y + h) {
      for col in max(0, x)..<min(width, x + w) { self[col, row] = color }
    }
  }

  /// The picture as a 3-channel 8-bit `Image` (the same bytes).
  public var image: Image { Image(width: width, height: height, channels: 3, samples: pixels) }

  /// The PNG encoding of the picture (`PNGEncoder.encode`).
  public func pngBytes() throws(PNGError) -> [UInt8] { try PNGEncoder.encode(image) }

  /// Writes the picture as a PNG file at `path`, atomically (`PNGEncoder.write`).
  public func writePNG(to path: String) throws(PNGError) { try PNGEncoder.write(image, to: path) }
}
