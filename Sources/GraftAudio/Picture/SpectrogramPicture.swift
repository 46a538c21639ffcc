#if canImport(Glibc)
import Glibc
#endif
import GraftCore

/// Turns a spectrogram `[B, T]` (bins × frames) into a viridis picture: one column per frame, one
/// row per bin, **low frequencies at the bottom**, the largest value yellow and the smallest shown
/// value dark violet. Glossary: B = bins (mel bands or FFT bins), T = frames, W × H = the picture.
public enum SpectrogramPicture {
  /// What the values of the spectrogram are.
  public enum Scale: String, Sendable, CaseIterable {
    /// Already logarithmic (dB, or the front end's `log(mel + offset)`): coloured as they are.
    case log
    /// Power or magnitude: shown as `10 · log10(max(v, 1e-10))` first.
    case power
  }

  /// The colours of `spectrogram` `[B, T]` in a `width × height` picture (default: one pixel per
  /// frame and per bin). A larger size repeats values (nearest neighbour); a smaller one averages
  /// the values each pixel covers. Colours span the largest value down to `max − dynamicRange`
  /// (in the log units of the values: dB for `.power`), or down to the smallest value when
  /// `dynamicRange` is nil; a constant spectrogram is dark violet.
  public static func render(_ spectrogram: Tensor, scale: Scale = .log, dynamicRange: Float? = nil,
                            width: Int? = nil, height: Int? = nil) -> RGBPicture {
    precondition(spectrogram.rank == 2, "SpectrogramPicture.render: shape \(spectrogram.shape), expected [B, T]")
    let (bins, frames) = (spectrogram.shape[0], spectrogram.shape[1])
    let (w, h) = (width ?? frames, height ?? bins)
    precondition(w >= 1 && h >= 1 && bins >= 1 && frames >= 1,
                 "SpectrogramPicture.render: \(bins)×\(frames) to \(w)×\(h)")
    let values = resampled(spectrogram.data, bins: bins, frames: frames, width: w, height: h, scale: scale)  // [H, W], row 0 = lowest bin
    var high = -Float.infinity, low = Float.infinity
    for v in values where v.isFinite {
      high = max(high, v)
      low = min(low, v)
    }
    if let dynamicRange { low = max(low, high - dynamicRange) }
    let span = high > low ? high - low : 1
    var pixels = [UInt8](repeating: 0, count: w * h * 3)
    for row in 0..<h {
      let source = values.withUnsafeBufferPointer { $0.baseAddress! + (h - 1 - row) * w }  // flip: low bins at the bottom
      for x in 0..<w {
        let v = source[x]
        let c = Viridis.color(v.isFinite ? (v - low) / span : (v > 0 ? 1 : 0))
        let i = (row * w + x) * 3
        (pixels[i], pixels[i + 1], pixels[i + 2]) = (c.r, c.g, c.b)
      }
    }
    return RGBPicture(width: w, height: h, pixels: pixels)
  }

  /// `[H, W]` values (row 0 = bin 0): block means when shrinking, nearest neighbour when growing,
  /// taken in the log domain.
  static func resampled(_ src: UnsafeMutablePointer<Float>, bins: Int, frames: Int, width: Int, height: Int,
                        scale: Scale) -> [Float] {
    func value(_ b: Int, _ t: Int) -> Float {
      let v = src[b * frames + t]
      return scale == .power ? 10 * log10f(max(v, 1e-10)) : v
    }
    func span(_ i: Int, _ n: Int, _ count: Int) -> Range<Int> {
      let lo = i * count / n
      return lo..<max(lo + 1, (i + 1) * count / n)
    }
    var out = [Float](repeating: 0, count: width * height)
    for y in 0..<height {
      let rows = span(y, height, bins)
      for x in 0..<width {
        let columns = span(x, width, frames)
        var sum: Float = 0
        for b in rows { for t in columns { sum += value(b, t) } }
        out[y * width + x] = sum / Float(rows.count * columns.count)
      }
    }
    return out
  }
}
