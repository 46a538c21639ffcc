#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GraftCore

/// Which frequency each row of a spectrogram stands for, so the picture's axis can be labelled.
public enum FrequencyAxis: Sendable, Equatable {
  /// Bins of an `nFFT`-point FFT: bin k is `k · sampleRate / nFFT` Hz.
  case linear(sampleRate: Int, nFFT: Int)
  /// Bands of a mel filterbank: band m is centred on the (m + 1)-th of `nMels + 2` points evenly
  /// spaced in mel from `fmin` to `fmax` (`librosa.mel_frequencies`).
  case mel(nMels: Int, fmin: Double, fmax: Double, scale: MelScale)

  /// The axis of `filterbank`'s bands.
  public init(_ filterbank: MelFilterbank) {
    self = .mel(nMels: filterbank.nMels, fmin: filterbank.fmin, fmax: filterbank.fmax, scale: filterbank.scale)
  }

  /// The fractional bin index where `hz` lies (bin b spans b − 0.5 … b + 0.5).
  func position(ofHz hz: Double) -> Double {
    switch self {
    case .linear(let rate, let nFFT):
      return hz * Double(nFFT) / Double(rate)
    case .mel(let n, let fmin, let fmax, let scale):
      let (low, high) = (scale.mel(fromHz: fmin), scale.mel(fromHz: fmax))
      return (scale.mel(fromHz: hz) - low) / ((high - low) / Double(n + 1)) - 1
    }
  }

  /// The lowest and highest frequencies shown, in Hz.
  var range: (Double, Double) {
    switch self {
    case .linear(let rate, _): (0, Double(rate) / 2)
    case .mel(_, let fmin, let fmax, _): (fmin, fmax)
    }
  }

  var isMel: Bool { if case .mel = self { true } else { false } }
}

extension SpectrogramPicture {
  static let ink: (UInt8, UInt8, UInt8) = (40, 40, 40)
  static let paper: (UInt8, UInt8, UInt8) = (255, 255, 255)

