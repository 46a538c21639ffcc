import Foundation
import GraftAudio
import GraftCore
import Testing

@Suite struct AudioWriterTests {
  static func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("graft-writer-\(UUID().uuidString)-\(name)").path
  }

  @Test func flacRoundTripsWithin16BitPrecision() throws {
    let path = Self.temporaryPath("tone.flac")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let samples = (0..<8000).map { Float(0.5 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
    try writeAudio(samples + [1.5, -1.5], sampleRate: 16000, format: .flac16, to: path)
    let info = try AudioInfo.read(path)
    #expect(info.sampleRate == 16000 && info.channels == 1 && info.frames == samples.count + 2)
    #expect(info.format.contains("FLAC"))
    let decoded = try decodeAudio(at: path)
    let worst = zip(samples, decoded.samples).map { abs($0 - $1) }.max() ?? 1
    #expect(worst <= 1.0 / 32768 + 1e-6)
    // Out-of-range samples are clipped, not wrapped.
    #expect(decoded.samples.suffix(2).map { abs($0) }.allSatisfy { $0 > 0.999 })
    let siblings = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
    #expect(!siblings.contains { $0.hasPrefix(".\((path as NSString).lastPathComponent).tmp") })
  }

  @Test func floatWAVIsExactAndAnUnwritablePathIsAnError() throws {
    let path = Self.temporaryPath("stereo.wav")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let samples: [Float] = [0.1, -0.2, 0.3, -0.4, 1.25, -1.25]
    try writeAudio(samples, sampleRate: 8000, channels: 2, format: .wavFloat, to: path)
    let decoded = try decodeAudio(at: path)
    #expect(decoded.channels == 2 && decoded.sampleRate == 8000 && decoded.samples == samples)
    #expect(throws: FileWriteError.self) {
      try writeAudio(samples, sampleRate: 8000, to: "/nonexistent-graft-dir/clip.flac")
    }
  }
}
