import GraftCore

/// How `center` extends the signal by `nFFT / 2` samples on each side (`numpy.pad` modes).
public enum PadMode: String, Sendable, CaseIterable {
  /// Zeros.
  case constant
  /// Mirror without repeating the edge sample: `[3, 2, | 1, 2, 3, 4 | 3, 2]`.
  case reflect
}

/// Short-time Fourier transform parameters with `librosa.stft`'s names and defaults, and the
/// power or magnitude spectrogram `np.abs(librosa.stft(y, ...)) ** power`
/// (https://librosa.org/doc/latest/generated/librosa.stft.html).
///
/// Frame t covers samples `[t·hop, t·hop + nFFT)` of the signal, padded by `nFFT / 2` on each
/// side when `center` is on; the window of `winLength` samples sits centred in the frame,
/// zero-padded to `nFFT`. Glossary: B = nFFT / 2 + 1 frequency bins, T = frames.
public struct STFT: Equatable, Sendable {
  public let nFFT: Int
  public let hopLength: Int
  public let winLength: Int
  public let window: WindowFunction
  public let center: Bool
  public let padMode: PadMode

  /// `winLength` defaults to `nFFT` and `hopLength` to `winLength / 4`, as librosa's.
  public init(nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil, window: WindowFunction = .hann,
              center: Bool = true, padMode: PadMode = .constant) {
    let win = winLength ?? nFFT
    let hop = hopLength ?? win / 4
    precondition(nFFT >= 2, "STFT: nFFT \(nFFT)")
    precondition(win >= 1 && win <= nFFT, "STFT: winLength \(win) outside 1...\(nFFT)")
    precondition(hop >= 1, "STFT: hopLength \(hop)")
    self.nFFT = nFFT
    self.hopLength = hop
    self.winLength = win
    self.window = window
    self.center = center
    self.padMode = padMode
  }

  /// Frequency bins: `nFFT / 2 + 1`.
  public var bins: Int { nFFT / 2 + 1 }

  /// Frames for a signal of `samples` samples, or nil when it is too short for one.
  public func frameCount(samples: Int) -> Int? {
    let length = center ? samples + 2 * (nFFT / 2) : samples
    guard samples >= 1, length >= nFFT else { return nil }
    return 1 + (length - nFFT) / hopLength
  }

  /// `|STFT(y)|^power` as `[B, T]`: power 2 is the power spectrogram, 1 the magnitude.
  /// Frames are transformed in parallel with one cached FFTW plan.
  public func spectrogram(_ y: [Float], power: Float = 2) throws(SpectrogramError) -> Tensor {
    precondition(power > 0, "STFT.spectrogram: power \(power)")
    guard let frames = frameCount(samples: y.count) else {
      throw .signalTooShort(samples: y.count, needed: center ? 1 : nFFT)
    }
    let signal = center ? padded(y) : y
    let window = self.window.padded(winLength, to: nFFT)
    let windowStart = (nFFT - winLength) / 2
    let windowRange = windowStart..<(windowStart + winLength)
    let fft = RealFFT.forSize(nFFT)
    let (nFFT, hop, bins) = (self.nFFT, hopLength, self.bins)
    let out = Tensor(uninitializedShape: [bins, frames])  // [B, T]
    let dst = out.data
    signal.withUnsafeBufferPointer { x in
     window.withUnsafeBufferPointer { window in
      Kernels.parallelRanges(frames, grain: 8) { range in
        let buffers = fft.makeBuffers()
        let input = buffers.input, spectrum = buffers.output
        input.initialize(repeating: 0, count: nFFT)
        // Frames are computed into a frame-major block, then written out as
        // `block` contiguous columns per bin: writing [B, T] one frame at a time
        // would touch a new cache line for every bin.
        let block = 64
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: block * bins)
        defer { scratch.deallocate() }
        var t0 = range.lowerBound
        while t0 < range.upperBound {
          let t1 = min(t0 + block, range.upperBound)
          for t in t0..<t1 {
            let start = t * hop
            // y·w in Double, as librosa multiplies the float32 frame by the float64 window
            // (through unsafe pointers, so the loop vectorizes: no bounds checks).
            let frame = x.baseAddress! + start
            for j in windowRange { input[j] = Float(Double(frame[j]) * window[j]) }
            fft.execute(buffers)
            let row = scratch + (t - t0) * bins
            for k in 0..<bins {
              let re = spectrum[2 * k], im = spectrum[2 * k + 1]
              row[k] = re * re + im * im
            }
          }
          let width = t1 - t0
          if power != 2 {
            for i in 0..<(width * bins) {
              let magnitude = scratch[i].squareRoot()
              scratch[i] = power == 1 ? magnitude : pow(magnitude, power)
            }
          }
          for k in 0..<bins {
            let column = dst + k * frames + t0
            for j in 0..<width { column[j] = scratch[j * bins + k] }
          }
          t0 = t1
        }
      }
     }
    }
    return out
  }

  /// The signal extended by `nFFT / 2` samples on each side.
  func padded(_ y: [Float]) -> [Float] {
    let pad = nFFT / 2
    var out = [Float](repeating: 0, count: y.count + 2 * pad)
    out.replaceSubrange(pad..<(pad + y.count), with: y)
    if padMode == .reflect {
      for i in 0..<pad {
        out[pad - 1 - i] = y[STFT.reflect(-1 - i, count: y.count)]
        out[pad + y.count + i] = y[STFT.reflect(y.count + i, count: y.count)]
      }
    }
    return out
  }

  /// The index `numpy.pad(mode='reflect')` reads for position `i` of an array of `count`:
  /// mirror images about the end samples, repeated when the padding is longer than the array.
  static func reflect(_ i: Int, count: Int) -> Int {
    guard count > 1 else { return 0 }
    let period = 2 * (count - 1)
    var m = i % period
    if m < 0 { m += period }
    return m < count ? m : period - m
  }
}

#if canImport(Glibc)
import Glibc
#endif
