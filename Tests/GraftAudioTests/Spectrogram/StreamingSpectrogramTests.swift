import Foundation
@testable import GraftAudio
import GraftCore
import Testing

@Suite struct StreamingSpectrogramTests {
  /// A chirp with noise and a silent stretch (so the dB floor bites).
  static func signal(_ n: Int, rate: Int) -> [Float] {
    var g = Generator(seed: 3)
    return (0..<n).map { i in
      if i > n / 2 && i < n / 2 + n / 8 { return 0 }
      let t = Double(i) / Double(rate)
      return Float(0.4 * sin(2 * Double.pi * (200 * t + 1500 * t * t))) + 0.02 * g.uniform(-1, 1)
    }
  }

  static func expectClose(_ a: Tensor, _ b: Tensor, relative: Float = 1e-5) {
    #expect(a.shape == b.shape)
    guard a.shape == b.shape else { return }
    var worst: Float = 0
    for i in 0..<a.count {
      let scale = max(abs(a.data[i]), abs(b.data[i]), 1e-6)
      worst = max(worst, abs(a.data[i] - b.data[i]) / scale)
    }
    #expect(worst <= relative, "worst relative difference \(worst)")
  }

  @Test(arguments: [(2048, 512, true, Float(2)), (400, 160, true, Float(1)), (512, 128, false, Float(2))])
  func blocksGiveTheWholeSignalsFrames(nFFT: Int, hop: Int, center: Bool, power: Float) throws {
    let y = Self.signal(11_025, rate: 22_050)
    let stft = STFT(nFFT: max(512, nFFT), hopLength: hop, winLength: nFFT, center: center)
    let mel = MelFilterbank(sampleRate: 22_050, nFFT: stft.nFFT, nMels: 40)
    let whole = mel(try stft.spectrogram(y, power: power))
    let expected = power == 2 ? powerToDB(whole, topDB: 60) : amplitudeToDB(whole, topDB: 60)
    // Uneven chunks and a block of 7 frames: frames straddle chunks and blocks.
    let streaming = StreamingSpectrogram(stft: stft, filterbank: mel, power: power, output: .decibels(topDB: 60), blockFrames: 7)
    var i = 0, k = 0
    while i < y.count {
      let n = [1, 333, 2_000, 57][k % 4]
      streaming.append(Array(y[i..<min(y.count, i + n)]))
      i += n
      k += 1
    }
    Self.expectClose(try streaming.finish(), expected)
  }

  @Test func tooShortSignalThrows() {
    let s = StreamingSpectrogram(stft: STFT(nFFT: 512, center: false))
    s.append([Float](repeating: 0.1, count: 100))
    #expect(throws: SpectrogramError.signalTooShort(samples: 100, needed: 512)) { try s.finish() }
  }

  // 1.3 s and exactly 1 s (frames · 16000 / 44100 an integer: the resampler's tie) of 44.1 kHz
  // stereo, streamed in blocks of 4096 frames: decoding, mono, resampling to 16 kHz
  // (libsamplerate keeps its state across blocks) and framing all cross block edges.
  @Test(arguments: [57_330, 44_100])
  func frontEndStreamsAFileLikeTheWholeFile(frames: Int) throws {
    let rate = 44_100
    let left = Self.signal(frames, rate: rate)
    var stereo = [Float](repeating: 0, count: 2 * frames)
    for f in 0..<frames { stereo[2 * f] = left[f]; stereo[2 * f + 1] = 0.5 * left[(f * 7) % frames] }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-stream-\(getpid())-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/clip.wav"
    try writeAudio(stereo, sampleRate: rate, channels: 2, format: .wavFloat, to: path)
    let frontEnd = LogMelFrontEnd()
    let whole = try frontEnd.logMel(file: path)
    let streamed = try frontEnd.logMel(streamingFile: path, blockFrames: 4096)
    #expect(whole.shape[1] == 1 + frames * 16_000 / 44_100 / 160)
    Self.expectClose(streamed, whole)
  }

  /// Blocks give the one-call result, and its values are `src_simple`'s; its length is
  /// ⌊n · to / from⌋, which `src_simple` gives too except that it may drop the last frame on an
  /// exact tie (n · 16000 divisible by 44100).
  @Test(arguments: [(20_000, 3_000), (141_120, 5_000), (44_100, 4_096), (7, 3)])
  func resamplerInBlocksEqualsOneCall(n: Int, block: Int) throws {
    let y = Self.signal(n, rate: 44_100)
    let whole = try resample(y, from: 44_100, to: 16_000)
    #expect(whole.count == n * 16_000 / 44_100)
    let r = try StreamingResampler(from: 44_100, to: 16_000)
    var out: [Float] = []
    let starts = Array(stride(from: 0, to: y.count, by: block))
    for start in starts.dropLast() { out += try r.process(Array(y[start..<(start + block)])) }
    out += try r.finish(Array(y[starts.last!...]))
    #expect(out == whole)

    var simple = [Float](repeating: 0, count: whole.count + 4)
    let written = try y.withUnsafeBufferPointer { input in
      try simple.withUnsafeMutableBufferPointer { output in
        try SampleRate.convert(input.baseAddress!, frames: n, into: output.baseAddress!, capacity: whole.count + 4,
                               ratio: 16_000 / 44_100, channels: 1, converter: ResampleQuality.best.converter).get()
      }
    }
    let tie = n * 16_000 % 44_100 == 0
    #expect(written == whole.count || (tie && written == whole.count - 1), "src_simple wrote \(written)")
    #expect(zip(simple.prefix(written), whole).allSatisfy { $0 == $1 })
  }
}
