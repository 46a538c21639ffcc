#if canImport(Glibc)
import Glibc
#endif

/// `torchaudio.functional.resample` with its defaults (`resampling_method='sinc_interp_hann'`,
/// `lowpass_filter_width=6`, `rolloff=0.99`), value for value: the polyphase windowed-sinc kernel
/// of `_get_sinc_resample_kernel`, computed in Float with torchaudio's float32 operations in
/// torchaudio's order, and its application (`_apply_sinc_resample_kernel`).
/// https://pytorch.org/audio/stable/generated/torchaudio.functional.resample.html
///
/// The rates are reduced by their greatest common divisor to `inputStep` (orig) and `phases`
/// (new). The cutoff is `min(orig, new) · rolloff` in those reduced units, the filter spans
/// `width = ⌈lowpassFilterWidth · orig / cutoff⌉` input samples on each side, and its window is
/// Hann (cos²) over ±`lowpassFilterWidth` zero crossings. Output sample `j · new + p` is the
/// cross-correlation of phase p's `2·width + orig` taps with the input zero-padded by `width`
/// samples on the left, starting at input sample `j · orig`; the output has `⌈N · new / orig⌉`
/// samples.
///
/// Which resampler Graft uses when: this one wherever a network was trained on torchaudio's
/// resampler and is sensitive to it (EfficientAT's front end, `EfficientATFrontEnd`: with a
/// different resampler the near-empty mel bands above the source's Nyquist change, and so do the
/// logits); libsamplerate (`resample(_:channels:from:to:quality:)`) everywhere else: it streams,
/// and its kernels do not grow with the rates' ratio.
public struct SincResampler: Sendable {
  public let from: Int
  public let to: Int
  /// `from / gcd`: input samples per period.
  public let inputStep: Int
  /// `to / gcd`: output samples per period, one filter each.
  public let phases: Int
  /// Zero-padding on the left, in input samples.
  public let width: Int
  /// Taps per phase: `2 · width + inputStep`.
  public let taps: Int
  /// `[phases, taps]`, row p the filter of output phase p (torchaudio's kernel `[new, 1, taps]`).
  public let kernel: [Float]

  /// The most taps (phases × taps) a kernel may have: 2²⁴ floats, 64 MiB.
  public static let maximumKernelSize = 1 << 24

  /// Throws for non-positive rates, and when the reduced rates need a kernel larger than
  /// `maximumKernelSize` (rates with a small common factor, e.g. 44 101 → 32 000).
  public init(from: Int, to: Int, lowpassFilterWidth: Int = 6, rolloff: Double = 0.99) throws(ResampleError) {
    precondition(lowpassFilterWidth >= 1 && rolloff > 0 && rolloff <= 1,
                 "SincResampler: lowpassFilterWidth \(lowpassFilterWidth), rolloff \(rolloff)")
    guard from > 0, to > 0 else { throw ResampleError(from: from, to: to, reason: .invalidRate) }
    self.from = from
    self.to = to
    let divisor = SincResampler.gcd(from, to)
    let orig = from / divisor, new = to / divisor
    inputStep = orig
    phases = new
    let baseFrequency = Double(min(orig, new)) * rolloff
    let width = Int((Double(lowpassFilterWidth) * Double(orig) / baseFrequency).rounded(.up))
    self.width = width
    taps = 2 * width + orig
    let (size, overflow) = taps.multipliedReportingOverflow(by: new)
    guard !overflow, size <= SincResampler.maximumKernelSize else {
      throw ResampleError(from: from, to: to, reason: .kernelTooLarge(overflow ? Int.max : size))
    }
    kernel = SincResampler.makeKernel(orig: orig, new: new, width: width, lowpassFilterWidth: lowpassFilterWidth,
                                      baseFrequency: baseFrequency)
  }

