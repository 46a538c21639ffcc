import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// The ImageNet MobileNetV2 `.tflite` mapped onto `MobileNetV2`'s keys, against the conversion of
/// `../shared/pretrained/make_refs.py` redone by `Tools/fixtures/tflite_models.py`
/// (`Fixtures/bases/mobilenet_v2_tflite.safetensors`: per key Σx, Σ|x| and a strided sample).
@Suite struct MobileNetV2TFLiteTests {
  static let file = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  static func model() throws -> TFLiteModel { try TFLiteModel.read(try #require(SharedData.path(file))) }

  @Test(.enabled(if: SharedData.has(file), SharedData.skipMessage(file)))
  func loadsStrictlyAndMatchesTheReferenceConversion() throws {
    let weights = try MobileNetV2.tfliteWeights(path: try #require(SharedData.path(Self.file)))
    #expect(weights.classCount == 1001 && weights.widthMultiplier == 1)
    #expect(weights.inputHeight == 224 && weights.inputWidth == 224 && weights.padding == .same)
    let normalization = try #require(weights.normalization)
    #expect(normalization.mean.count == 3 && normalization.mean.allSatisfy { abs($0 - 128 / 255) < 1e-7 })
    #expect(normalization.std.allSatisfy { abs($0 - 128 / 255) < 1e-7 })

    var g = Generator(seed: 0)
    let net = MobileNetV2(widthMultiplier: 1, classCount: 1001, using: &g)
    try net.load(weights.stateDict, strict: true, source: Self.file)
    #expect(weights.stateDict.count == 314)

    let reference = try Fixture(path: BaseFixtures.path("mobilenet_v2_tflite.safetensors"))
    let keys = try #require((reference.params["keys"] as? [[Any]]))
    #expect(keys.map { $0[0] as? String } == net.stateDict().map(\.0))
    for entry in keys {
      let key = entry[0] as! String, shape = entry[1] as! [Int], step = entry[2] as! Int
      let x = try #require(weights.stateDict[key], "\(key)")
      #expect(x.shape == shape, "\(key)")
      let stats = reference[key + ".stats"].scalars
      var sum = 0.0, sumAbs = 0.0
      for i in 0..<x.count { sum += Double(x.data[i]); sumAbs += Double(abs(x.data[i])) }
      #expect(abs(sum - Double(stats[0])) <= 1e-5 * Double(stats[1]) + 1e-6, "\(key) sum")
      #expect(abs(sumAbs - Double(stats[1])) <= 1e-5 * Double(stats[1]) + 1e-6, "\(key) Σ|x|")
      let sample = reference[key + ".sample"].scalars
      #expect(sample == (0..<sample.count).map { x.data[$0 * step] }, "\(key) sample")
    }
  }

  /// The walk names the operator and the module where a graph stops being a MobileNetV2.
  @Test(.enabled(if: SharedData.has(file), SharedData.skipMessage(file)))
  func refusesWhatIsNotAMobileNetV2() throws {
    let original = try Self.model()
    func reason(_ edit: (inout TFLiteModel) -> Void, widthMultiplier: Double = 1) -> TFLiteError.Reason? {
      var model = original
      edit(&model)
      do throws(TFLiteError) {
        _ = try MobileNetV2.tfliteWeights(model, widthMultiplier: widthMultiplier)
        return nil
      } catch {
        return error.reason
      }
    }
    #expect(reason { _ in } == nil)
    #expect(reason({ _ in }, widthMultiplier: 0.5) == .unexpectedGraph(
      location: "operator 0 (for features.0.0)", expected: "weight of shape [16, 3, 3, 3]", found: "[32, 3, 3, 3]"))
    // The first depthwise conv (features.1.conv.0.0) made stride 2.
    #expect(reason { m in
      guard case .depthwiseConv2D(var o) = m.subgraphs[0].operators[1].options else { return }
      o.strideW = 2; o.strideH = 2
      m.subgraphs[0].operators[1].options = .depthwiseConv2D(o)
    } == .unexpectedGraph(location: "operator 1 (for features.1.conv.0.0)", expected: "stride 1, dilation 1, activation RELU6",
                          found: "stride [2, 2], dilation [1, 1], activation RELU6"))
    // A projection with ReLU6 (torchvision's is linear).
    #expect(reason { m in
      guard case .conv2D(var o) = m.subgraphs[0].operators[2].options else { return }
      o.activation = .relu6
      m.subgraphs[0].operators[2].options = .conv2D(o)
    } == .unexpectedGraph(location: "operator 2 (for features.1.conv.1)", expected: "stride 1, dilation 1, activation NONE",
                          found: "stride [1, 1], dilation [1, 1], activation RELU6"))
    // The first residual ADD removed: features.3 ends without it.
    let firstAdd = try #require(original.operators.firstIndex { $0.builtin == .add })
    #expect(reason { m in m.subgraphs[0].operators.remove(at: firstAdd) } == .unexpectedGraph(
      location: "operator \(firstAdd) (residual of features.3)", expected: "ADD", found: "CONV_2D"))
    // An operator that reads another tensor than the previous one's output.
    #expect(reason { m in m.subgraphs[0].operators[4].inputs[0] = 0 } == .unexpectedGraph(
      location: "operator 4 (for features.2.conv.1.0)", expected: "input tensor 62 and one output",
      found: "inputs [0, 63, 51], outputs [64]"))
    // One 3×3 convolution with VALID padding among SAME ones.
    #expect(reason { m in
      guard case .depthwiseConv2D(var o) = m.subgraphs[0].operators[4].options else { return }
      o.padding = .valid
      m.subgraphs[0].operators[4].options = .depthwiseConv2D(o)
    } == .unexpectedGraph(location: "operator 4 (for features.2.conv.1.0)",
                          expected: "padding SAME as in the other 3×3 convolutions", found: "VALID"))
    // Something after the softmax.
    #expect(reason { m in m.subgraphs[0].operators.append(m.subgraphs[0].operators[0]) } == .unexpectedGraph(
      location: "operator 66 (for the output)", expected: "RESHAPE or SOFTMAX", found: "CONV_2D"))
    // The graph cut after the last conv block (operator 61), or after the pool.
    #expect(reason { m in m.subgraphs[0].operators.removeLast(4) } == .unexpectedGraph(
      location: "after operator 61 (for the global average pool)", expected: "AVERAGE_POOL_2D", found: "the end of the graph"))
    #expect(reason { m in m.subgraphs[0].operators.removeLast(3) } == .unexpectedGraph(
      location: "after operator 62 (for classifier.1)", expected: "CONV_2D or FULLY_CONNECTED", found: "the end of the graph"))
  }

  @Test(.enabled(if: SharedData.has("pretrained/audioset_yamnet/yamnet.tflite"),
                 SharedData.skipMessage("pretrained/audioset_yamnet/yamnet.tflite")))
  func yamnetIsNotAMobileNetV2() throws {
    let path = try #require(SharedData.path("pretrained/audioset_yamnet/yamnet.tflite"))
    #expect(throws: TFLiteError(path: path, reason: .unexpectedGraph(
      location: "input tensor 'waveform'", expected: "shape [1, H, W, 3]", found: "[15600]"))) {
      try MobileNetV2.tfliteWeights(path: path)
    }
  }
}
