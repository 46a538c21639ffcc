import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// YAMNet read natively from `yamnet.tflite`, with its front end, against the float reference
/// (`../shared/pretrained/ref/yamnet`, README §3: the dequantized int8 weights in a float
/// MobileNetV1, a float64 front end) on the nine reference clips.
@Suite(.enabled(if: SharedData.has("pretrained/ref/yamnet"), SharedData.skipMessage("pretrained/ref/yamnet")))
struct YAMNetReferenceTests {
  static let clips = MN04ReferenceTests.clips

  static var ref: String { SharedData.root + "/pretrained/ref" }

  static func npy(_ relative: String) throws -> Tensor { try NPY.read("\(ref)/\(relative)").toTensor() }

  static func maxAbs(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { abs($0 - $1) }.max() ?? 0 }

  /// `LogMelFrontEnd.yamnet`'s filters, `[64, 257]`.
  static var melMatrix: Tensor {
    MelFilterbank.tensorflow(sampleRate: 16000, nFFT: 512, nMels: 64, fmin: 125, fmax: 7500).matrix()
  }

  static func audioFile(_ clip: String) -> String { "\(ref)/audio/\(clip)\(clip.hasPrefix("a8") ? ".wav" : ".flac")" }

  @Test func melMatrixIsTensorFlows() throws {
    let bank = Self.melMatrix  // [64, 257]
    let expected = try Self.npy("yamnet/mel_matrix_257x64.npy")  // [257, 64]
    #expect(expected.shape == [257, 64])
    #expect(Self.maxAbs(bank.permuted([1, 0]).scalars, expected.scalars) <= 1e-7)
  }

  /// The log-mel `[T, 64]` of the padded clip, from the reference's decoded samples and from the
  /// file (decoded by libsndfile), against the float64 reference: within 1e-4 on the eight real
  /// clips (measured 5.7e-6 … 3.2e-5). The synthetic 1 kHz sine is the exception (measured
  /// 8.8e-4): its bands far from 1 kHz hold only the Hann window's side lobes, ≈ 0.002 against a
  /// peak bin of ≈ 50, where float32 FFT rounding (≈ 1e-7 of the peak) is magnified by the log.
  @Test(arguments: clips)
  func frontEnd(_ clip: String) throws {
    let reference = try Self.npy("yamnet/\(clip)/float_spectrogram.npy")
    let samples = try Self.npy("inputs/audio16k/\(clip).npy").scalars
    let fromSamples = try LogMelFrontEnd.yamnet.logMel(samples).permuted([1, 0])
    #expect(fromSamples.shape == reference.shape)
    let tolerance: Float = clip.hasPrefix("a8_synth") ? 2e-3 : 1e-4
    #expect(Self.maxAbs(fromSamples.scalars, reference.scalars) <= tolerance, "\(clip): log-mel from the samples")
    let fromFile = try LogMelFrontEnd.yamnet.logMel(file: Self.audioFile(clip)).permuted([1, 0])
    #expect(fromFile.scalars == fromSamples.scalars, "\(clip): the file decodes to the reference's samples")
  }

  /// Streaming (block by block, bounded memory) gives the same log-mel as the whole signal,
  /// with YAMNet's padding at both ends.
  @Test(arguments: ["a0_cough_esc50_4-171396-A-24", "a2_cough_etiquette_5-f-n-01"])
  func streaming(_ clip: String) throws {
    let whole = try LogMelFrontEnd.yamnet.logMel(file: Self.audioFile(clip))
    let streamed = try LogMelFrontEnd.yamnet.logMel(streamingFile: Self.audioFile(clip), blockFrames: 3000)
    #expect(streamed.shape == whole.shape)
    #expect(Self.maxAbs(streamed.scalars, whole.scalars) <= 1e-6, "\(clip)")
  }

  static let modelPath = SharedData.path("pretrained/audioset_yamnet/yamnet.tflite")
  static let noModel = SharedData.skipMessage("pretrained/audioset_yamnet/yamnet.tflite")

