import Foundation
import GraftCore

extension LogMelFrontEnd {
  /// mn04's front end for training and prediction through `SoundClassifier`: EfficientAT's exact
  /// log-mel (`EfficientATFrontEnd`: 32 kHz by torchaudio's sinc resampler, pre-emphasis, 1024-point
  /// STFT with an 800-sample symmetric Hann window, hop 320, 128 Kaldi mel bands to 15 kHz,
  /// `(log(mel + 1e-5) + 4.5) / 5`), cut into patches of `patchFrames` frames (10 ms each;
  /// default 2 s, half a patch apart). The other fields restate the EfficientAT parameters so
  /// that frame times, patch lengths and reports read as for every front end; `problem` checks
  /// that they agree.
  public static func efficientAT(patchFrames: Int = 200, patchHopFrames: Int? = nil) -> LogMelFrontEnd {
    let e = EfficientATFrontEnd()
    var f = LogMelFrontEnd(sampleRate: e.sampleRate, nFFT: e.nFFT, winLength: e.winLength, hopLength: e.hopLength,
                           window: .hann, center: true, power: 2, nMels: e.nMels, fmin: e.fmin, fmax: e.fmax,
                           melScale: .htk, melNorm: .none, logOffset: e.logOffset, patchFrames: patchFrames,
                           patchHopFrames: patchHopFrames ?? max(1, patchFrames / 2))
    f.efficientAT = e
    return f
  }

  /// Why the EfficientAT parameters and the restated ones disagree, or nil.
  var efficientATProblem: String? {
    guard let e = efficientAT else { return nil }
    if let problem = e.problem { return "efficient_at: \(problem)" }
    if (sampleRate, nFFT, winLength, hopLength, nMels) != (e.sampleRate, e.nFFT, e.winLength, e.hopLength, e.nMels)
      || logOffset != e.logOffset || fmin != e.fmin || fmax != e.fmax || !center || power != 2 {
      return "efficient_at parameters disagree with sample_rate, n_fft, win_length, hop_length, n_mels, fmin, fmax, "
        + "log_offset, center or power"
    }
    if padToPatches || framing != .librosa { return "efficient_at frames as torch.stft does: no pad_to_patches, librosa framing" }
    return nil
  }

  /// EfficientAT's log-mel `[nMels, T]` of mono samples at `sampleRate`.
  func efficientATLogMel(_ e: EfficientATFrontEnd, _ samples: [Float]) throws(SpectrogramError) -> Tensor {
    let input = try e.melInput(samples)
    return input.reshaped([input.shape[2], input.shape[3]])
  }

  /// EfficientAT's log-mel `[nMels, T]` of decoded audio (its own resampler).
  func efficientATLogMel(_ e: EfficientATFrontEnd, _ audio: AudioBuffer, path: String) throws(PreprocessingError) -> Tensor {
    let input = try e.melInput(audio, path: path)
    return input.reshaped([input.shape[2], input.shape[3]])
  }
}
