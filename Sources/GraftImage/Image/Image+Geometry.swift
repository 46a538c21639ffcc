/// Crops and flips, as Pillow's `Image.crop` / `Image.transpose` and torchvision's
/// `CenterCrop` (https://pytorch.org/vision/stable/generated/torchvision.transforms.CenterCrop.html)
/// do them. Work at any bit depth.
extension Image {
  /// The `width × height` window whose top-left corner is at (`x`, `y`). Parts of the window
  /// outside the image are zero, as `PIL.Image.crop` fills them.
  public func cropped(x: Int, y: Int, width outWidth: Int, height outHeight: Int) -> Image {
    precondition(outWidth > 0 && outHeight > 0, "cropped: size \(outWidth)×\(outHeight)")
    switch pixels {
    case .uint8(let p):
      return Image(width: outWidth, height: outHeight, channels: channels,
                   samples: crop(p, x: x, y: y, outWidth: outWidth, outHeight: outHeight))
    case .uint16(let p):
      return Image(width: outWidth, height: outHeight, channels: channels,
                   samples16: crop(p, x: x, y: y, outWidth: outWidth, outHeight: outHeight))
    }
  }

  private func crop<T: FixedWidthInteger>(_ src: [T], x: Int, y: Int, outWidth: Int, outHeight: Int) -> [T] {
    var out = [T](repeating: 0, count: outWidth * outHeight * channels)
    let x0 = max(x, 0), x1 = min(x + outWidth, width)
    guard x1 > x0 else { return out }
    for row in 0..<outHeight {
      let sy = y + row
      guard sy >= 0 && sy < height else { continue }
      let from = (sy * width + x0) * channels, count = (x1 - x0) * channels
      let to = (row * outWidth + (x0 - x)) * channels
      out.replaceSubrange(to..<(to + count), with: src[from..<(from + count)])
    }
    return out
  }

  /// The central `width × height` window. The offsets are rounded half to even, as
  /// torchvision's `int(round((H − h) / 2))`; a window larger than the image is zero-padded.
  public func centerCropped(width outWidth: Int, height outHeight: Int) -> Image {
    let top = Int((Double(height - outHeight) / 2).rounded(.toNearestOrEven))
    let left = Int((Double(width - outWidth) / 2).rounded(.toNearestOrEven))
    return cropped(x: left, y: top, width: outWidth, height: outHeight)
  }

  /// Mirrored left to right (`Image.transpose(FLIP_LEFT_RIGHT)`).
  public func flippedHorizontally() -> Image {
    switch pixels {
    case .uint8(let p): Image(width: width, height: height, channels: channels, samples: flip(p))
    case .uint16(let p): Image(width: width, height: height, channels: channels, samples16: flip(p))
    }
  }

  private func flip<T>(_ src: [T]) -> [T] {
    var out = src
    for y in 0..<height {
      for x in 0..<width {
        let from = (y * width + x) * channels, to = (y * width + width - 1 - x) * channels
        for c in 0..<channels { out[to + c] = src[from + c] }
      }
    }
    return out
  }

  /// The image with its shorter side scaled to `size` and the other side to
  /// `Int(size × long / short)` (truncated), as torchvision's `Resize(size)` with an int.
  public func resizedShorterSide(to size: Int, filter: ResampleFilter = .bilinear) -> Image {
    precondition(size > 0, "resizedShorterSide: size \(size)")
    if width <= height {
      return resized(width: size, height: Int(Double(size) * Double(height) / Double(width)), filter: filter)
    }
    return resized(width: Int(Double(size) * Double(width) / Double(height)), height: size, filter: filter)
  }
}
