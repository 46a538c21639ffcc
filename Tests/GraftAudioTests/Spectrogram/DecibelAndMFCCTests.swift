import Foundation
@testable import GraftAudio
import GraftCore
import Testing

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