  static func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
  }

  /// `_get_sinc_resample_kernel(..., dtype=torch.float32)`: each step is one float32 tensor
  /// operation there (Python scalars enter as Float), so it is one Float operation here.
  static func makeKernel(orig: Int, new: Int, width: Int, lowpassFilterWidth: Int, baseFrequency: Double) -> [Float] {
    let taps = 2 * width + orig
    let lw = Float(lowpassFilterWidth), base = Float(baseFrequency), pi = Float(Double.pi)
    let scale = Float(baseFrequency / Double(orig))
    var kernel = [Float](repeating: 0, count: new * taps)
    for p in 0..<new {
      let phase = Float(-p) / Float(new)                        // arange(0, -new, -1) / new
      for k in 0..<taps {
        let idx = Float(k - width) / Float(orig)                // arange(-width, width + orig) / orig
        var t = (phase + idx) * base                            // t *= base_freq
        t = min(max(t, -lw), lw)                                // clamp_(-lw, lw)
        let c = cosf(t * pi / lw / 2)
        let window = c * c                                      // cos(t·π / lw / 2) ** 2
        t *= pi
        let sinc: Float = t == 0 ? 1 : sinf(t) / t
        kernel[p * taps + k] = sinc * (window * scale)          // kernels *= window * scale
      }
    }
    return kernel
  }

  /// Output samples for `count` input samples: `⌈count · phases / inputStep⌉`.
  public func outputCount(_ count: Int) -> Int {
    let (product, overflow) = count.multipliedReportingOverflow(by: phases)
    precondition(!overflow, "SincResampler: \(count) samples overflow")
    return (product + inputStep - 1) / inputStep
  }

  /// Resamples a mono signal. Equal rates return it unchanged (as torchaudio does).
  public func callAsFunction(_ x: [Float]) -> [Float] {
    if from == to || x.isEmpty { return x }
    let outCount = outputCount(x.count)
    // The input padded by `width` zeros on the left and `width + inputStep` on the right.
    var padded = [Float](repeating: 0, count: x.count + 2 * width + inputStep)
    padded.withUnsafeMutableBufferPointer { p in
      x.withUnsafeBufferPointer { p.baseAddress!.advanced(by: width).update(from: $0.baseAddress!, count: x.count) }
    }
    var out = [Float](repeating: 0, count: outCount)
    padded.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in apply(src.baseAddress!, outputs: outCount, into: dst.baseAddress!) }
    }
    return out
  }

  /// The first `outputs` output samples of the padded input `x` (frame j, the `phases` outputs
  /// `j · phases + p`, reads `x[j · inputStep ..< j · inputStep + taps]`), written to `y`. Every
  /// output is the sum of its taps in order, so any run of frames computes the same values as the
  /// whole signal does (`SincResampler.Stream` relies on it).
  func apply(_ x: UnsafePointer<Float>, outputs outCount: Int, into y: UnsafeMutablePointer<Float>) {
    let frames = (outCount + phases - 1) / phases
    let (taps, step, phases) = (self.taps, inputStep, self.phases)
    kernel.withUnsafeBufferPointer { kernel in
      let h = kernel.baseAddress!
      // Eight frames at a time per phase: eight independent sums (a vector), each adding its
      // taps in order.
      var j = 0
      while j + 8 <= frames {
        for p in 0..<phases {
          let filter = h + p * taps
          var sum = SIMD8<Float>(repeating: 0)
          for k in 0..<taps {
            let s = x + (j &* step &+ k)
            sum += filter[k] * SIMD8<Float>(s[0], s[step], s[2 &* step], s[3 &* step], s[4 &* step], s[5 &* step],
                                            s[6 &* step], s[7 &* step])
          }
          for i in 0..<8 where (j + i) * phases + p < outCount { y[(j + i) * phases + p] = sum[i] }
        }
        j += 8
      }
      while j < frames {
        for p in 0..<phases where j * phases + p < outCount {
          let filter = h + p * taps, s = x + j * step
          var sum: Float = 0
          for k in 0..<taps { sum += filter[k] * s[k] }
          y[j * phases + p] = sum
        }
        j += 1
      }
    }
  }
}
