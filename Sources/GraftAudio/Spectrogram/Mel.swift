import GraftCore

/// The Hz ↔ mel mapping (`librosa.hz_to_mel` / `mel_to_hz`).
public enum MelScale: String, Sendable, CaseIterable {
  /// Slaney's Auditory Toolbox: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
  case slaney
  /// HTK: 2595 · log10(1 + f / 700).
  case htk

  private static let linearStep = 200.0 / 3
  private static let logStartHz = 1000.0
  private static let logStartMel = logStartHz / linearStep  // 15
  private static let logStep = log(6.4) / 27

  public func mel(fromHz hz: Double) -> Double {
    switch self {
    case .htk: 2595 * log10(1 + hz / 700)
    case .slaney:
      hz >= Self.logStartHz ? Self.logStartMel + log(hz / Self.logStartHz) / Self.logStep : hz / Self.linearStep
    }
  }

  public func hz(fromMel mel: Double) -> Double {
    switch self {
    case .htk: 700 * (pow(10, mel / 2595) - 1)
    case .slaney:
      mel >= Self.logStartMel ? Self.logStartHz * exp(Self.logStep * (mel - Self.logStartMel)) : Self.linearStep * mel
    }
  }
}

/// How each mel filter is scaled (`norm` of `librosa.filters.mel`).
public enum MelNorm: String, Sendable, CaseIterable {
  /// Divide each triangle by its width in Hz (times 2): constant energy per filter.
  case slaney
  /// Peak 1.
  case none
}

/// Triangular mel filters over the bins of an `nFFT`-point FFT, as `librosa.filters.mel`
/// (https://librosa.org/doc/latest/generated/librosa.filters.mel.html), stored sparse: each
/// filter keeps only the bins where it is non-zero. Glossary: M = nMels, B = nFFT / 2 + 1, T = frames.
public struct MelFilterbank: Equatable, Sendable {
  public let sampleRate: Int
  public let nFFT: Int
  public let nMels: Int
  public let fmin: Double
  public let fmax: Double
  public let scale: MelScale
  public let norm: MelNorm
  /// Per filter, the bins where it is non-zero (empty for a filter narrower than a bin).
  public let ranges: [Range<Int>]
  /// Every filter's weights over its `ranges[m]`, end to end; filter m's start at `starts[m]`.
  private let weights: [Float]
  private let starts: [Int]

