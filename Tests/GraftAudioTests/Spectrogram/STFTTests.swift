import Foundation
@testable import GraftAudio
import GraftCore
import Testing

@Suite struct STFTTests {
  static func stft(_ c: LibrosaFixtures.Case) -> STFT {
    STFT(nFFT: c.int("n_fft") ?? 2048, hopLength: c.int("hop_length"), winLength: c.int("win_length"),
         window: WindowFunction(rawValue: c.string("window") ?? "hann")!, center: c.bool("center") ?? true,
         padMode: PadMode(rawValue: c.string("pad_mode") ?? "constant")!)
  }

  @Test func fixturesArePresent() {
    #expect(LibrosaFixtures.manifest != nil)
    #expect(LibrosaFixtures.cases("stft").count == 4)
    #expect(LibrosaFixtures.signal.count == 8000)
  }

  @Test(arguments: LibrosaFixtures.cases("stft"))
  func matchesLibrosa(_ c: LibrosaFixtures.Case) throws {
    let power = Float(c.double("power") ?? 2)
    let s = try Self.stft(c).spectrogram(LibrosaFixtures.signal, power: power)
    expectRelativelyClose(s, c.expected, floor: floorFor(power: power), c.name)
  }

  @Test func windowsArePeriodicAndCentred() {
    let hann = WindowFunction.hann.periodic(4)
    #expect(zip(hann, [0, 0.5, 1, 0.5]).allSatisfy { abs($0 - $1) < 1e-12 })
    let hamming = WindowFunction.hamming.periodic(4)
    #expect(zip(hamming, [0.08, 0.54, 1, 0.54]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(WindowFunction.hann.padded(2, to: 5) == [0, 0, 1, 0, 0])  // librosa.util.pad_center
  }

  @Test func framingAndPadding() throws {
    #expect(STFT(nFFT: 512).hopLength == 128)
    #expect(STFT(nFFT: 512, winLength: 400).hopLength == 100)
    #expect(STFT(nFFT: 512, hopLength: 160).frameCount(samples: 8000) == 51)
    #expect(STFT(nFFT: 512, hopLength: 160, center: false).frameCount(samples: 8000) == 47)
    #expect(STFT(nFFT: 512, center: false).frameCount(samples: 511) == nil)
    #expect(throws: SpectrogramError.signalTooShort(samples: 100, needed: 512)) {
      try STFT(nFFT: 512, center: false).spectrogram([Float](repeating: 0, count: 100))
    }
    #expect(throws: SpectrogramError.signalTooShort(samples: 0, needed: 1)) { try STFT(nFFT: 8).spectrogram([]) }
    // numpy.pad(mode='reflect'), including padding longer than the signal.
    let reflect = STFT(nFFT: 8, padMode: .reflect).padded([1, 2, 3])
    #expect(reflect == [1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3])  // np.pad([1, 2, 3], 4, mode='reflect')
    #expect(STFT(nFFT: 4).padded([1, 2, 3]) == [0, 0, 1, 2, 3, 0, 0])
  }

  /// A cosine on bin 5 of a 64-point frame puts all its energy there: (A·Σw/2)² with Hann.
  @Test func cosineLandsInItsBin() throws {
    let n = 64
    let y = (0..<(4 * n)).map { Float(cos(2 * Double.pi * 5 * Double($0) / Double(n))) }
    let s = try STFT(nFFT: n, hopLength: n, center: false).spectrogram(y, power: 1)
    #expect(s.shape == [33, 4])
    for t in 0..<4 {
      let column = (0..<33).map { s.data[$0 * 4 + t] }
      #expect(abs(column[5] - Float(n) / 4) < 1e-3)  // Σ hann = n/2, times 1/2
      #expect(column.enumerated().filter { abs($0.offset - 5) > 1 }.allSatisfy { $0.element < 1e-3 })
    }
  }

  /// Frames run in parallel chunks; each must equal the same frame transformed alone (a
  /// one-frame STFT runs serially), bit for bit.
  @Test func parallelFramesMatchSingleFrames() throws {
    let y = LibrosaFixtures.signal
    let stft = STFT(nFFT: 256, hopLength: 64, center: false)
    let all = try stft.spectrogram(y)
    let frames = all.shape[1]
    for t in [0, 1, frames / 2, frames - 1] {
      let single = try stft.spectrogram(Array(y[(t * 64)..<(t * 64 + 256)]))
      #expect(single.shape == [129, 1])
      #expect((0..<129).allSatisfy { all.data[$0 * frames + t] == single.data[$0] }, "frame \(t)")
    }
  }
}

/// The floor is 1e-6 of the largest power; a magnitude (power 1) spectrogram has that
/// floor at 1e-3 of its largest value. Float32 FFT round-off (librosa transforms in float64)
/// dominates below it.
func floorFor(power: Float) -> Float { pow(1e-6, power / 2) }
