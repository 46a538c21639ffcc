import GraftCore

/// EfficientAT's front end (`models/preprocess.py`, `AugmentMelSTFT`, in evaluation mode — no
/// frequency/time masking, no jitter of the mel range), exactly: audio → the network input
/// `[1, 1, nMels, T]` of `MN`.
///
/// 1. Mono (the channels' mean) at `sampleRate` (32 kHz), resampled with torchaudio's
///    `resample` (`SincResampler`; the reference pipeline's resampler, see below).
/// 2. Pre-emphasis `y[n] = x[n + 1] − 0.97 · x[n]` (a convolution with [−0.97, 1], no padding:
///    one sample shorter).
/// 3. Power STFT: 1024-point FFT, hop 320 (10 ms), an 800-sample (25 ms) **symmetric** Hann window
///    centred in the frame, frames centred with reflect padding (`torch.stft(center=True)`):
///    T = 1 + (samples − 1) / 320 frames of 513 bins.
/// 4. 128 Kaldi mel bands (`MelFilterbank.kaldi`) from `fmin` 0 to `fmax` 15 000 Hz
///    (EfficientAT's `sr / 2 − fmax_aug_range / 2` with its default range of 2000 Hz).
/// 5. `log(mel + 1e-5)`, then `(x + 4.5) / 5`.
///
/// **Why torchaudio's resampler.** AudioSet clips are often sampled below 32 kHz, and the bands
/// above the source's Nyquist then hold only the resampler's stop-band leakage, just above the
/// log floor, where the log magnifies any difference: EfficientAT's released `inference.py`
/// (librosa's soxr) moves mn04's logits by up to 1.7 against torchaudio's on 16 kHz clips. The
/// checked reference (`../shared/pretrained/ref/mn04`) uses torchaudio's, so this does too.
///
/// `torch.stft` refuses a signal shorter than 513 samples (reflect padding needs more samples than
/// it pads); here such a signal is extended by repeated reflection (`numpy.pad` semantics).
public struct EfficientATFrontEnd: Codable, Equatable, Sendable {
  public var sampleRate: Int = 32000
  public var nFFT: Int = 1024
  public var winLength: Int = 800
  public var hopLength: Int = 320
  public var nMels: Int = 128
  public var fmin: Double = 0
  public var fmax: Double = 15000
  public var preemphasis: Float = 0.97
  public var logOffset: Float = 1e-5
  /// The "fast normalization" `(x + shift) / divisor`.
  public var shift: Float = 4.5
  public var divisor: Float = 5

  /// mn04's front end (EfficientAT's defaults).
  public init() {}

  enum CodingKeys: String, CodingKey {
    case sampleRate = "sample_rate", nFFT = "n_fft", winLength = "win_length", hopLength = "hop_length"
    case nMels = "n_mels", fmin, fmax, preemphasis, logOffset = "log_offset", shift, divisor
  }