  /// A viridis picture of `spectrogram` `[B, T]` framed by labelled axes: time in seconds along
  /// the bottom (frame t centred at `t · secondsPerFrame`, as with centred STFT frames) and
  /// frequency in Hz up the left (`frequencies`), numbers in a 5 × 7 bitmap font.
  ///
  /// The plot is one pixel per frame, averaged down to at most `maxWidth` columns and repeated up
  /// to at least 320; bins are repeated up to at least 200 rows and averaged down to at most 512.
  public static func labelled(_ spectrogram: Tensor, scale: Scale = .log, dynamicRange: Float? = nil,
                              secondsPerFrame: Double, frequencies: FrequencyAxis, maxWidth: Int = 1600) -> RGBPicture {
    precondition(spectrogram.rank == 2, "SpectrogramPicture.labelled: shape \(spectrogram.shape), expected [B, T]")
    precondition(secondsPerFrame > 0 && maxWidth >= 1, "SpectrogramPicture.labelled: secondsPerFrame \(secondsPerFrame)")
    let (bins, frames) = (spectrogram.shape[0], spectrogram.shape[1])
    let plotWidth = frames > maxWidth ? maxWidth : frames * ((319 + frames) / frames)
    let plotHeight = bins > 512 ? 512 : bins * ((199 + bins) / bins)
    let plot = render(spectrogram, scale: scale, dynamicRange: dynamicRange, width: plotWidth, height: plotHeight)

    let fontScale = plotWidth >= 1000 ? 2 : 1
    let glyphHeight = BitmapFont.glyphHeight * fontScale
    let tick = 4 * fontScale, gap = 3 * fontScale

    // Frequency ticks: bin position → pixel row inside the plot.
    func row(ofPosition p: Double) -> Int { Int((Double(plotHeight) - (p + 0.5) * Double(plotHeight) / Double(bins)).rounded()) }
    let yTicks = frequencyTicks(frequencies, bins: bins, plotHeight: plotHeight, minSpacing: glyphHeight + 6 * fontScale)
      .map { (row: row(ofPosition: frequencies.position(ofHz: $0)), label: hzLabel($0)) }
    // Time ticks: seconds → pixel column.
    let duration = Double(frames) * secondsPerFrame
    let labelSlot = Double(BitmapFont.width(of: "00.00", scale: fontScale) + 12 * fontScale)
    let step = niceStep(duration / max(1, Double(plotWidth) / labelSlot))
    let decimals = step >= 1 ? 0 : Int((-log10(step)).rounded(.up))
    var xTicks: [(column: Int, label: String)] = []
    var s = 0.0
    while s <= duration - secondsPerFrame / 2 + 1e-9 {
      let column = Int(((s / secondsPerFrame + 0.5) * Double(plotWidth) / Double(frames)).rounded())
      if column < plotWidth { xTicks.append((column, String(format: "%.\(decimals)f", s))) }
      s += step
    }

    let labelWidth = max(yTicks.map { BitmapFont.width(of: $0.label, scale: fontScale) }.max() ?? 0,
                         BitmapFont.width(of: "Hz", scale: fontScale))
    let left = labelWidth + tick + gap + 4 * fontScale
    let top = glyphHeight + 8 * fontScale
    let lastHalf = (xTicks.last.map { BitmapFont.width(of: $0.label, scale: fontScale) } ?? 0) / 2
    let right = max(lastHalf, BitmapFont.width(of: "s", scale: fontScale) + 2 * gap) + 4 * fontScale
    let bottom = tick + gap + glyphHeight + 4 * fontScale
    var picture = RGBPicture(width: left + plotWidth + right, height: top + plotHeight + bottom, fill: paper)
    picture.draw(plot, atX: left, y: top)

    // Axis lines along the left and bottom edges of the plot.
    picture.fill(x: left - fontScale, y: top, width: fontScale, height: plotHeight + fontScale, color: ink)
    picture.fill(x: left - fontScale, y: top + plotHeight, width: plotWidth + fontScale, height: fontScale, color: ink)
    for t in yTicks {
      let y = top + t.row
      picture.fill(x: left - fontScale - tick, y: y, width: tick, height: fontScale, color: ink)
      let w = BitmapFont.width(of: t.label, scale: fontScale)
      BitmapFont.draw(t.label, into: &picture, x: left - fontScale - tick - gap - w, y: y - glyphHeight / 2,
                      scale: fontScale, color: ink)
    }
    BitmapFont.draw("Hz", into: &picture, x: left - fontScale - tick - gap - BitmapFont.width(of: "Hz", scale: fontScale),
                    y: 3 * fontScale, scale: fontScale, color: ink)
    let labelTop = top + plotHeight + fontScale + tick + gap
    for t in xTicks {
      let x = left + t.column
      picture.fill(x: x, y: top + plotHeight + fontScale, width: fontScale, height: tick, color: ink)
      let w = BitmapFont.width(of: t.label, scale: fontScale)
      BitmapFont.draw(t.label, into: &picture, x: max(0, x - w / 2), y: labelTop, scale: fontScale, color: ink)
    }
    BitmapFont.draw("s", into: &picture, x: left + plotWidth + gap + lastHalf / 2, y: labelTop, scale: fontScale, color: ink)
    return picture
  }

  /// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let power = pow(10, floor(log10(raw)))
    for m in [1.0, 2, 5, 10] where m * power >= raw * (1 - 1e-9) { return m * power }
    return 10 * power
  }

  /// Frequencies to label, bottom up, at least `minSpacing` pixels apart: multiples of a round
  /// step for linear bins, 1-2-5 values (100, 200, 500, 1k, …) for mel bands, whose scale
  /// crowds high frequencies together.
  static func frequencyTicks(_ axis: FrequencyAxis, bins: Int, plotHeight: Int, minSpacing: Int) -> [Double] {
    let (low, high) = axis.range
    var candidates: [Double] = []
    if axis.isMel {
      var decade = 10.0
      while decade <= high {
        for m in [1.0, 2, 5] where m * decade >= low && m * decade <= high { candidates.append(m * decade) }
        decade *= 10
      }
      if low == 0 { candidates.insert(0, at: 0) }
    } else {
      let step = niceStep((high - low) / max(1, Double(plotHeight) / Double(3 * minSpacing)))
      var f = (low / step).rounded(.up) * step
      while f <= high + 1e-9 { candidates.append(f); f += step }
    }
    let pixelsPerBin = Double(plotHeight) / Double(bins)
    var kept: [Double] = []
    var lastPixel = -Double.infinity
    for f in candidates {
      let p = axis.position(ofHz: f)
      guard p >= -0.5, p <= Double(bins) - 0.5 else { continue }
      let pixel = (p + 0.5) * pixelsPerBin
      if pixel - lastPixel >= Double(minSpacing) {
        kept.append(f)
        lastPixel = pixel
      }
    }
    return kept
  }

  /// "0", "500", "1k", "1.5k", "22.05k".
  static func hzLabel(_ hz: Double) -> String {
    guard hz >= 1000 else { return String(Int(hz.rounded())) }
    var text = String(format: "%.2f", hz / 1000)
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text + "k"
  }
}
