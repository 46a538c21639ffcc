#if canImport(Glibc)
import Glibc
#endif
import GraftCore

extension WindowFunction: Codable {}
extension MelScale: Codable {}
extension MelNorm: Codable {}
extension ResampleQuality: Codable {}

/// Audio file → log-mel patches `[P, 1, patchFrames, nMels]`: decode, average to mono, resample
/// to `sampleRate`, magnitude STFT, mel filters, `log(mel + logOffset)`, cut into patches.
///
/// The defaults are VGGish's front end (https://github.com/tensorflow/models/tree/master/research/audioset/vggish,
/// `vggish_params.py`, `mel_features.py`): 16 kHz, a 25 ms periodic Hann window (400 samples) in a
/// 512-point FFT, a 10 ms hop (160 samples), the magnitude (not power) spectrogram, 64 HTK mel bands
/// from 125 to 7500 Hz with peak-1 triangles, the natural log with an offset of 0.01, and patches of
/// 96 frames × 64 bands (0.96 s). Two choices differ from VGGish and are stored like every other
/// parameter:
///
/// * **Centred frames** (`center`, zero padding as `librosa.stft`): frame t is centred on sample
///   t · hopLength, so frame t is at t · 10 ms and event times read directly off frame indices, and
///   a clip of any length ≥ 1 sample has at least one frame.
/// * **`log(mel + 0.01)`, not `power_to_db`.** `power_to_db` with its default `top_db` floors each
///   spectrogram relative to *its own* maximum, so the same sound would give different patches in a
///   quiet clip and beside a loud one in a long recording. The offset log is a fixed function of
///   each value: a patch depends only on its own audio, which sliding-window event detection needs.
///   Its floor, `log(0.01) ≈ −4.6`, is the value of digital silence.
///
/// Patching rules (`Patches`): patches start every `patchHopFrames` frames (equal to
/// `patchFrames`, i.e. no overlap, by default; smaller hops overlap); a clip shorter than one patch
/// is padded at the end to one patch with the floor value (silence); a longer clip whose patches
/// leave frames uncovered at the end gets one more patch aligned to its last frame, so every frame
/// is in some patch and nothing is padded.
///
/// YAMNet's front end is `LogMelFrontEnd.yamnet`: the same pipeline with `tf.signal.stft`'s framing
/// (`framing`), TensorFlow's mel matrix (`melFilters`) and YAMNet's `pad_waveform` (`padToPatches`),
/// which make its patches exactly YAMNet's.
public struct LogMelFrontEnd: Codable, Equatable, Sendable {
  /// Rate the audio is resampled to (libsamplerate sinc), in Hz.
  public var sampleRate: Int
  public var nFFT: Int
  public var winLength: Int
  public var hopLength: Int
  public var window: WindowFunction
  public var center: Bool
  /// 1: magnitude spectrogram (VGGish); 2: power.
  public var power: Float
  public var nMels: Int
  public var fmin: Double
  public var fmax: Double
  public var melScale: MelScale
  public var melNorm: MelNorm
  /// `log(mel + logOffset)`; also fixes the padding value `log(logOffset)`.
  public var logOffset: Float
  /// Frames per patch (the patch's height); `nMels` is its width.
  public var patchFrames: Int
  /// Frames between the starts of consecutive patches when training and evaluating.
  public var patchHopFrames: Int
  public var resampleQuality: ResampleQuality
  /// How frames are cut from the signal (librosa's, or `tf.signal.stft`'s for YAMNet).
  public var framing: STFTFraming
  /// How the mel triangles are built (librosa's, or TensorFlow's for YAMNet).
  public var melFilters: MelFilterConstruction
  /// Zero-pad the signal at the end as YAMNet's `pad_waveform` does, so that the frames tile into
  /// whole patches (`paddedToPatches(_:)`).
  public var padToPatches: Bool
  /// EfficientAT's log-mel instead of this pipeline's (`LogMelFrontEnd.efficientAT`: mn04's
  /// front end); nil for every other base.
  public var efficientAT: EfficientATFrontEnd? = nil

  public init(sampleRate: Int = 16000, nFFT: Int = 512, winLength: Int = 400, hopLength: Int = 160,
              window: WindowFunction = .hann, center: Bool = true, power: Float = 1, nMels: Int = 64,
              fmin: Double = 125, fmax: Double = 7500, melScale: MelScale = .htk, melNorm: MelNorm = .none,
              logOffset: Float = 0.01, patchFrames: Int = 96, patchHopFrames: Int? = nil,
              resampleQuality: ResampleQuality = .best, framing: STFTFraming = .librosa,
              melFilters: MelFilterConstruction = .librosa, padToPatches: Bool = false) {
    self.sampleRate = sampleRate
    self.nFFT = nFFT
    self.winLength = winLength
    self.hopLength = hopLength
    self.window = window
    self.center = center
    self.power = power
    self.nMels = nMels
    self.fmin = fmin
    self.fmax = fmax
    self.melScale = melScale
    self.melNorm = melNorm
    self.logOffset = logOffset
    self.patchFrames = patchFrames
    self.patchHopFrames = patchHopFrames ?? patchFrames
    self.resampleQuality = resampleQuality
    self.framing = framing
    self.melFilters = melFilters
    self.padToPatches = padToPatches
    if let problem = problem { preconditionFailure("LogMelFrontEnd: \(problem)") }
  }

