import Foundation
@testable import GraftAudio
import GraftCore
import Testing

@Suite struct MelTests {
  static func bank(_ c: LibrosaFixtures.Case) -> MelFilterbank {
    MelFilterbank(sampleRate: LibrosaFixtures.sampleRate, nFFT: c.int("n_fft")!, nMels: c.int("n_mels")!,
                  fmin: c.double("fmin") ?? 0, fmax: c.double("fmax"), scale: c.bool("htk") == true ? .htk : .slaney,
                  norm: c.string("norm") == "slaney" ? .slaney : .none)
  }

  @Test(arguments: LibrosaFixtures.cases("mel_filters"))
  func filtersMatchLibrosa(_ c: LibrosaFixtures.Case) {
    expectRelativelyClose(Self.bank(c).matrix(), c.expected, c.name)
  }

  @Test(arguments: LibrosaFixtures.cases("melspec"))
  func melSpectrogramMatchesLibrosa(_ c: LibrosaFixtures.Case) throws {
    let s = try STFTTests.stft(c).spectrogram(LibrosaFixtures.signal, power: Float(c.double("power")!))
    expectRelativelyClose(Self.bank(c)(s), c.expected, floor: floorFor(power: Float(c.double("power")!)), c.name)
  }

  /// The fused path (filters applied per block of frames, no [B, T] spectrogram) against the
  /// librosa fixtures, and against filtering the whole spectrogram: same sums in the same order.
  @Test(arguments: LibrosaFixtures.cases("melspec"))
  func fusedMelSpectrogramMatchesLibrosa(_ c: LibrosaFixtures.Case) throws {
    let power = Float(c.double("power")!)
    let stft = STFTTests.stft(c), bank = Self.bank(c)
    let fused = try stft.melSpectrogram(LibrosaFixtures.signal, power: power, filterbank: bank)
    expectRelativelyClose(fused, c.expected, floor: floorFor(power: power), c.name)
    let twoStep = bank(try stft.spectrogram(LibrosaFixtures.signal, power: power))
    #expect(fused.shape == twoStep.shape && fused.scalars == twoStep.scalars)
  }

  /// Many blocks of frames across threads (10 s at 16 kHz: 1,001 frames): fused == two-step.
  @Test func fusedMelSpectrogramOverManyBlocks() throws {
    let y = (0..<160_000).map { i in Float(sin(Double(i) * 0.01) + 0.3 * sin(Double(i) * 0.37)) }
    let stft = STFT(nFFT: 512, hopLength: 160), bank = MelFilterbank(sampleRate: 16_000, nFFT: 512, nMels: 64)
    let fused = try stft.melSpectrogram(y, filterbank: bank)
    #expect(fused.shape == [64, 1001])
    #expect(fused.scalars == bank(try stft.spectrogram(y)).scalars)
  }

  @Test func scalesInvertAndMatchKnownPoints() {
    for scale in MelScale.allCases {
      for hz in [0.0, 200, 999, 1000, 4000, 11025] {
        #expect(abs(scale.hz(fromMel: scale.mel(fromHz: hz)) - hz) < 1e-9 * max(1, hz))
      }
    }
    #expect(abs(MelScale.slaney.mel(fromHz: 1000) - 15) < 1e-12)
    #expect(abs(MelScale.htk.mel(fromHz: 700) - 2595 * log10(2.0)) < 1e-9)
  }

  @Test func filtersAreStoredSparse() {
    let bank = MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 40)
    let stored = bank.ranges.map(\.count).reduce(0, +)
    #expect(stored < 40 * 257 / 5)
    // Dense and sparse application agree.
    let s = randomSpectrogram(bins: 257, frames: 9)
    let sparse = bank(s)
    let dense = bank.matrix()
    for m in 0..<40 {
      for t in 0..<9 {
        var sum: Float = 0
        for k in 0..<257 { sum += dense.data[m * 257 + k] * s.data[k * 9 + t] }
        #expect(abs(sparse.data[m * 9 + t] - sum) <= 1e-5 * max(1, abs(sum)))
      }
    }
  }

  func randomSpectrogram(bins: Int, frames: Int) -> Tensor {
    var state: UInt64 = 12345
    return Tensor(shape: [bins, frames], (0..<(bins * frames)).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return Float(state >> 40) / Float(1 << 24)
    })
  }
}