  /// `fmax` defaults to `sampleRate / 2`.
  public init(sampleRate: Int, nFFT: Int, nMels: Int = 128, fmin: Double = 0, fmax: Double? = nil,
              scale: MelScale = .slaney, norm: MelNorm = .slaney) {
    let top = fmax ?? Double(sampleRate) / 2
    precondition(sampleRate > 0 && nFFT >= 2 && nMels >= 1, "MelFilterbank: sampleRate \(sampleRate), nFFT \(nFFT), nMels \(nMels)")
    precondition(fmin >= 0 && fmin < top, "MelFilterbank: fmin \(fmin) must lie in [0, fmax \(top))")
    self.sampleRate = sampleRate
    self.nFFT = nFFT
    self.nMels = nMels
    self.fmin = fmin
    self.fmax = top
    self.scale = scale
    self.norm = norm

    let bins = nFFT / 2 + 1
    let fftFrequencies = (0..<bins).map { Double($0) * Double(sampleRate) / Double(nFFT) }
    // nMels + 2 points evenly spaced in mel (np.linspace), back in Hz.
    let (low, high) = (scale.mel(fromHz: fmin), scale.mel(fromHz: top))
    let points = nMels + 2
    let edges = (0..<points).map { i in
      scale.hz(fromMel: i == points - 1 ? high : low + Double(i) * (high - low) / Double(points - 1))
    }
    var ranges: [Range<Int>] = []
    var weights: [[Float]] = []
    for m in 0..<nMels {
      let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2])
      let enorm = norm == .slaney ? 2 / (right - left) : 1
      var row: [Float] = []
      var first = -1
      for (k, f) in fftFrequencies.enumerated() {
        let lower = (f - left) / (centre - left)
        let upper = (right - f) / (right - centre)
        // librosa stores the triangle as float32, then scales it in float64 and stores float32.
        let triangle = Float(max(0, min(lower, upper)))
        let w = norm == .slaney ? Float(Double(triangle) * enorm) : triangle
        if w > 0 {
          if first < 0 { first = k }
          row += repeatElement(0, count: k - first - row.count)
          row.append(w)
        }
      }
      ranges.append(first < 0 ? 0..<0 : first..<(first + row.count))
      weights.append(row)
    }
    self.ranges = ranges
    self.weights = weights.flatMap { $0 }
    starts = ranges.reduce(into: [0]) { $0.append($0.last! + $1.count) }
  }

  /// A filterbank built elsewhere (`kaldi(sampleRate:nFFT:nMels:fmin:fmax:)`): filter m's
  /// non-zero `weights` run over `ranges[m]`, the filters end to end.
  init(sampleRate: Int, nFFT: Int, nMels: Int, fmin: Double, fmax: Double, scale: MelScale, norm: MelNorm,
       ranges: [Range<Int>], weights: [Float]) {
    precondition(ranges.count == nMels && ranges.allSatisfy({ $0.upperBound <= nFFT / 2 + 1 })
                 && ranges.reduce(0, { $0 + $1.count }) == weights.count, "MelFilterbank: inconsistent filters")
    self.sampleRate = sampleRate
    self.nFFT = nFFT
    self.nMels = nMels
    self.fmin = fmin
    self.fmax = fmax
    self.scale = scale
    self.norm = norm
    self.ranges = ranges
    self.weights = weights
    starts = ranges.reduce(into: [0]) { $0.append($0.last! + $1.count) }
  }

  /// Frequency bins the filters expect: `nFFT / 2 + 1`.
  public var bins: Int { nFFT / 2 + 1 }

  /// The dense filter matrix `[M, B]`, as `librosa.filters.mel` returns it.
  public func matrix() -> Tensor {
    var dense = [Float](repeating: 0, count: nMels * bins)
    for m in 0..<nMels {
      for i in 0..<ranges[m].count { dense[m * bins + ranges[m].lowerBound + i] = weights[starts[m] + i] }
    }
    return Tensor(shape: [nMels, bins], dense)
  }

  /// Applies the filters to frame-major spectrum rows `[frames, B]` and writes filter m
  /// to `out[m · rowStride ..< m · rowStride + frames]`. Eight frames at a time, so the
  /// eight sums are independent (a single dot product per frame is one long chain of
  /// dependent adds); each sum adds its bins in order, as `callAsFunction` does.
  func apply(frameMajor rows: UnsafePointer<Float>, frames: Int, to out: UnsafeMutablePointer<Float>, rowStride: Int) {
    let bins = self.bins
    weights.withUnsafeBufferPointer { w in
      for m in 0..<nMels {
        let weights = w.baseAddress! + starts[m], count = ranges[m].count
        let first = rows + ranges[m].lowerBound
        let dst = out + m * rowStride
        var j = 0
        while j + 8 <= frames {
          let src = first + j * bins
          var sum = SIMD8<Float>(repeating: 0)
          for i in 0..<count {
            let v = SIMD8<Float>(src[i], src[bins + i], src[2 &* bins &+ i], src[3 &* bins &+ i],
                                 src[4 &* bins &+ i], src[5 &* bins &+ i], src[6 &* bins &+ i], src[7 &* bins &+ i])
            sum += weights[i] * v
          }
          UnsafeMutableRawPointer(dst + j).storeBytes(of: sum, as: SIMD8<Float>.self)
          j += 8
        }
        for j in j..<frames {
          let src = first + j * bins
          var sum: Float = 0
          for i in 0..<count { sum += weights[i] * src[i] }
          dst[j] = sum
        }
      }
    }
  }

  private func apply(_ src: UnsafePointer<Float>, frames: Int, inputStride: Int, filters: Range<Int>,
                     to out: UnsafeMutablePointer<Float>, rowStride: Int) {
    weights.withUnsafeBufferPointer { w in
      for m in filters {
        let row = out + m * rowStride
        row.update(repeating: 0, count: frames)
        let weights = w.baseAddress! + starts[m], first = ranges[m].lowerBound
        for i in 0..<ranges[m].count {
          let weight = weights[i], column = src + (first + i) * inputStride
          for t in 0..<frames { row[t] += weight * column[t] }
        }
      }
    }
  }

  /// Applies the filters to a spectrogram `[B, T]` and returns `[M, T]`.
  public func callAsFunction(_ spectrogram: Tensor) -> Tensor {
    precondition(spectrogram.rank == 2 && spectrogram.shape[0] == bins,
                 "MelFilterbank: spectrogram \(spectrogram.shape), expected [\(bins), T]")
    let frames = spectrogram.shape[1]
    let out = Tensor(uninitializedShape: [nMels, frames])  // [M, T]
    let (src, dst) = (spectrogram.data, out.data)
    Kernels.parallelRanges(nMels, grain: max(1, 4096 / max(frames, 1))) { filters in
      apply(src, frames: frames, inputStride: frames, filters: filters, to: dst, rowStride: frames)
    }
    return out
  }
}

#if canImport(Glibc)
import Glibc
#endif