  enum CodingKeys: String, CodingKey {
    case sampleRate = "sample_rate", nFFT = "n_fft", winLength = "win_length", hopLength = "hop_length", window, center
    case power, nMels = "n_mels", fmin, fmax, melScale = "mel_scale", melNorm = "mel_norm", logOffset = "log_offset"
    case patchFrames = "patch_frames", patchHopFrames = "patch_hop_frames", resampleQuality = "resample_quality"
    case framing, melFilters = "mel_filters", padToPatches = "pad_to_patches", efficientAT = "efficient_at"
  }

  /// Decodes every field (none is optional: a bundle must say exactly what it was trained on,
  /// except `framing`, `mel_filters` and `pad_to_patches`, which bundles written before YAMNet's
  /// front end lack and which then take their librosa defaults) and rejects inconsistent values
  /// with `DecodingError.dataCorrupted`.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    sampleRate = try c.decode(Int.self, forKey: .sampleRate)
    nFFT = try c.decode(Int.self, forKey: .nFFT)
    winLength = try c.decode(Int.self, forKey: .winLength)
    hopLength = try c.decode(Int.self, forKey: .hopLength)
    window = try c.decode(WindowFunction.self, forKey: .window)
    center = try c.decode(Bool.self, forKey: .center)
    power = try c.decode(Float.self, forKey: .power)
    nMels = try c.decode(Int.self, forKey: .nMels)
    fmin = try c.decode(Double.self, forKey: .fmin)
    fmax = try c.decode(Double.self, forKey: .fmax)
    melScale = try c.decode(MelScale.self, forKey: .melScale)
    melNorm = try c.decode(MelNorm.self, forKey: .melNorm)
    logOffset = try c.decode(Float.self, forKey: .logOffset)
    patchFrames = try c.decode(Int.self, forKey: .patchFrames)
    patchHopFrames = try c.decode(Int.self, forKey: .patchHopFrames)
    resampleQuality = try c.decode(ResampleQuality.self, forKey: .resampleQuality)
    framing = try c.decodeIfPresent(STFTFraming.self, forKey: .framing) ?? .librosa
    melFilters = try c.decodeIfPresent(MelFilterConstruction.self, forKey: .melFilters) ?? .librosa
    padToPatches = try c.decodeIfPresent(Bool.self, forKey: .padToPatches) ?? false
    efficientAT = try c.decodeIfPresent(EfficientATFrontEnd.self, forKey: .efficientAT)
    if let problem {
      throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "front end: \(problem)"))
    }
  }

  /// Encodes every field; `framing`, `mel_filters` and `pad_to_patches` only when they differ from
  /// librosa's defaults, so a VGGish-style bundle reads as it did before they existed.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(sampleRate, forKey: .sampleRate)
    try c.encode(nFFT, forKey: .nFFT)
    try c.encode(winLength, forKey: .winLength)
    try c.encode(hopLength, forKey: .hopLength)
    try c.encode(window, forKey: .window)
    try c.encode(center, forKey: .center)
    try c.encode(power, forKey: .power)
    try c.encode(nMels, forKey: .nMels)
    try c.encode(fmin, forKey: .fmin)
    try c.encode(fmax, forKey: .fmax)
    try c.encode(melScale, forKey: .melScale)
    try c.encode(melNorm, forKey: .melNorm)
    try c.encode(logOffset, forKey: .logOffset)
    try c.encode(patchFrames, forKey: .patchFrames)
    try c.encode(patchHopFrames, forKey: .patchHopFrames)
    try c.encode(resampleQuality, forKey: .resampleQuality)
    if framing != .librosa { try c.encode(framing, forKey: .framing) }
    if melFilters != .librosa { try c.encode(melFilters, forKey: .melFilters) }
    if padToPatches { try c.encode(padToPatches, forKey: .padToPatches) }
    try c.encodeIfPresent(efficientAT, forKey: .efficientAT)
  }

  /// What is wrong with these parameters, or nil when they are consistent.
  public var problem: String? {
    // Upper bounds keep a damaged bundle from sizing FFT plans, filter banks and patches without
    // limit; they are far beyond any audio front end in use.
    if sampleRate < 1 || sampleRate > 1_000_000 { return "sample_rate \(sampleRate) must lie in 1...1000000" }
    if nFFT < 2 || nFFT > 1 << 16 { return "n_fft \(nFFT) must lie in 2...65536" }
    if winLength < 1 || winLength > nFFT { return "win_length \(winLength) must lie in 1...n_fft (\(nFFT))" }
    if hopLength < 1 || hopLength > 1 << 20 { return "hop_length \(hopLength) must lie in 1...1048576" }
    if power != 1 && power != 2 { return "power \(power) must be 1 or 2" }
    if nMels < 1 || nMels > 4096 { return "n_mels \(nMels) must lie in 1...4096" }
    if !(fmin >= 0 && fmin < fmax && fmax <= Double(sampleRate) / 2) {
      return "mel range \(fmin)–\(fmax) Hz must satisfy 0 ≤ fmin < fmax ≤ sample_rate / 2"
    }
    if !(logOffset > 0) { return "log_offset \(logOffset) must be positive" }
    if patchFrames < 1 || patchFrames > 1 << 16 { return "patch_frames \(patchFrames) must lie in 1...65536" }
    if patchHopFrames < 1 || patchHopFrames > 1 << 20 { return "patch_hop_frames \(patchHopFrames) must lie in 1...1048576" }
    return yamnetProblem ?? efficientATProblem
  }

  /// The same front end with another patch hop (frames).
  public func withPatchHop(_ frames: Int) -> LogMelFrontEnd {
    precondition(frames >= 1, "LogMelFrontEnd.withPatchHop: \(frames)")
    var copy = self
    copy.patchHopFrames = frames
    return copy
  }

  /// The log-mel value of silence, `log(logOffset)` (EfficientAT's: normalised as its values
  /// are): what short clips are padded with.
  public var floor: Float {
    guard let e = efficientAT else { return Glibc.log(logOffset) }
    return (Glibc.log(e.logOffset) + e.shift) / e.divisor
  }

  /// Seconds per frame: `hopLength / sampleRate`.
  public var secondsPerFrame: Double { Double(hopLength) / Double(sampleRate) }

  /// Seconds one patch spans: `patchFrames · hopLength / sampleRate`.
  public var patchSeconds: Double { Double(patchFrames) * secondsPerFrame }

  var stft: STFT { STFT(nFFT: nFFT, hopLength: hopLength, winLength: winLength, window: window, center: center) }

  var filterbank: MelFilterbank {
    switch melFilters {
    case .librosa:
      MelFilterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax, scale: melScale, norm: melNorm)
    case .tensorflow:
      MelFilterbank.tensorflow(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax)
    }
  }

  /// `log(mel + logOffset)` of mono samples already at `sampleRate`: `[nMels, T]`.
  public func logMel(_ samples: [Float]) throws(SpectrogramError) -> Tensor {
    if let efficientAT { return try efficientATLogMel(efficientAT, samples) }
    let mel = try stft.melSpectrogram(try framed(samples), power: power, filterbank: filterbank)
    Kernels.logOffset(mel.data, mel.data, count: mel.count, offset: logOffset)
    return mel
  }

  /// Decoded audio (any rate and channel count) → mono → `sampleRate` → log-mel `[nMels, T]`.
  /// `path` names the source in errors.
  public func logMel(_ audio: AudioBuffer, path: String) throws(PreprocessingError) -> Tensor {
    if let efficientAT { return try efficientATLogMel(efficientAT, audio, path: path) }
    var mono = audio.mono()
    guard mono.frames > 0 else { throw PreprocessingError(path: path, reason: .noSamples) }
    if mono.sampleRate != sampleRate {
      do {
        mono = try mono.resampled(to: sampleRate, quality: resampleQuality)
      } catch {
        throw PreprocessingError(path: path, reason: .resample(error))
      }
    }
    guard !mono.samples.isEmpty else { throw PreprocessingError(path: path, reason: .noSamples) }
    do {
      return try logMel(mono.samples)
    } catch {
      throw PreprocessingError(path: path, reason: .spectrogram(error))
    }
  }

  /// Decodes `path` and returns its log-mel spectrogram `[nMels, T]`.
  public func logMel(file path: String) throws(PreprocessingError) -> Tensor {
    try logMel(PreprocessingError.decodedAudio(at: path), path: path)
  }

  /// The patches of decoded audio, `hopFrames` apart (`patchHopFrames` by default).
  public func patches(_ audio: AudioBuffer, path: String, hopFrames: Int? = nil) throws(PreprocessingError) -> Patches {
    Patches(logMel: try logMel(audio, path: path), frames: patchFrames, hop: hopFrames ?? patchHopFrames, floor: floor)
  }

  /// Decodes `path` and cuts its log-mel spectrogram into patches `[P, 1, patchFrames, nMels]`.
  public func patches(file path: String, hopFrames: Int? = nil) throws(PreprocessingError) -> Patches {
    Patches(logMel: try logMel(file: path), frames: patchFrames, hop: hopFrames ?? patchHopFrames, floor: floor)
  }
}
