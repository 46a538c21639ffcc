import Foundation
import GraftCore

/// Tiny generated audio for the classifier tests: "tone" clips are a 1 kHz tone over white noise,
/// "noise" clips the same white noise alone; written as 16 kHz float WAV with libsndfile.
enum SyntheticSounds {
  static let rate = 16000
  static let wavFloat = 0x010000 | 0x0006  // SF_FORMAT_WAV | SF_FORMAT_FLOAT

  static func noise(seconds: Double, amplitude: Float, seed: UInt64) -> [Float] {
    var g = Generator(seed: seed)
    return (0..<Int(seconds * Double(rate))).map { _ in g.uniform(-amplitude, amplitude) }
  }

  static func tone(seconds: Double, seed: UInt64) -> [Float] {
    var out = noise(seconds: seconds, amplitude: 0.3, seed: seed)
    addTone(&out, from: 0, to: seconds)
    return out
  }

  /// Adds a 1 kHz sine of amplitude 0.4 between `from` and `to` seconds.
  static func addTone(_ samples: inout [Float], from: Double, to: Double) {
    for i in Int(from * Double(rate))..<min(samples.count, Int(to * Double(rate))) {
      samples[i] += 0.4 * Float(sin(2 * Double.pi * 1000 * Double(i) / Double(rate)))
    }
  }

  /// `root/tone/*.wav` and `root/noise/*.wav`, `perClass` clips each of 1 to 2 s, plus
  /// `root/tone/broken.wav` that is not audio. Returns the broken file's path.
  @discardableResult
  static func writeFolder(_ files: TestAudioFiles, root: String, perClass: Int = 8) throws -> String {
    for label in ["tone", "noise"] {
      try FileManager.default.createDirectory(atPath: files.path("\(root)/\(label)"), withIntermediateDirectories: true)
    }
    for i in 0..<perClass {
      let seconds = 1 + Double(i) / Double(max(perClass - 1, 1))
      try files.write("\(root)/tone/t\(i).wav", .floats(tone(seconds: seconds, seed: UInt64(100 + i))), channels: 1,
                      format: wavFloat)
      try files.write("\(root)/noise/n\(i).wav", .floats(noise(seconds: seconds, amplitude: 0.3, seed: UInt64(200 + i))),
                      channels: 1, format: wavFloat)
    }
    return try files.bytes("\(root)/tone/broken.wav", Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEnot really audio".utf8))
  }
}
