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
        graft audio spectrogram clip.flac --out mel.png --n-mels 128 --db
        graft audio train --data coughs/ --base none --arch audio_resnet --positive cough --out cough.graft
        graft audio predict cough.graft recording.flac --events
        graft audio evaluate cough.graft --data test/ --json --report cough-test/
      """,
    subcommands: [AudioInfoCommand.self, AudioDecode.self, AudioSpectrogram.self, AudioFolder.self, AudioTrain.self, AudioPredict.self,
                  AudioEvaluate.self])
}

extension WindowFunction: ExpressibleByArgument {}
extension PadMode: ExpressibleByArgument {}
extension MelNorm: ExpressibleByArgument {}
extension ResampleQuality: ExpressibleByArgument {}

/// Decodes `path` (mono when asked) and resamples it to `rate` when given.
func load(_ path: String, mono: Bool, rate: Int?, quality: ResampleQuality) throws -> AudioBuffer {
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
      try printJSON(JSONValue.object([
        "path": .string(input), "frames": .number(Double(info.frames)), "channels": .number(Double(info.channels)),
        "sample_rate": .number(Double(info.sampleRate)), "format": .string(info.format), "subtype": .string(info.subtype),
        "format_description": .string(info.formatDescription), "subtype_description": .string(info.subtypeDescription),
        "duration": .number(info.duration),
      ]))
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
      try printJSON(JSONValue.object([
        "out": .string(out), "shape": [.number(Double(audio.frames)), .number(Double(audio.channels))],
        "sample_rate": .number(Double(audio.sampleRate)),
      ]))
    } else {
      Console.writeOutput("\(out): \(audio.frames) frames × \(audio.channels) channels at \(audio.sampleRate) Hz\n")
    }
  }
}
