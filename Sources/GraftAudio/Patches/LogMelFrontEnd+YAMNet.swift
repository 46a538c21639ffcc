import GraftCore

/// How `LogMelFrontEnd` cuts frames from a signal.
public enum STFTFraming: String, Codable, Sendable, CaseIterable {
  /// `librosa.stft`'s: frames of `nFFT` samples (centred on t · hop when `center`), the window
  /// centred in each.
  case librosa
  /// `tf.signal.stft`'s (YAMNet's and VGGish's TF code): frame t is the `winLength` samples from
  /// t · hop, windowed and zero-padded at the end to `nFFT`; no centring, so a signal of N ≥
  /// `winLength` samples has 1 + (N − `winLength`) / hop frames. (Where the window sits in the
  /// `nFFT` buffer changes only the phase, not the magnitude.)
  case tensorflow
}

/// How `LogMelFrontEnd` builds its mel triangles.
public enum MelFilterConstruction: String, Codable, Sendable, CaseIterable {
  /// `librosa.filters.mel` with the front end's `melScale` and `melNorm`.
  case librosa
  /// `tf.signal.linear_to_mel_weight_matrix` (`MelFilterbank.tensorflow`): triangles linear in
  /// HTK mel, DC bin zeroed, not normalised (needs `melScale` `.htk` and `melNorm` `.none`).
  case tensorflow
}

extension LogMelFrontEnd {
  /// YAMNet's front end (`yamnet/params.py`, `features.py`), exactly: 16 kHz mono, frames of 400
  /// samples (25 ms) every 160 (10 ms) as `tf.signal.stft` cuts them, a periodic Hann window, the
  /// magnitude of a 512-point FFT (257 bins), TensorFlow's 64 HTK mel bands from 125 to 7500 Hz
  /// (`linear_to_mel_weight_matrix`), `log(mel + 0.001)`, patches of 96 frames every 48 frames
  /// (0.96 s every 0.48 s), the signal first zero-padded at the end by `pad_waveform`
  /// (`paddedToPatches(_:)`): a clip of N samples gives 1 + ⌈max(0, N − 15 600) / 7680⌉ patches,
  /// patch p being the log-mel of samples [7680 p, 7680 p + 15 600). Other rates are resampled
  /// with libsamplerate (`resampleQuality`; YAMNet's own code uses resampy).
  public static let yamnet = LogMelFrontEnd(
    sampleRate: 16000, nFFT: 512, winLength: 400, hopLength: 160, window: .hann, center: false, power: 1, nMels: 64,
    fmin: 125, fmax: 7500, melScale: .htk, melNorm: .none, logOffset: 0.001, patchFrames: 96, patchHopFrames: 48,
    framing: .tensorflow, melFilters: .tensorflow, padToPatches: true)

  /// The problem with the YAMNet-style parameters, or nil.
  var yamnetProblem: String? {
    if framing == .tensorflow && center { return "framing tensorflow does not centre frames: center must be false" }
    if padToPatches && framing != .tensorflow { return "pad_to_patches needs framing tensorflow" }
    if melFilters == .tensorflow && (melScale != .htk || melNorm != .none) {
      return "mel_filters tensorflow are HTK-scale and unnormalised: mel_scale must be htk and mel_norm none"
    }
    return nil
  }

  /// Samples one patch spans with `tensorflow` framing: (patchFrames − 1) · hop + winLength
  /// (15 600 for YAMNet).
  public var patchSamples: Int { (patchFrames - 1) * hopLength + winLength }

  /// YAMNet's `pad_waveform`: `samples` zero-padded at the end to at least `patchSamples`, then
  /// to `patchSamples` + k · `patchHopFrames` · hop, so the frames tile exactly into patches.
  public func paddedToPatches(_ samples: [Float]) -> [Float] {
    let padding = paddedLength(samples.count) - samples.count
    return padding == 0 ? samples : samples + [Float](repeating: 0, count: padding)
  }

  /// The length `paddedToPatches` gives a signal of `samples` samples (≥ 0): the least
  /// `patchSamples` + k · `patchHopFrames` · hop ≥ `samples`.
  public func paddedLength(_ samples: Int) -> Int {
    let minimum = patchSamples, hop = patchHopFrames * hopLength
    let total = max(samples, minimum)
    return total + (hop - (total - minimum) % hop) % hop
  }

  /// The signal the STFT (`stft`, librosa framing) reads: `paddedToPatches` when asked, and for
  /// `tensorflow` framing, (nFFT − winLength) / 2 zeros before and the rest after, so that the
  /// window centred in each nFFT-sample frame covers exactly samples [t · hop, t · hop + winLength).
  func framed(_ samples: [Float]) throws(SpectrogramError) -> [Float] {
    let x = padToPatches ? paddedToPatches(samples) : samples
    guard framing == .tensorflow else { return x }
    guard x.count >= winLength else { throw .signalTooShort(samples: samples.count, needed: winLength) }
    let before = (nFFT - winLength) / 2
    return [Float](repeating: 0, count: before) + x + [Float](repeating: 0, count: nFFT - winLength - before)
  }
}
