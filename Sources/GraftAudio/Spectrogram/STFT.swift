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
  /// The window's symmetry: periodic (librosa's, the default) or symmetric
  /// (`torch.hann_window(winLength, periodic=False)`, as EfficientAT's front end uses).
  public let periodicWindow: Bool

  /// `winLength` defaults to `nFFT` and `hopLength` to `winLength / 4`, as librosa's.
  public init(nFFT: Int = 2048, hopLength: Int? = nil, winLength: Int? = nil, window: WindowFunction = .hann,
              center: Bool = true, padMode: PadMode = .constant, periodicWindow: Bool = true) {
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
    self.periodicWindow = periodicWindow
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
    let frames = try frames(of: y)
    let bins = self.bins
    let out = Tensor(uninitializedShape: [bins, frames])  // [B, T]
    let dst = out.data
    transform(y, frames: frames, power: power) { rows, t0, width in
      // `width` contiguous columns per bin: writing [B, T] one frame at a time would
      // touch a new cache line for every bin.
      for k in 0..<bins {
        let column = dst + k * frames + t0
        for j in 0..<width { column[j] = rows[j &* bins &+ k] }
      }
    }
    return out
  }

  /// `filterbank(spectrogram(y, power:))` as `[M, T]` without the `[B, T]` spectrogram
  /// in between: each block of frames goes through the filters while it is in cache.
  public func melSpectrogram(_ y: [Float], power: Float = 2, filterbank: MelFilterbank) throws(SpectrogramError) -> Tensor {
    precondition(filterbank.bins == bins, "STFT.melSpectrogram: filterbank for \(filterbank.bins) bins, STFT has \(bins)")
    let frames = try frames(of: y)
    let out = Tensor(uninitializedShape: [filterbank.nMels, frames])  // [M, T]
    let dst = out.data
    transform(y, frames: frames, power: power) { rows, t0, width in
      filterbank.apply(frameMajor: rows, frames: width, to: dst + t0, rowStride: frames)
    }
    return out
  }

  private func frames(of y: [Float]) throws(SpectrogramError) -> Int {
    guard let frames = frameCount(samples: y.count) else {
      throw .signalTooShort(samples: y.count, needed: center ? 1 : nFFT)
    }
    return frames
  }

  /// Computes `|STFT|^power` of all `frames` in parallel, in blocks of up to 64
  /// consecutive frames, and hands each block to `sink` frame-major, `[width, B]`,
  /// with its first frame index.
  /// Blocks go to `sink` from several threads at once; the rows are valid only
  /// during the call.
  ///
  /// With `center`, frames read the signal in place; only the few frames that
  /// overlap the padding are assembled in a scratch frame (no padded copy of
  /// the whole signal).
  private func transform(
    _ y: [Float], frames: Int, power: Float,
    _ sink: (_ rows: UnsafePointer<Float>, _ t0: Int, _ width: Int) -> Void
  ) {
    precondition(power > 0, "STFT: power \(power)")
    let window = self.window.padded(winLength, to: nFFT, periodic: periodicWindow)
    let windowStart = (nFFT - winLength) / 2
    let windowRange = windowStart..<(windowStart + winLength)
    let fft = RealFFT.forSize(nFFT)
    let (nFFT, hop, bins) = (self.nFFT, hopLength, self.bins)
    let pad = center ? nFFT / 2 : 0
    y.withUnsafeBufferPointer { x in
     window.withUnsafeBufferPointer { window in
      Kernels.parallelRanges(frames, grain: 8) { range in
        let buffers = fft.makeBuffers()
        let input = buffers.input, spectrum = buffers.output
        input.initialize(repeating: 0, count: nFFT)
        let block = 64
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: block * bins)  // [width, B]
        let edge = UnsafeMutablePointer<Float>.allocate(capacity: nFFT)  // a frame overlapping the padding
        defer { rows.deallocate(); edge.deallocate() }
        var t0 = range.lowerBound
        while t0 < range.upperBound {
          let t1 = min(t0 + block, range.upperBound)
          for t in t0..<t1 {
            let start = t * hop - pad  // in the unpadded signal
            let frame: UnsafePointer<Float>
            if start >= 0 && start + nFFT <= x.count {
              frame = x.baseAddress! + start
            } else {
              for j in 0..<nFFT { edge[j] = paddedSample(x, start + j) }
              frame = UnsafePointer(edge)
            }
            // y·w in Double, as librosa multiplies the float32 frame by the float64 window
            // (through unsafe pointers, so the loop vectorizes: no bounds checks).
            for j in windowRange { input[j] = Float(Double(frame[j]) * window[j]) }
            fft.execute(buffers)
            let row = rows + (t - t0) * bins
            for k in 0..<bins {
              let re = spectrum[2 * k], im = spectrum[2 * k + 1]
              row[k] = re * re + im * im
            }
          }
          let width = t1 - t0
          if power != 2 {
            for i in 0..<(width * bins) {
              let magnitude = rows[i].squareRoot()
              rows[i] = power == 1 ? magnitude : pow(magnitude, power)
            }
          }
          sink(rows, t0, width)
          t0 = t1
        }
      }
     }
    }
  }

  /// Sample `i` of the signal extended by `padMode` (any i: negative or past the end).
  private func paddedSample(_ x: UnsafeBufferPointer<Float>, _ i: Int) -> Float {
    if i >= 0 && i < x.count { return x[i] }
    switch padMode {
    case .constant: return 0
    case .reflect: return x[STFT.reflect(i, count: x.count)]
    }
  }

  /// The signal extended by `nFFT / 2` samples on each side (what `center` frames read).
  func padded(_ y: [Float]) -> [Float] {
    let pad = nFFT / 2
    return y.withUnsafeBufferPointer { x in (0..<(y.count + 2 * pad)).map { paddedSample(x, $0 - pad) } }
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
