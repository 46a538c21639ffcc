import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

struct Audio: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Inspect, decode and analyse audio files; train, run and evaluate sound classifiers.",
    discussion: """
      Reads what libsndfile reads: WAV, FLAC, OGG/Vorbis, AIFF, … Arrays are written as float32 \
      .npy files (numpy.load reads them).

      Examples:
        graft audio info clip.flac --json
        graft audio decode clip.flac --out clip.npy --mono --sample-rate 16000
        graft audio spectrogram clip.flac --out mel.npy --sample-rate 16000 --n-fft 512 --n-mels 64 --db
        graft audio train --data coughs/ --base none --arch audio_resnet --positive cough --out cough.graft
        graft audio predict cough.graft recording.flac --events
        graft audio evaluate cough.graft --data test/ --json
      """,
    subcommands: [AudioInfoCommand.self, AudioDecode.self, AudioSpectrogram.self, AudioTrain.self, AudioPredict.self,
                  AudioEvaluate.self])
}

extension WindowFunction: ExpressibleByArgument {}
extension PadMode: ExpressibleByArgument {}
extension MelNorm: ExpressibleByArgument {}
extension ResampleQuality: ExpressibleByArgument {}

/// Prints `object` as sorted, pretty JSON.
private func printJSON(_ object: [String: Any]) throws {
  let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
  Console.writeOutput(String(decoding: data, as: UTF8.self) + "\n")
}

/// Decodes `path` (mono when asked) and resamples it to `rate` when given.
private func load(_ path: String, mono: Bool, rate: Int?, quality: ResampleQuality) throws -> AudioBuffer {
  let audio = try decodeAudio(at: path, mono: mono)
  guard let rate, rate != audio.sampleRate else { return audio }
  do {
    return try audio.resampled(to: rate, quality: quality)
  } catch {
    throw CLIError("\(path): \(error)")
  }
}

/// A failure that is already one line naming the file and the reason.
struct CLIError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

struct AudioInfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Print an audio file's frames, channels, sample rate, format, subtype and duration.",
    discussion: """
      Examples:
        graft audio info cough.flac
        graft audio info meeting.wav --json
      """)

  @Argument(help: "The audio file.")
  var input: String

  @Flag(help: "Print JSON: {\"frames\", \"channels\", \"sample_rate\", \"format\", \"subtype\", \"duration\", ...}.")
  var json = false

  func run() throws {
    let info = try AudioInfo.read(input)
    if json {
      try printJSON([
        "path": input, "frames": info.frames, "channels": info.channels, "sample_rate": info.sampleRate,
        "format": info.format, "subtype": info.subtype, "format_description": info.formatDescription,
        "subtype_description": info.subtypeDescription, "duration": info.duration,
      ])
    } else {
      Console.writeOutput("""
        \(input)
          format       \(info.format) (\(info.formatDescription))
          subtype      \(info.subtype) (\(info.subtypeDescription))
          channels     \(info.channels)
          sample rate  \(info.sampleRate) Hz
          frames       \(info.frames)
          duration     \(String(format: "%.3f", info.duration)) s

        """)
    }
  }
}

struct AudioDecode: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Decode an audio file to a float32 .npy of shape (frames, channels).",
    discussion: """
      Integer encodings are scaled to [-1, 1) as libsndfile and python-soundfile do \
      (PCM-16 sample v becomes v / 32768); float encodings are kept as stored.

      Examples:
        graft audio decode cough.flac --out cough.npy
        graft audio decode meeting.wav --out meeting.npy --mono --sample-rate 16000
      """)

  @Argument(help: "The audio file.")
  var input: String

  @Option(help: "The .npy file to write.")
  var out: String

  @Flag(help: "Average the channels into one.")
  var mono = false

  @Option(help: "Resample to this rate in Hz (libsamplerate sinc).")
  var sampleRate: Int?

  @Option(help: "Resampling quality: best, medium or fastest.")
  var quality: ResampleQuality = .best

  @Flag(help: "Print JSON: {\"out\", \"shape\", \"sample_rate\"}.")
  var json = false

  func validate() throws {
    if let sampleRate, sampleRate < 1 { throw ValidationError("--sample-rate must be positive") }
  }

  func run() throws {
    let audio = try load(input, mono: mono, rate: sampleRate, quality: quality)
    try NPY.write(audio.toTensor(), to: out)
    if json {
      try printJSON(["out": out, "shape": [audio.frames, audio.channels], "sample_rate": audio.sampleRate])
    } else {
      Console.writeOutput("\(out): \(audio.frames) frames × \(audio.channels) channels at \(audio.sampleRate) Hz\n")
    }
  }
}

struct AudioSpectrogram: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spectrogram",
    abstract: "Write a (mel) spectrogram of an audio file as a float32 .npy of shape (bins, frames).",
    discussion: """
      The file is averaged to mono (as librosa.load does) and resampled when --sample-rate is \
      given (the file's own rate otherwise). Options take librosa's names and defaults: \
      np.abs(librosa.stft(y, n_fft, hop_length, win_length, window, center, pad_mode)) ** power; \
      with --n-mels, librosa.feature.melspectrogram (filters as librosa.filters.mel); with --db, \
      librosa.power_to_db (power 2) or librosa.amplitude_to_db (power 1) with ref 1.0.

      Examples:
        graft audio spectrogram cough.flac --out cough.npy
        graft audio spectrogram cough.flac --out mel.npy --sample-rate 16000 --n-fft 512 \
          --hop-length 160 --n-mels 64 --db
      """)

  @Argument(help: "The audio file.")
  var input: String

  @Option(help: "The .npy file to write.")
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

  @Flag(help: "Print JSON: {\"out\", \"shape\", \"sample_rate\"}.")
  var json = false

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
  }

  func run() throws {
    let audio = try load(input, mono: true, rate: sampleRate, quality: .best)
    let stft = STFT(nFFT: nFFT, hopLength: hopLength, winLength: winLength, window: window, center: center, padMode: padMode)
    var features: Tensor
    do {
      features = try stft.spectrogram(audio.samples, power: Float(power))
    } catch {
      throw CLIError("\(input): \(error)")
    }
    if let nMels {
      let top = fmax ?? Double(audio.sampleRate) / 2
      if (fmin ?? 0) >= top { throw ValidationError("--fmin must lie below fmax (\(top) Hz)") }
      features = MelFilterbank(sampleRate: audio.sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin ?? 0, fmax: top,
                               scale: htk ? .htk : .slaney, norm: melNorm)(features)
    }
    if db {
      let floor = Float(topDB ?? 80)
      features = power == 2 ? powerToDB(features, topDB: floor) : amplitudeToDB(features, topDB: floor)
    }
    try NPY.write(features, to: out)
    if json {
      try printJSON(["out": out, "shape": features.shape, "sample_rate": audio.sampleRate])
    } else {
      Console.writeOutput("\(out): \(features.shape[0]) bins × \(features.shape[1]) frames at \(audio.sampleRate) Hz\n")
    }
  }
}
