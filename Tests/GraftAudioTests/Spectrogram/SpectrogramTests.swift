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

  @Test func parallelAndSerialAgreeBitForBit() throws {
    let y = LibrosaFixtures.signal
    let stft = STFT(nFFT: 256, hopLength: 64)
    let parallel = try stft.spectrogram(y)
    let saved = Threads.count
    Threads.set(1)
    let serial = try stft.spectrogram(y)
    Threads.set(saved)
    #expect(parallel.scalars == serial.scalars)
  }
}

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

@Suite struct DecibelAndMFCCTests {
  static func melPower(_ c: LibrosaFixtures.Case) throws -> Tensor {
    let s = try STFT(nFFT: c.int("n_fft")!, hopLength: c.int("hop_length")).spectrogram(LibrosaFixtures.signal)
    return MelFilterbank(sampleRate: LibrosaFixtures.sampleRate, nFFT: c.int("n_fft")!, nMels: c.int("n_mels")!)(s)
  }

  @Test(arguments: LibrosaFixtures.cases("db"))
  func powerToDBMatchesLibrosa(_ c: LibrosaFixtures.Case) throws {
    let reference: DecibelReference = c.string("ref") == "max" ? .max : .value(1)
    let db = powerToDB(try Self.melPower(c), reference: reference, amin: 1e-10, topDB: c.double("top_db").map(Float.init))
    expectAbsolutelyClose(db, c.expected, absolute: 2e-3, c.name)
  }

  @Test func decibelSemantics() {
    let s = Tensor(shape: [4], [1, 100, 1e-12, 0])
    #expect(powerToDB(s, topDB: nil).scalars == [0, 20, -100, -100])
    #expect(powerToDB(s, reference: .max, topDB: nil).scalars == [-20, 0, -120, -120])
    #expect(powerToDB(s, topDB: 30).scalars == [0, 20, -10, -10])
    #expect(amplitudeToDB(Tensor(shape: [2], [10, 1e-6]), topDB: nil).scalars == [20, -100])
  }

  @Test(arguments: LibrosaFixtures.cases("mfcc"))
  func mfccMatchesLibrosa(_ c: LibrosaFixtures.Case) throws {
    let logMel = powerToDB(try Self.melPower(c))
    let coefficients = mfcc(logMel: logMel, count: c.int("n_mfcc")!)
    expectAbsolutelyClose(coefficients, c.expected, absolute: 1e-2, c.name)
  }

  /// The DCT is orthonormal: a constant log-mel of value v gives c0 = v·√M and nothing else.
  @Test func dctIsOrthonormal() {
    let logMel = Tensor(shape: [16, 2], [Float](repeating: 3, count: 32))
    let c = mfcc(logMel: logMel, count: 16)
    #expect(abs(c.data[0] - 12) < 1e-5 && abs(c.data[1] - 12) < 1e-5)
    #expect(c.scalars.dropFirst(2).allSatisfy { abs($0) < 1e-5 })
  }
}

/// The floor is 1e-6 of the largest power; a magnitude (power 1) spectrogram has that
/// floor at 1e-3 of its largest value. Float32 FFT round-off (librosa transforms in float64)
/// dominates below it.
func floorFor(power: Float) -> Float { pow(1e-6, power / 2) }
