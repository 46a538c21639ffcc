import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

struct AudioSpectrogram: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spectrogram",
    abstract: "Write a (mel) spectrogram of an audio file: a float32 .npy of shape (bins, frames), or a labelled .png picture.",
    discussion: """
      The file is averaged to mono (as librosa.load does) and resampled when --sample-rate is \
      given (the file's own rate otherwise). Options take librosa's names and defaults: \
      np.abs(librosa.stft(y, n_fft, hop_length, win_length, window, center, pad_mode)) ** power; \
      with --n-mels, librosa.feature.melspectrogram (filters as librosa.filters.mel); with --db, \
      librosa.power_to_db (power 2) or librosa.amplitude_to_db (power 1) with ref 1.0.

      OUT ending in .png writes a picture instead of an array: viridis colours (yellow loud, \
      violet quiet; without --db the values are shown in dB, 80 dB of range), low frequencies at \
      the bottom, time in seconds and frequency in Hz on labelled axes. Long files are averaged \
      down to at most 1600 columns.

      --stream decodes, resamples and transforms the file block by block, so memory holds the \
      output, not the signal (a 1-hour 44.1 kHz stereo file: under 130 MiB peak for a 16 kHz 64-mel \
      log-mel). The values equal the whole-file computation; --stream needs --pad-mode constant.

      Examples:
        graft audio spectrogram cough.flac --out cough.npy
        graft audio spectrogram cough.flac --out mel.npy --sample-rate 16000 --n-fft 512 \
          --hop-length 160 --n-mels 64 --db
        graft audio spectrogram cough.flac --out cough.png --n-mels 128 --db
        graft audio spectrogram meeting.wav --stream --out meeting.npy --sample-rate 16000 --n-fft 512 \
          --hop-length 160 --n-mels 64 --db
      """)

  @Argument(help: "The audio file.")
  var input: String

  @Option(help: "The file to write: .npy (the array) or .png (a labelled picture).")
  var out: String

  @Option(help: "Resample to this rate in Hz first (default: the file's rate).")
  var sampleRate: Int?

  @Option(name: .customLong("n-fft"), help: "FFT length.")
  var nFFT = 2048

  @Option(help: "Samples between frames (default: win-length / 4).")
  var hopLength: Int?

  @Option(help: "Window length, at most n-fft; zero-padded to n-fft, centred (default: n-fft).")
  var winLength: Int?

  @Option(help: "Window: hann or hamming (periodic).")
  var window: WindowFunction = .hann

  @Flag(inversion: .prefixedNo, help: "Pad the signal by n-fft / 2 on each side so frame t is centred on sample t · hop.")
  var center = true

  @Option(help: "Padding for --center: constant (zeros) or reflect.")
  var padMode: PadMode = .constant

  @Option(help: "Exponent of the magnitude: 1 (magnitude) or 2 (power).")
  var power: Int = 2

  @Option(name: .customLong("n-mels"), help: "Mel bands; without it the output is the linear-frequency spectrogram.")
  var nMels: Int?

  @Option(help: "Lowest mel filter edge in Hz (default 0).")
  var fmin: Double?

  @Option(help: "Highest mel filter edge in Hz (default: sample rate / 2).")
  var fmax: Double?

  @Flag(help: "Use the HTK mel scale instead of Slaney's.")
  var htk = false

  @Option(help: "Mel filter normalisation: slaney (constant area) or none (peak 1).")
  var melNorm: MelNorm = .slaney

  @Flag(help: "Convert to decibels (power_to_db for power 2, amplitude_to_db for power 1; ref 1.0).")
  var db = false

  @Option(name: .customLong("top-db"), help: "With --db: floor the output at its maximum minus this many dB (default 80).")
  var topDB: Double?

  @Flag(help: "Compute block by block (bounded memory; equal values). Needs --pad-mode constant.")
  var stream = false

  @Option(help: "Frames decoded per block with --stream.")
  var blockFrames = 65_536

  @Flag(help: "Print JSON: {\"out\", \"shape\", \"sample_rate\"} (and \"picture\": [width, height] for .png).")
  var json = false

  var writesPicture: Bool { out.lowercased().hasSuffix(".png") }

  func validate() throws {
    if let sampleRate, sampleRate < 1 { throw ValidationError("--sample-rate must be positive") }
    if nFFT < 2 { throw ValidationError("--n-fft must be at least 2") }
    if let winLength, !(1...nFFT).contains(winLength) { throw ValidationError("--win-length must lie in 1...n-fft (\(nFFT))") }
    if let hopLength, hopLength < 1 { throw ValidationError("--hop-length must be positive") }
    if (winLength ?? nFFT) / 4 < 1 && hopLength == nil { throw ValidationError("--hop-length is needed when win-length / 4 is 0") }
    if power != 1 && power != 2 { throw ValidationError("--power must be 1 or 2") }
    if let nMels, nMels < 1 { throw ValidationError("--n-mels must be positive") }
    if nMels == nil && (fmin != nil || fmax != nil || htk) { throw ValidationError("--fmin, --fmax and --htk need --n-mels") }
    if let fmin, fmin < 0 { throw ValidationError("--fmin must not be negative") }
    if let fmin, let fmax, fmax <= fmin { throw ValidationError("--fmax must exceed --fmin") }
    if topDB != nil && !db { throw ValidationError("--top-db needs --db") }
    if let topDB, !(topDB >= 0) { throw ValidationError("--top-db must not be negative") }
    if stream && padMode != .constant { throw ValidationError("--stream needs --pad-mode constant") }
    if blockFrames < 1 { throw ValidationError("--block-frames must be positive") }
  }

  func run() throws {
    let stft = STFT(nFFT: nFFT, hopLength: hopLength, winLength: winLength, window: window, center: center, padMode: padMode)
    let (features, rate) = stream ? try streamed(stft) : try whole(stft)
    var size: (width: Int, height: Int)? = nil
    if writesPicture {
      let picture = SpectrogramPicture.labelled(
        features, scale: db ? .log : .power, dynamicRange: Float(topDB ?? 80),
        secondsPerFrame: Double(stft.hopLength) / Double(rate),
        frequencies: nMels.map { .mel(nMels: $0, fmin: fmin ?? 0, fmax: fmax ?? Double(rate) / 2, scale: htk ? .htk : .slaney) }
          ?? .linear(sampleRate: rate, nFFT: nFFT))
      try picture.writePNG(to: out)
      size = (picture.width, picture.height)
    } else {
      try NPY.writeStreaming(features, to: out)
    }
    if json {
      var fields: [String: JSONValue] = [
        "out": .string(out), "shape": .array(features.shape.map { .number(Double($0)) }), "sample_rate": .number(Double(rate)),
      ]
      if let size { fields["picture"] = [.number(Double(size.width)), .number(Double(size.height))] }
      try printJSON(JSONValue.object(fields))
    } else {
      var line = "\(out): \(features.shape[0]) bins × \(features.shape[1]) frames at \(rate) Hz"
      if let size { line += " (\(size.width)×\(size.height) picture)" }
      Console.writeOutput(line + "\n")
    }
  }

  /// The mel filterbank asked for at `rate`, or nil without --n-mels.
  func filterbank(rate: Int) throws -> MelFilterbank? {
    guard let nMels else { return nil }
    let top = fmax ?? Double(rate) / 2
    if (fmin ?? 0) >= top { throw ValidationError("--fmin must lie below fmax (\(top) Hz)") }
    return MelFilterbank(sampleRate: rate, nFFT: nFFT, nMels: nMels, fmin: fmin ?? 0, fmax: top,
                         scale: htk ? .htk : .slaney, norm: melNorm)
  }

  /// Decode the whole file, then transform it.
  func whole(_ stft: STFT) throws -> (Tensor, Int) {
    let audio = try load(input, mono: true, rate: sampleRate, quality: .best)
    var features: Tensor
    let mel = try filterbank(rate: audio.sampleRate)
    do {
      features = try mel.map { try stft.melSpectrogram(audio.samples, power: Float(power), filterbank: $0) }
        ?? stft.spectrogram(audio.samples, power: Float(power))
    } catch {
      throw CLIError("\(input): \(error)")
    }
    if db {
      let floor = Float(topDB ?? 80)
      features = power == 2 ? powerToDB(features, topDB: floor) : amplitudeToDB(features, topDB: floor)
    }
    return (features, audio.sampleRate)
  }

  /// Decode, resample and transform block by block (`StreamingSpectrogram.file`).
  func streamed(_ stft: STFT) throws -> (Tensor, Int) {
    let rate = try sampleRate ?? AudioInfo.read(input).sampleRate
    let mel = try filterbank(rate: rate)
    let output: SpectrogramOutput = db ? .decibels(topDB: Float(topDB ?? 80)) : .linear
    let result = try StreamingSpectrogram.file(input, sampleRate: sampleRate, quality: .best, blockFrames: blockFrames) { _ in
      StreamingSpectrogram(stft: stft, filterbank: mel, power: Float(power), output: output)
    }
    return (result.spectrogram, result.sampleRate)
  }
}

