import CSndFile
import Foundation
import Testing

/// Writes audio files with libsndfile itself (`sf_open` with `SFM_WRITE`) into a fresh temporary
/// folder, so the decoder is tested on real files of every format without committed binaries.
final class TestAudioFiles {
  let directory: String

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graft-audio-\(getpid())-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: directory) }

  func path(_ name: String) -> String { "\(directory)/\(name)" }

  enum Samples {
    case shorts([Int16])
    case ints([Int32])
    case floats([Float])
    case doubles([Double])

    var count: Int {
      switch self {
      case .shorts(let s): s.count
      case .ints(let s): s.count
      case .floats(let s): s.count
      case .doubles(let s): s.count
      }
    }
  }

  struct WriteFailure: Error, CustomStringConvertible { let description: String }

  /// Writes interleaved `samples` as `format` (`SF_FORMAT_WAV | SF_FORMAT_PCM_16`, …).
  @discardableResult
  func write(_ name: String, _ samples: Samples, channels: Int, sampleRate: Int = 16000, format: Int) throws -> String {
    let path = path(name)
    var info = SF_INFO()
    info.samplerate = Int32(sampleRate)
    info.channels = Int32(channels)
    info.format = Int32(format)
    guard let file = sf_open(path, Int32(SFM_WRITE), &info) else {
      throw WriteFailure(description: "sf_open \(name): \(String(cString: sf_strerror(nil)))")
    }
    defer { sf_close(file) }
    let frames = sf_count_t(samples.count / channels)
    let written: sf_count_t
    switch samples {
    case .shorts(let s): written = sf_writef_short(file, s, frames)
    case .ints(let s): written = sf_writef_int(file, s, frames)
    case .floats(let s): written = sf_writef_float(file, s, frames)
    case .doubles(let s): written = sf_writef_double(file, s, frames)
    }
    guard written == frames else { throw WriteFailure(description: "wrote \(written) of \(frames) frames") }
    return path
  }

  /// Copies `source` to `name` without its last `cut` bytes.
  func truncated(_ source: String, to name: String, cutting cut: Int) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: source))
    let path = path(name)
    try data.prefix(max(0, data.count - cut)).write(to: URL(fileURLWithPath: path))
    return path
  }

  func bytes(_ name: String, _ bytes: [UInt8]) throws -> String {
    let path = path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }
}

/// Interleaved test samples: `frames` frames, channel c of frame f a distinct value.
func pcm16Pattern(frames: Int, channels: Int) -> [Int16] {
  var out: [Int16] = []
  for f in 0..<frames {
    for c in 0..<channels {
      let v = (f * 7919 + c * 104_729) % 65_536 - 32_768
      out.append(Int16(v))
    }
  }
  out[0] = .min
  out[min(1, out.count - 1)] = .max
  return out
}