  /// The graph's own front-end constants agree with `LogMelFrontEnd.yamnet`'s, and every key is
  /// filled.
  @Test(.enabled(if: modelPath != nil, noModel))
  func tfliteMapping() throws {
    let weights = try YAMNet.tfliteWeights(path: try #require(Self.modelPath))
    #expect(weights.classCount == 521 && weights.inputSamples == 15600 && weights.stateDict.count == 56)
    #expect(weights.logOffset == 0.001)
    let window = try #require(weights.window)
    let hann = (0..<400).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / 400)) }
    #expect(Self.maxAbs(window.scalars, hann) <= 1e-6)
    // The int8 mel matrix: within half a quantization step (0.00784 / 2) of the exact one.
    let mel = try #require(weights.melMatrix)
    #expect(mel.shape == [64, 257])
    #expect(Self.maxAbs(mel.scalars, Self.melMatrix.scalars) <= 0.0040)    // Without the classifier: the same embedding, no logits keys.
    let bare = try YAMNet.load(tflite: try #require(Self.modelPath), classifier: false)
    #expect(bare.classCount == nil && bare.stateDict().count == 54)
    let x = try Self.npy("yamnet/a2_cough_etiquette_5-f-n-01/float_spectrogram.npy").reshaped([1, 1, 96, 64])
    #expect(Self.maxAbs(withoutGradients { bare.features(x) }.scalars,
                        try Self.npy("yamnet/a2_cough_etiquette_5-f-n-01/float_embeddings.npy").scalars) <= 1e-4)
  }

  @Test(.enabled(if: modelPath != nil, noModel))
  func otherGraphsAreRefused() throws {
    let path = try #require(SharedData.path("pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"))
    do throws(TFLiteError) {
      _ = try YAMNet.tfliteWeights(path: path)
      Issue.record("MobileNetV2's graph read as YAMNet's")
    } catch {
      #expect(error.path == path)
      guard case .unexpectedGraph(let location, _, _) = error.reason else {
        Issue.record("expected unexpectedGraph, got \(error)")
        return
      }
      #expect(location.contains("operator"))
    }
  }

  /// A YAMNet graph altered in memory is refused at the first difference, naming the module.
  @Test(.enabled(if: modelPath != nil, noModel))
  func alteredGraphsAreRefused() throws {
    let model = try TFLiteModel.read(try #require(Self.modelPath))
    func location(_ m: TFLiteModel) -> String? {
      do throws(TFLiteError) {
        _ = try YAMNet.tfliteWeights(m)
        return nil
      } catch {
        guard case .unexpectedGraph(let location, _, _) = error.reason else { return "\(error)" }
        return location
      }
    }
    #expect(location(model) == nil)
    // layer3's depthwise convolution (the second) with stride 1 instead of 2.
    var strided = model
    let depthwise = strided.subgraphs[0].operators.indices.filter { strided.subgraphs[0].operators[$0].builtin == .depthwiseConv2D }
    guard case .depthwiseConv2D(var options) = strided.subgraphs[0].operators[depthwise[1]].options else {
      Issue.record("no depthwise options")
      return
    }
    (options.strideH, options.strideW) = (1, 1)
    strided.subgraphs[0].operators[depthwise[1]].options = .depthwiseConv2D(options)
    #expect(location(strided)?.contains("layer3.depthwise") == true)
    // The graph cut before its LOGISTIC.
    var cut = model
    cut.subgraphs[0].operators.removeLast()
    #expect(location(cut)?.contains("the scores") == true)
  }

  /// The released model, read natively from `yamnet.tflite`, in eval mode.
  static func model() throws -> YAMNet { try YAMNet.load(tflite: try #require(modelPath)) }

  /// Per patch, on the reference's own log-mel: embeddings and scores within 1e-4 (measured
  /// ≤ 7e-6 and ≤ 2.1e-6 over all nine clips), the same top class. Clips with at most four patches keep this fast in a debug build; `fromTheFile` runs
  /// a long one.
  @Test(.enabled(if: modelPath != nil, noModel),
        arguments: clips.filter { !$0.hasPrefix("a0") && !$0.hasPrefix("a4") && !$0.hasPrefix("a5") })
  func network(_ clip: String) throws {
    let model = try Self.model()
    let logMel = try Self.npy("yamnet/\(clip)/float_spectrogram.npy").permuted([1, 0])  // [64, T]
    let patches = Patches(logMel: logMel, frames: 96, hop: 48, floor: LogMelFrontEnd.yamnet.floor)
    let (logits, embeddings) = withoutGradients { model.logitsAndFeatures(patches.tensor) }
    let scores = logits.sigmoid()
    let expectedScores = try Self.npy("yamnet/\(clip)/float_scores.npy")
    let expectedEmbeddings = try Self.npy("yamnet/\(clip)/float_embeddings.npy")
    #expect(scores.shape == expectedScores.shape && embeddings.shape == expectedEmbeddings.shape)
    #expect(Self.maxAbs(embeddings.scalars, expectedEmbeddings.scalars) <= 1e-4, "\(clip): embeddings")
    #expect(Self.maxAbs(scores.scalars, expectedScores.scalars) <= 1e-4, "\(clip): scores")
    #expect(Self.argmaxes(scores) == Self.argmaxes(expectedScores), "\(clip): top classes")
  }

  /// File → front end → network on a 10-patch clip: the whole path within 1e-4 (measured:
  /// embedding 8.6e-6, scores 2.2e-6; on the eight real clips ≤ 8.6e-6 and ≤ 2.2e-6).
  @Test(.enabled(if: modelPath != nil, noModel))
  func fromTheFile() throws {
    let model = try Self.model()
    let clip = "a0_cough_esc50_4-171396-A-24"
    let patches = try LogMelFrontEnd.yamnet.patches(file: Self.audioFile(clip))
    #expect(patches.count == 10)
    let (logits, embeddings) = withoutGradients { model.logitsAndFeatures(patches.tensor) }
    let scores = logits.sigmoid()
    #expect(Self.maxAbs(embeddings.scalars, try Self.npy("yamnet/\(clip)/float_embeddings.npy").scalars) <= 1e-4)
    let expected = try Self.npy("yamnet/\(clip)/float_scores.npy")
    #expect(Self.maxAbs(scores.scalars, expected.scalars) <= 1e-4)
    #expect(Self.argmaxes(scores) == Self.argmaxes(expected))
    // Clip level (mean over patches, as YAMNet's example): Cough, class 42, on top.
    let aggregate = PatchAggregation.mean
    let mean = aggregate(scores)
    #expect(mean.indices.max { mean[$0] < mean[$1] } == 42)
  }

  static func argmaxes(_ scores: Tensor) -> [Int] {
    let (rows, classes) = (scores.shape[0], scores.shape[1])
    let s = scores.scalars
    return (0..<rows).map { r in (0..<classes).max { s[r * classes + $0] < s[r * classes + $1] }! }
  }
}
