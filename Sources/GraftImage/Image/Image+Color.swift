/// Brightness, contrast and saturation as Pillow's `ImageEnhance` (Pillow 13.0.0), which is what
/// torchvision's `ColorJitter` calls on PIL images: each blends the image with a "degenerate"
/// image, `out = degenerate + factor · (image − degenerate)` (`Image.blend`, `Blend.c`), truncated
/// to 8 bits and clipped when `factor` extrapolates. Alpha is kept.
extension Image {
  /// Blend toward black: 0 gives black, 1 the image (`ImageEnhance.Brightness`).
  public func adjustingBrightness(_ factor: Double) -> Image {
    blended(from: samples8.enumerated().map { i, v in hasAlpha && i % channels == channels - 1 ? v : 0 },
            factor: factor)
  }

  /// Blend toward the mean luma, rounded (`ImageEnhance.Contrast`): 0 gives flat gray.
  public func adjustingContrast(_ factor: Double) -> Image {
    let gray = toGray().samples8
    let mean = gray.isEmpty ? 0 : Int(Double(gray.reduce(0) { $0 + Int($1) }) / Double(gray.count) + 0.5)
    let m = UInt8(clamping: mean)
    let degenerate = samples8.enumerated().map { i, v in hasAlpha && i % channels == channels - 1 ? v : m }
    return blended(from: degenerate, factor: factor)
  }

  /// Blend toward the gray version (`ImageEnhance.Color`): 0 gives gray, 1 the image.
  public func adjustingSaturation(_ factor: Double) -> Image {
    precondition(bitDepth == 8, "adjustingSaturation: \(bitDepth)-bit image; call to8Bit() first")
    let layout: ChannelLayout = hasAlpha ? .grayAlpha : .gray
    let degenerate = converted(to: layout).converted(to: ChannelLayout(rawValue: channels)!)
    return blended(from: degenerate.samples8, factor: factor)
  }

  /// `Image.blend(degenerate, self, factor)` over every band, as `ImagingBlend` computes it.
  func blended(from degenerate: [UInt8], factor: Double) -> Image {
    precondition(bitDepth == 8, "color adjustment: \(bitDepth)-bit image; call to8Bit() first")
    let src = samples8
    var out = [UInt8](repeating: 0, count: src.count)
    // ImagingBlend takes `float alpha`, so the arithmetic is single precision.
    let alpha = Float(factor)
    if alpha >= 0 && alpha <= 1 {
      for i in 0..<src.count {
        let a = Float(degenerate[i]), b = Float(src[i])
        out[i] = UInt8(a + alpha * (b - a))  // (UINT8) truncates
      }
    } else {
      for i in 0..<src.count {
        let a = Float(degenerate[i]), b = Float(src[i])
        let t = a + alpha * (b - a)
        out[i] = t <= 0 ? 0 : t >= 255 ? 255 : UInt8(t)
      }
    }
    return Image(width: width, height: height, channels: channels, samples: out)
  }
}
