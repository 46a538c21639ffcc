import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// EfficientAT `mn04_as` and its front end against the reference outputs of EfficientAT's own
/// PyTorch code (`../shared/pretrained/ref/mn04`, README §2) on the nine reference clips.
@Suite(.enabled(if: SharedData.has("pretrained/ref/mn04"), SharedData.skipMessage("pretrained/ref/mn04")))
struct MN04ReferenceTests {
  static let clips = [
    "a0_cough_esc50_4-171396-A-24", "a1_cough_dcase_cough027", "a2_cough_etiquette_5-f-n-01",
    "a3_cough_etiquette_6-m-n-01", "a4_noncough_esc50_sneezing_4-185415-A-21",
    "a5_noncough_esc50_laughing_4-167571-A-26", "a6_noncough_dcase_clearthroat024", "a7_noncough_dcase_speech006",
    "a8_synth_sine1k_2s",
  ]

  static var ref: String { SharedData.root + "/pretrained/ref" }

  static func npy(_ relative: String) throws -> Tensor { try NPY.read("\(ref)/\(relative)").toTensor() }

  static func maxAbs(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

  @Test func resampleKernelIsTorchaudios() throws {
    let r = try SincResampler(from: 16000, to: 32000)
    #expect(r.phases == 2 && r.width == 7 && r.taps == 15)
    let expected = try Self.npy("mn04/resample_kernel_16k_to_32k.npy")
    #expect(Self.maxAbs(r.kernel, expected.scalars) <= 1e-7)
  }

  @Test func kaldiFilterbankIsTheReferences() throws {
    let bank = EfficientATFrontEnd().filterbank.matrix()
    let expected = try Self.npy("mn04/mel_filterbank_128x513.npy")
    #expect(bank.shape == expected.shape)
    #expect(Self.maxAbs(bank.scalars, expected.scalars) <= 2e-5)  // torchaudio's float32 log vs Double
  }

  @Test(arguments: clips)
  func frontEnd(_ clip: String) throws {
    let frontEnd = EfficientATFrontEnd()
    let audio16k = try Self.npy("inputs/audio16k/\(clip).npy").scalars
    let wave32k = try Self.npy("mn04/\(clip)/wave32k.npy").scalars
    let reference = try Self.npy("mn04/\(clip)/mel_input.npy")
    // The resampler alone.
    let resampled = try SincResampler(from: 16000, to: 32000)(audio16k)
    #expect(resampled.count == wave32k.count)
    #expect(Self.maxAbs(resampled, wave32k) <= 5e-7, "\(clip): wave32k")  // measured ≤ 1.2e-7
    // The front end on the reference's own 32 kHz waveform: within 1e-4 (measured ≤ 5.6e-5).
    let fromWave = try frontEnd.melInput(wave32k)
    #expect(fromWave.shape == reference.shape)
    #expect(Self.maxAbs(fromWave.scalars, reference.scalars) <= 1e-4, "\(clip): mel from wave32k")
    // The whole path from the 16 kHz file (decode, resample, front end): within 1e-4 too
    // (measured ≤ 7.7e-5: the resampler's last bits, magnified by the log in the near-empty bands
    // above 8 kHz).
    let file = clip.hasPrefix("a8") ? "\(clip).wav" : "\(clip).flac"
    let fromFile = try frontEnd.melInput(file: "\(Self.ref)/audio/\(file)")
    #expect(fromFile.shape == reference.shape)
    #expect(Self.maxAbs(fromFile.scalars, reference.scalars) <= 1e-4, "\(clip): mel from the 16 kHz file")
  }

  /// The released checkpoint, `mn04_as_mAP_432.pt`, read natively by `PyTorchCheckpoint`.
  static let weightsPath = SharedData.path("pretrained/audioset_mn04/mn04_as_mAP_432.pt")
  static let noWeights = SharedData.skipMessage("pretrained/audioset_mn04/mn04_as_mAP_432.pt")

  /// mn04 with the released weights, loaded strictly, in eval mode.
  static func mn04() throws -> MN {
    let path = try #require(weightsPath)
    var g = Generator(seed: 0)
    let model = MN(using: &g)
    try model.load(try PyTorchCheckpoint.read(path).tensors, strict: true, source: path)
    model.eval()
    return model
  }

  /// The network on the reference's own input: logits within 1e-3 (measured ≤ 1.1e-5), the
  /// embedding within 1e-4 relative (measured ≤ 1.7e-6). All nine clips take ~2 s in a debug build.
  @Test(.enabled(if: weightsPath != nil, noWeights), arguments: clips)
  func network(_ clip: String) throws {
    let model = try Self.mn04()
    let x = try Self.npy("mn04/\(clip)/mel_input.npy")
    let (logits, features) = withoutGradients { model.logitsAndFeatures(x) }
    let expectedLogits = try Self.npy("mn04/\(clip)/logits.npy").scalars
    let expectedFeatures = try Self.npy("mn04/\(clip)/features.npy").scalars
    #expect(logits.shape == [1, 527] && features.shape == [1, 384])
    #expect(Self.maxAbs(logits.scalars, expectedLogits) <= 1e-3, "\(clip): logits")
    #expect(maxRelativeError(features.scalars, expectedFeatures) <= 1e-4, "\(clip): features")
  }

  /// File → front end → network, against the reference's logits and embedding: logits within 1e-3
  /// (measured ≤ 3.6e-4, on the sine), the embedding within 2e-4 relative (measured ≤ 7.5e-5).
  @Test(.enabled(if: weightsPath != nil, noWeights), arguments: clips)
  func fromTheFile(_ clip: String) throws {
    let model = try Self.mn04()
    let file = clip.hasPrefix("a8") ? "\(clip).wav" : "\(clip).flac"
    let x = try EfficientATFrontEnd().melInput(file: "\(Self.ref)/audio/\(file)")
    let (logits, features) = withoutGradients { model.logitsAndFeatures(x) }
    #expect(Self.maxAbs(logits.scalars, try Self.npy("mn04/\(clip)/logits.npy").scalars) <= 1e-3, "\(clip): logits")
    #expect(maxRelativeError(features.scalars, try Self.npy("mn04/\(clip)/features.npy").scalars) <= 2e-4,
            "\(clip): features")
  }
}