  /// Decodes every field (none is optional) and rejects inconsistent values with
  /// `DecodingError.dataCorrupted`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sampleRate = try c.decode(Int.self, forKey: .sampleRate)
    nFFT = try c.decode(Int.self, forKey: .nFFT)
    winLength = try c.decode(Int.self, forKey: .winLength)
    hopLength = try c.decode(Int.self, forKey: .hopLength)
    nMels = try c.decode(Int.self, forKey: .nMels)
    fmin = try c.decode(Double.self, forKey: .fmin)
    fmax = try c.decode(Double.self, forKey: .fmax)
    preemphasis = try c.decode(Float.self, forKey: .preemphasis)
    logOffset = try c.decode(Float.self, forKey: .logOffset)
    shift = try c.decode(Float.self, forKey: .shift)
    divisor = try c.decode(Float.self, forKey: .divisor)
    if let problem {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "front end: \(problem)"))
    }
  }

  /// What is wrong with these parameters, or nil when they are consistent.
  public var problem: String? {
    if sampleRate < 1 || sampleRate > 1 << 24 { return "sample_rate \(sampleRate) must lie in 1...16777216" }
    if nFFT < 2 || nFFT % 2 != 0 || nFFT > 1 << 20 { return "n_fft \(nFFT) must be even and in 2...1048576" }
    if winLength < 1 || winLength > nFFT { return "win_length \(winLength) must lie in 1...n_fft (\(nFFT))" }
    if hopLength < 1 { return "hop_length \(hopLength) must be positive" }
    if nMels < 4 || nMels > 1 << 16 { return "n_mels \(nMels) must lie in 4...65536 (Kaldi banks need more than 3)" }
    if !(fmin >= 0 && fmin < fmax && fmax <= Double(sampleRate) / 2) {
      return "mel range \(fmin)–\(fmax) Hz must satisfy 0 ≤ fmin < fmax ≤ sample_rate / 2"
    }
    if !preemphasis.isFinite { return "preemphasis \(preemphasis) must be finite" }
    if !(logOffset > 0) || !logOffset.isFinite { return "log_offset \(logOffset) must be positive" }
    if !shift.isFinite || !(divisor != 0) || !divisor.isFinite { return "shift and divisor must be finite, divisor ≠ 0" }
    return nil
  }

  public var stft: STFT {
    STFT(nFFT: nFFT, hopLength: hopLength, winLength: winLength, window: .hann, center: true, padMode: .reflect,
         periodicWindow: false)
  }

  public var filterbank: MelFilterbank {
    MelFilterbank.kaldi(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax)
  }

  /// Frames for `samples` samples at `sampleRate`: 1 + (samples − 1) / hop (the pre-emphasized
  /// signal is one sample shorter), or nil below two samples.
  public func frameCount(samples: Int) -> Int? { samples < 2 ? nil : stft.frameCount(samples: samples - 1) }

  /// `x[n + 1] − preemphasis · x[n]`, one sample shorter than `x`.
  public func preemphasized(_ x: [Float]) -> [Float] {
    guard x.count >= 2 else { return [] }
    let a = -preemphasis
    return x.withUnsafeBufferPointer { x in (0..<(x.count - 1)).map { a * x[$0] + x[$0 + 1] } }
  }

  /// The network input `[1, 1, nMels, T]` of mono samples already at `sampleRate`.
  public func melInput(_ samples: [Float]) throws(SpectrogramError) -> Tensor {
    let emphasized = preemphasized(samples)
    guard !emphasized.isEmpty else { throw .signalTooShort(samples: samples.count, needed: 2) }
    let mel = try stft.melSpectrogram(emphasized, power: 2, filterbank: filterbank)  // [M, T]
    Kernels.logOffset(mel.data, mel.data, count: mel.count, offset: logOffset)
    normalize(mel)
    return mel.reshaped([1, 1, nMels, mel.shape[1]])
  }

  /// The "fast normalization" `(x + shift) / divisor` of log-mel values, in place.
  func normalize(_ logMel: Tensor) {
    let (shift, divisor, data) = (self.shift, self.divisor, logMel.data)
    for i in 0..<logMel.count { data[i] = (data[i] + shift) / divisor }
  }

  /// Decoded audio (any rate, any channels) as mono at `sampleRate`: the channels' mean, then
  /// torchaudio's sinc resampling when the rate differs. `path` names the source in errors.
  public func waveform(_ audio: AudioBuffer, path: String) throws(PreprocessingError) -> [Float] {
    let mono = audio.mono()
    guard mono.frames > 0 else { throw PreprocessingError(path: path, reason: .noSamples) }
    if mono.sampleRate == sampleRate { return mono.samples }
    do {
      return try SincResampler(from: mono.sampleRate, to: sampleRate)(mono.samples)
    } catch {
      throw PreprocessingError(path: path, reason: .resample(error))
    }
  }

  /// Decoded audio → the network input `[1, 1, nMels, T]`.
  public func melInput(_ audio: AudioBuffer, path: String) throws(PreprocessingError) -> Tensor {
    let samples = try waveform(audio, path: path)
    do {
      return try melInput(samples)
    } catch {
      throw PreprocessingError(path: path, reason: .spectrogram(error))
    }
  }

  /// Decodes `path` and returns the network input `[1, 1, nMels, T]`.
  public func melInput(file path: String) throws(PreprocessingError) -> Tensor {
    try melInput(PreprocessingError.decodedAudio(at: path), path: path)
  }
}
