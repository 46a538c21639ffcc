import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// torchaudio's resampler, Kaldi mel banks and EfficientAT's front end against torchaudio 2.11
/// (Tools/fixtures/efficientat_frontend.py); needs no ../shared.
@Suite struct EfficientATFrontEndTests {
  static func fixture() throws -> Fixture {
    try Fixture(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/efficientat_frontend.safetensors").path)
  }

  @Test func kernelMatchesTorchaudio() throws {
    let r = try SincResampler(from: 48000, to: 32000)
    #expect(r.inputStep == 3 && r.phases == 2 && r.width == 10 && r.taps == 23)
    assertClose(Tensor(shape: [2, 23], r.kernel), try Self.fixture()["kernel_48000_32000"], tolerance: 1e-7, "kernel")
  }

  @Test(arguments: [(16000, 32000), (48000, 32000), (22050, 32000), (44100, 32000), (32000, 16000)])
  func resampleMatchesTorchaudio(_ rates: (Int, Int)) throws {
    let (a, b) = rates
    let x = try Self.fixture()["resample_\(a)_\(b)_x"].scalars
    let y = try SincResampler(from: a, to: b)(x)
    let f = try Self.fixture()
    assertClose(y, f["resample_\(a)_\(b)_y"].scalars, tolerance: 1e-6, "\(a) → \(b)")
  }

  @Test func resamplerEdges() throws {
    let same = try SincResampler(from: 16000, to: 16000)
    #expect(same([1, 2, 3]) == [1, 2, 3])
    #expect(try SincResampler(from: 16000, to: 32000)([]) == [])
    #expect(try SincResampler(from: 16000, to: 32000)([0.5]).count == 2)
    #expect(throws: ResampleError(from: 0, to: 32000, reason: .invalidRate)) { try SincResampler(from: 0, to: 32000) }
    // 44 101 and 32 000 share no factor: 32 000 phases of 2 · 9 + 44 101 taps.
    #expect(throws: ResampleError(from: 44101, to: 32000, reason: .kernelTooLarge(32000 * 44119))) {
      try SincResampler(from: 44101, to: 32000)
    }
  }

  @Test func kaldiMelBanksMatchTorchaudio() throws {
    // get_mel_banks(40, 512, 16000, low 20, high −400 (Nyquist − 400), …) plus the zero Nyquist column.
    let bank = MelFilterbank.kaldi(sampleRate: 16000, nFFT: 512, nMels: 40, fmin: 20, fmax: -400)
    #expect(bank.fmax == 7600 && bank.bins == 257)
    let dense = bank.matrix()
    let expected = try Self.fixture()["kaldi_40_512_16000"]
    var padded = [Float]()
    for m in 0..<40 { padded += expected.scalars[(m * 256)..<(m * 256 + 256)] + [0] }
    // torchaudio's float32 log is off by an ulp here and there; these weights are computed in Double.
    assertClose(dense, Tensor(shape: [40, 257], padded), tolerance: 2e-5, "kaldi mel banks")
  }

  @Test func symmetricHannWindow() {
    let w = WindowFunction.hann.symmetric(5)
    #expect(w.map { ($0 * 1e12).rounded() / 1e12 } == [0, 0.5, 1, 0.5, 0])
    #expect(WindowFunction.hann.symmetric(1) == [1])
    #expect(WindowFunction.hann.padded(3, to: 5, periodic: false).map { ($0 * 1e12).rounded() / 1e12 } == [0, 0, 1, 0, 0])
  }

  @Test func frontEndMatchesEfficientAT() throws {
    let frontEnd = EfficientATFrontEnd()
    let x = try Self.fixture()["frontend_x"].scalars
    let y = try frontEnd.melInput(x)
    #expect(y.shape == [1, 1, 128, 13] && frontEnd.frameCount(samples: x.count) == 13)
    assertClose(y.reshaped([128, 13]), try Self.fixture()["frontend_y"], tolerance: 1e-4, "mel input")
    #expect(frontEnd.preemphasized([1, 2, 4]) == [2 - 0.97, 4 - 1.94])
    #expect(throws: SpectrogramError.self) { try frontEnd.melInput([0.5]) }
  }

  @Test func frontEndResamplesAndAveragesChannels() throws {
    let frontEnd = EfficientATFrontEnd()
    let x = try Self.fixture()["resample_16000_32000_x"].scalars
    let stereo = AudioBuffer(samples: x.flatMap { [$0 + 0.25, $0 - 0.25] }, channels: 2, sampleRate: 16000)
    let wave = try frontEnd.waveform(stereo, path: "stereo")
    assertClose(wave, try Self.fixture()["resample_16000_32000_y"].scalars, tolerance: 1e-6, "mono resampled")
    let y = try frontEnd.melInput(stereo, path: "stereo")
    #expect(y.shape == [1, 1, 128, 7])
    #expect(throws: PreprocessingError(path: "empty", reason: .noSamples)) {
      try frontEnd.melInput(AudioBuffer(samples: [], channels: 1, sampleRate: 16000), path: "empty")
    }
  }

  @Test func frontEndRoundTripsThroughJSON() throws {
    let frontEnd = EfficientATFrontEnd()
    let data = try JSONEncoder().encode(frontEnd)
    #expect(try JSONDecoder().decode(EfficientATFrontEnd.self, from: data) == frontEnd)
    #expect(String(decoding: data, as: UTF8.self).contains("\"n_mels\":128"))
    let bad = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"win_length\":800", with: "\"win_length\":2048")
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(EfficientATFrontEnd.self, from: Data(bad.utf8)) }
    #expect(EfficientATFrontEnd().problem == nil)
  }
}
