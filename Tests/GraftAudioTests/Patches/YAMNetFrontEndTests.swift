import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// YAMNet's front end (`LogMelFrontEnd.yamnet`, `MelFilterbank.tensorflow`) against a float64
/// restatement of yamnet/features.py and `tf.signal.linear_to_mel_weight_matrix`
/// (Tools/fixtures/yamnet_frontend.py); needs no ../shared.
@Suite struct YAMNetFrontEndTests {
  static func fixture() throws -> Fixture {
    try Fixture(path: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/yamnet_frontend.safetensors").path)
  }

  /// TF's matrix is `[B, M]`; `MelFilterbank` is `[M, B]`.
  @Test(arguments: [(64, 125.0, 7500.0), (40, 0.0, 8000.0)])
  func tensorflowMelMatrix(_ c: (Int, Double, Double)) throws {
    let bank = MelFilterbank.tensorflow(sampleRate: 16000, nFFT: 512, nMels: c.0, fmin: c.1, fmax: c.2)
    let expected = try Self.fixture()["mel_\(c.0)_257_\(Int(c.1))_\(Int(c.2))"]
    #expect(bank.matrix().shape == [c.0, 257])
    assertClose(bank.matrix().permuted([1, 0]), expected, tolerance: 1e-6, "mel \(c)")
    #expect(bank.ranges.allSatisfy { $0.isEmpty || $0.lowerBound >= 1 })  // DC zeroed
  }

  @Test func logMelMatchesFeaturesPy() throws {
    let f = try Self.fixture()
    let frontEnd = LogMelFrontEnd.yamnet
    let logMel = try frontEnd.logMel(f["frontend_x"].scalars)  // [64, T]
    #expect(logMel.shape == [64, 144])
    assertClose(logMel.permuted([1, 0]), f["frontend_y"], tolerance: 1e-4, "log-mel")
    // Patches: 96 frames every 48, tiling the padded signal exactly (two patches here).
    let patches = Patches(logMel: logMel, frames: frontEnd.patchFrames, hop: frontEnd.patchHopFrames, floor: frontEnd.floor)
    #expect(patches.starts == [0, 48] && patches.tensor.shape == [2, 1, 96, 64])
  }

  /// pad_waveform: at least 15 600 samples, then 15 600 + k · 7680.
  @Test func padWaveform() {
    let frontEnd = LogMelFrontEnd.yamnet
    #expect(frontEnd.patchSamples == 15600)
    for (n, padded) in [(1, 15600), (8842, 15600), (15600, 15600), (15601, 23280), (23280, 23280), (80000, 84720)] {
      let x = frontEnd.paddedToPatches([Float](repeating: 1, count: n))
      #expect(x.count == padded, "\(n) samples")
      #expect(x[..<n].allSatisfy { $0 == 1 } && x[n...].allSatisfy { $0 == 0 })
    }
  }

  /// Frames are `tf.signal.stft`'s: frame t is samples [160 t, 160 t + 400). An impulse at sample
  /// 20 is in frame 0 only, one at sample 1000 in frames 4, 5 and 6 (librosa's framing, the window
  /// centred in 512-sample frames, would see neither the first in frame 0 nor the second in frame 6).
  @Test func framesStartAtTheirFirstSample() throws {
    var x = [Float](repeating: 0, count: 15600)
    x[20] = 1
    x[1000] = 1
    let logMel = try LogMelFrontEnd.yamnet.logMel(x)  // [64, 96]
    let (floor, frames) = (LogMelFrontEnd.yamnet.floor, logMel.shape[1])
    #expect(frames == 96)
    let energetic = (0..<8).map { t in (0..<64).contains { logMel.data[$0 * frames + t] > floor + 1e-6 } }
    #expect(energetic == [true, false, false, false, true, true, true, false])
  }

  @Test func codableAndProblems() throws {
    let yamnet = LogMelFrontEnd.yamnet
    let json = try JSONEncoder().encode(yamnet)
    #expect(try JSONDecoder().decode(LogMelFrontEnd.self, from: json) == yamnet)
    // A VGGish-style front end encodes no new key, and JSON without them decodes to the defaults.
    let plain = String(decoding: try JSONEncoder().encode(LogMelFrontEnd()), as: UTF8.self)
    #expect(!plain.contains("framing") && !plain.contains("mel_filters") && !plain.contains("pad_to_patches"))
    #expect(try JSONDecoder().decode(LogMelFrontEnd.self, from: Data(plain.utf8)) == LogMelFrontEnd())
    var bad = yamnet
    bad.center = true
    #expect(bad.problem?.contains("center") == true)
    bad = yamnet
    bad.melNorm = .slaney
    #expect(bad.problem?.contains("mel_norm") == true)
    bad = LogMelFrontEnd()
    bad.padToPatches = true
    #expect(bad.problem?.contains("pad_to_patches") == true)
    #expect(yamnet.problem == nil)
  }
}
