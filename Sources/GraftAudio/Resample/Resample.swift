/// How hard the sinc resampler works: libsamplerate's three band-limited converters.
public enum ResampleQuality: String, Sendable, CaseIterable {
  /// `SRC_SINC_BEST_QUALITY`: 97 dB SNR, 97 % bandwidth.
  case best
  /// `SRC_SINC_MEDIUM_QUALITY`: 97 dB SNR, 90 % bandwidth.
  case medium
  /// `SRC_SINC_FASTEST`: 97 dB SNR, 80 % bandwidth.
  case fastest

  var converter: Int32 {
    switch self {
    case .best: SampleRate.sincBest
    case .medium: SampleRate.sincMedium
    case .fastest: SampleRate.sincFastest
    }
  }
}

/// Resamples interleaved `samples` of `channels` channels from `from` Hz to `to` Hz with
/// libsamplerate's band-limited sinc interpolation. The output has exactly ⌊frames · to / from⌋
/// frames; equal rates return the input unchanged.
///
/// The whole signal goes through one `src_process` call and the filter is flushed with zeros
/// (`StreamingResampler`), which gives `src_simple`'s values; only the length rule is ours.
/// libsamplerate's own end-of-input test compares positions in floating point relative to its
/// internal buffer, so on an exact tie (frames · to divisible by from, e.g. any whole second
/// from 44.1 to 16 kHz) `src_simple` keeps the last frame for a short signal and may drop it
/// for a long one. Defining the length makes the whole-signal and the streamed paths agree.
///
/// Why libsamplerate (Secret Rabbit Code): it is BSD-2-Clause licensed since 0.1.9 (2016), so it
/// adds no copyleft to Graft; its converters are windowed-sinc, band-limited interpolators
/// (Smith's bandlimited interpolation) that suppress aliasing when downsampling, unlike linear
/// or zero-order-hold resampling; and it is plain deterministic C arithmetic with no threads,
/// randomness or runtime CPU dispatch, so the same input gives bit-identical output on every
/// run. It is also what `librosa.resample(res_type='sinc_best')` (via `samplerate`) calls.
public func resample(
  _ samples: [Float], channels: Int = 1, from: Int, to: Int, quality: ResampleQuality = .best
) throws(ResampleError) -> [Float] {
  precondition(channels >= 1 && samples.count % channels == 0,
               "resample: \(samples.count) samples for \(channels) channels")
  guard from > 0, to > 0 else { throw ResampleError(from: from, to: to, reason: .invalidRate) }
  if from == to || samples.isEmpty { return samples }
  let converter = try StreamingResampler(channels: channels, from: from, to: to, quality: quality)
  return try converter.finish(samples)
}

extension AudioBuffer {
  /// The buffer resampled to `rate` Hz (see `resample(_:channels:from:to:quality:)`).
  public func resampled(to rate: Int, quality: ResampleQuality = .best) throws(ResampleError) -> AudioBuffer {
    AudioBuffer(samples: try resample(samples, channels: channels, from: sampleRate, to: rate, quality: quality),
                channels: channels, sampleRate: rate)
  }
}
