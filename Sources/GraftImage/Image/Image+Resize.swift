/// Resampling as Pillow's `Image.resize(size, resample)` does it for 8-bit images
/// (Pillow 13.0.0, `src/libImaging/Resample.c`): a separable convolution, horizontal pass then
/// vertical pass, whose kernel is widened by the scale factor when downscaling (so BILINEAR is
/// antialiased, like torchvision's `antialias=True`), with coefficients in 22-bit fixed point and
/// each pass rounded and clipped to 8 bits. Images with alpha are resized premultiplied, as
/// Pillow converts `RGBA` to `RGBa` (and `LA` to `La`) around the resize.
extension Image {
  /// The resampling kernel.
  public enum ResampleFilter: String, Sendable, Codable, CaseIterable {
    /// Triangle filter, support 1 (Pillow `BILINEAR`).
    case bilinear
    /// Box filter, support ½: the area average when downscaling (Pillow `BOX`).
    case box

    var support: Double { self == .bilinear ? 1 : 0.5 }

    func weight(_ x: Double) -> Double {
      switch self {
      case .bilinear:
        let a = abs(x)
        return a < 1 ? 1 - a : 0
      case .box:
        return x > -0.5 && x <= 0.5 ? 1 : 0
      }
    }
  }

  /// The image resampled to `width × height` (8-bit only).
  public func resized(width outWidth: Int, height outHeight: Int, filter: ResampleFilter = .bilinear) -> Image {
    precondition(bitDepth == 8, "resized: \(bitDepth)-bit image; call to8Bit() first")
    precondition(outWidth > 0 && outHeight > 0, "resized: target \(outWidth)×\(outHeight)")
    precondition(width > 0 && height > 0, "resized: empty image \(width)×\(height)")
    if outWidth == width && outHeight == height { return self }
    let source = hasAlpha ? premultiplied() : self
    var out = source
    if outWidth != width {
      out = Image.resampleHorizontal(out, to: outWidth, filter: filter)
    }
    if outHeight != height {
      out = Image.resampleVertical(out, to: outHeight, filter: filter)
    }
    return hasAlpha ? out.unpremultiplied() : out
  }

  /// Pillow's fixed-point precision for 8-bit coefficients (`PRECISION_BITS` = 32 − 8 − 2).
  static let precisionBits = 22

  /// For each output index: the first input index, how many inputs, and their fixed-point weights
  /// (`precompute_coeffs` + `normalize_coeffs_8bpc`).
  static func coefficients(inSize: Int, outSize: Int, filter: ResampleFilter)
    -> (bounds: [(start: Int, count: Int)], weights: [[Int32]])
  {
    let scale = Double(inSize) / Double(outSize)
    let filterScale = max(scale, 1)
    let support = filter.support * filterScale
    var bounds: [(start: Int, count: Int)] = []
    var weights: [[Int32]] = []
    bounds.reserveCapacity(outSize)
    weights.reserveCapacity(outSize)
    let one = Double(1 << precisionBits)
    for i in 0..<outSize {
      let center = (Double(i) + 0.5) * scale
      let lo = max(Int(center - support + 0.5), 0)  // C's (int) truncates; both are ≥ 0 here or clamped
      let hi = min(Int(center + support + 0.5), inSize)
      var w: [Double] = []
      var total = 0.0
      if hi > lo {
        for x in lo..<hi {
          let v = filter.weight((Double(x) - center + 0.5) / filterScale)
          w.append(v)
          total += v
        }
      }
      if total != 0 { w = w.map { $0 / total } }
      weights.append(w.map { $0 < 0 ? Int32(-0.5 + $0 * one) : Int32(0.5 + $0 * one) })
      bounds.append((lo, w.count))
    }
    return (bounds, weights)
  }

  /// Rounds a fixed-point sum to 8 bits (`clip8`); the sum starts at ½ for rounding.
  @inline(__always)
  static func clip8(_ sum: Int64) -> UInt8 {
    if sum >= Int64(256) << precisionBits { return 255 }
    if sum <= 0 { return 0 }
    return UInt8(truncatingIfNeeded: sum >> Int64(precisionBits))
  }

  static func resampleHorizontal(_ image: Image, to outWidth: Int, filter: ResampleFilter) -> Image {
    let (bounds, weights) = coefficients(inSize: image.width, outSize: outWidth, filter: filter)
    let c = image.channels, h = image.height, w = image.width
    let src = image.samples8
    var out = [UInt8](repeating: 0, count: outWidth * h * c)
    let half = Int64(1) << Int64(precisionBits - 1)
    src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { d in
        for y in 0..<h {
          let row = y * w * c
          for x in 0..<outWidth {
            let (start, count) = bounds[x]
            weights[x].withUnsafeBufferPointer { k in
              for ch in 0..<c {
                var sum = half
                var p = row + start * c + ch
                for i in 0..<count {
                  sum += Int64(s[p]) * Int64(k[i])
                  p += c
                }
                d[(y * outWidth + x) * c + ch] = clip8(sum)
              }
            }
          }
        }
      }
    }
    return Image(width: outWidth, height: h, channels: c, samples: out)
  }

  static func resampleVertical(_ image: Image, to outHeight: Int, filter: ResampleFilter) -> Image {
    let (bounds, weights) = coefficients(inSize: image.height, outSize: outHeight, filter: filter)
    let c = image.channels, w = image.width
    let src = image.samples8
    var out = [UInt8](repeating: 0, count: w * outHeight * c)
    let half = Int64(1) << Int64(precisionBits - 1)
    let stride = w * c
    src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { d in
        for y in 0..<outHeight {
          let (start, count) = bounds[y]
          weights[y].withUnsafeBufferPointer { k in
            for i in 0..<stride {
              var sum = half
              var p = start * stride + i
              for j in 0..<count {
                sum += Int64(s[p]) * Int64(k[j])
                p += stride
              }
              d[y * stride + i] = clip8(sum)
            }
          }
        }
      }
    }
    return Image(width: w, height: outHeight, channels: c, samples: out)
  }

  /// Colour channels multiplied by alpha (Pillow `rgba2rgbA`: `MULDIV255`, rounded).
  func premultiplied() -> Image {
    var p = samples8
    let c = channels
    for i in stride(from: 0, to: p.count, by: c) {
      let alpha = UInt32(p[i + c - 1])
      for ch in 0..<(c - 1) {
        let t = UInt32(p[i + ch]) * alpha + 128
        p[i + ch] = UInt8(truncatingIfNeeded: ((t >> 8) + t) >> 8)
      }
    }
    return Image(width: width, height: height, channels: c, samples: p)
  }

  /// Colour channels divided by alpha (Pillow `rgbA2rgba`: `CLIP8(255·v / alpha)`, truncated;
  /// alpha 0 leaves the (zero) colour as is).
  func unpremultiplied() -> Image {
    var p = samples8
    let c = channels
    for i in stride(from: 0, to: p.count, by: c) {
      let alpha = UInt32(p[i + c - 1])
      guard alpha != 0 && alpha != 255 else { continue }
      for ch in 0..<(c - 1) {
        p[i + ch] = UInt8(min(255, UInt32(p[i + ch]) * 255 / alpha))
      }
    }
    return Image(width: width, height: height, channels: c, samples: p)
  }
}
