import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// mn04's front end streamed (torchaudio's resampler, pre-emphasis, reflect-padded STFT, each
/// block by block) equals the whole-signal front end bit for bit, whatever the block sizes.
@Suite struct EfficientATStreamingTests {
  /// A signal with content at every frequency (noise plus a chirp), `count` samples.
  static func signal(_ count: Int, seed: UInt64 = 7) -> [Float] {
    var g = Generator(seed: seed)
    return (0..<count).map { i in
      let t = Double(i) / 16_000
      return 0.3 * Float(sin(2 * Double.pi * (200 + 3_000 * t) * t)) + 0.05 * Float(g.normalPair().0)
    }
  }

  /// Cuts `x` into blocks of pseudo-random sizes (1 sample to `largest`).
  static func blocks(_ x: [Float], largest: Int, seed: UInt64 = 3) -> [[Float]] {
    var g = Generator(seed: seed)
    var out: [[Float]] = []
    var i = 0
    while i < x.count {
      let n = min(x.count - i, 1 + Int(g.uniform() * Float(largest)))
      out.append(Array(x[i..<(i + n)]))
      i += n
    }
    return out
  }

  @Test(arguments: [(16_000, 32_000), (44_100, 32_000), (48_000, 32_000), (22_050, 32_000)])
  func streamedResamplingEqualsTheWholeSignal(_ rates: (Int, Int)) throws {
    let resampler = try SincResampler(from: rates.0, to: rates.1)
    let x = Self.signal(9_001)
    let whole = resampler(x)
    for largest in [1, 37, 4_096] {
      let stream = SincResampler.Stream(resampler)
      var streamed: [Float] = []
      for block in Self.blocks(x, largest: largest) { streamed += stream.process(block) }
      streamed += stream.finish()
      #expect(stream.samples == x.count)
      #expect(streamed == whole, "\(rates) in blocks of up to \(largest): \(streamed.count) vs \(whole.count) samples")
    }
  }

  /// Frames of `frontEnd.melInput` of the whole signal, and the same streamed.
  static func compare(rate: Int, samples: Int, largest: Int) throws -> (streamed: [Float], whole: [Float], frames: Int) {
    let frontEnd = EfficientATFrontEnd()
    let x = signal(samples)
    let whole = try frontEnd.melInput(try frontEnd.waveform(AudioBuffer(samples: x, channels: 1, sampleRate: rate),
                                                            path: "x"))  // [1, 1, M, T]
    let (mels, total) = (whole.shape[2], whole.shape[3])
    var columns = [[Float]](repeating: [], count: mels)
    let stream = try EfficientATFrontEnd.Stream(frontEnd, inputRate: rate, blockFrames: 5) { block in
      #expect(block.shape[0] == mels)
      let n = block.shape[1]
      for m in 0..<mels { columns[m] += (0..<n).map { block.data[m * n + $0] } }
    }
    for block in blocks(x, largest: largest) { stream.append(block) }
    let frames = try stream.finish()
    #expect(frames == total)
    return (columns.flatMap { $0 }, whole.scalars, frames)
  }

  @Test(arguments: [(32_000, 1), (32_000, 1_000), (16_000, 777), (44_100, 5_000)])
  func streamedFrontEndEqualsTheWholeSignal(rate: Int, largest: Int) throws {
    // 0.7 s: at 32 kHz 71 frames, in 15 blocks of 5 frames and the rest.
    let (streamed, whole, frames) = try Self.compare(rate: rate, samples: rate * 7 / 10, largest: largest)
    #expect(rate != 32_000 || frames == 1 + (22_400 - 2) / 320)
    #expect(streamed == whole, "\(rate) Hz in blocks of up to \(largest)")
  }

  @Test func shortSignalsTakeTheWholeSignalPath() throws {
    // 300 samples: shorter than the 513 reflect padding needs (torch.stft refuses; Graft reflects
    // repeatedly), and 514, just long enough.
    for samples in [2, 300, 513, 514] {
      let (streamed, whole, _) = try Self.compare(rate: 32_000, samples: samples, largest: 64)
      #expect(streamed == whole, "\(samples) samples")
    }
    let frontEnd = EfficientATFrontEnd()
    let one = try EfficientATFrontEnd.Stream(frontEnd, inputRate: 32_000) { _ in Issue.record("no block expected") }
    one.append([0.5])
    #expect(throws: SpectrogramError.self) { try one.finish() }
    #expect(throws: ResampleError.self) { try EfficientATFrontEnd.Stream(frontEnd, inputRate: 0) { _ in } }
  }

  @Test func streamedBlocksEqualTheKeptSpectrogram() throws {
    let stft = STFT(nFFT: 64, hopLength: 16)
    let bank = MelFilterbank(sampleRate: 8_000, nFFT: 64, nMels: 8)
    let x = Self.signal(2_000)
    let kept = StreamingSpectrogram(stft: stft, filterbank: bank, output: .log(offset: 1e-6), blockFrames: 7)
    var blocks: [Tensor] = []
    let streamed = StreamingSpectrogram(stft: stft, filterbank: bank, output: .log(offset: 1e-6), blockFrames: 7) {
      blocks.append($0)
    }
    for block in Self.blocks(x, largest: 300) {
      kept.append(block)
      streamed.append(block)
    }
    let whole = try kept.finish()
    let frames = try streamed.close()
    #expect(frames == whole.shape[1] && blocks.dropLast().allSatisfy { $0.shape == [8, 7] })
    var columns = [[Float]](repeating: [], count: 8)
    for b in blocks { for m in 0..<8 { columns[m] += (0..<b.shape[1]).map { b.data[m * b.shape[1] + $0] } } }
    #expect(columns.flatMap { $0 } == whole.scalars)
  }
}
