import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// The real models of `../shared/pretrained` against what the `tflite` package (flatbuffers code
/// generated from schema.fbs) and numpy read from them: `Fixtures/tflite/<model>.json` and
/// `.safetensors`, made by `Tools/fixtures/tflite_models.py`.
enum TFLiteReference {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tflite").path

  static let mobileNetV2 = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"
  static let yamnet = "pretrained/audioset_yamnet/yamnet.tflite"

  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/\(name).json"))
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }

  /// Options as the fixture script writes them (a dict), as one comparable string. Numbers and
  /// booleans print as integers (JSON booleans arrive as `NSNumber`s, like numbers).
  static func describe(_ options: [String: Any]?) -> String {
    guard let options else { return "none" }
    func text(_ value: Any) -> String {
      if let number = value as? Int { return "\(number)" }
      if let flag = value as? Bool { return flag ? "1" : "0" }
      if let list = value as? [Any] { return "[" + list.map(text).joined(separator: ",") + "]" }
      if value is NSNull { return "null" }
      return "\(value)"
    }
    return options.keys.sorted().map { "\($0)=\(text(options[$0]!))" }.joined(separator: " ")
  }

  /// `options` in the fixture's form.
  static func describe(_ options: TFLiteOperatorOptions) -> String {
    func a(_ x: TFLiteActivation) -> Int { Int(x.rawValue) }
    func p(_ x: TFLitePadding) -> Int { Int(x.rawValue) }
    let dict: [String: Any]?
    switch options {
    case .none: dict = nil
    case .conv2D(let o):
      dict = ["kind": "conv2d", "padding": p(o.padding), "stride": [o.strideW, o.strideH], "activation": a(o.activation),
              "dilation": [o.dilationW, o.dilationH]]
    case .depthwiseConv2D(let o):
      dict = ["kind": "depthwise", "padding": p(o.padding), "stride": [o.strideW, o.strideH],
              "depth_multiplier": o.depthMultiplier, "activation": a(o.activation), "dilation": [o.dilationW, o.dilationH]]
    case .fullyConnected(let o):
      dict = ["kind": "fully_connected", "activation": a(o.activation), "weights_format": Int(o.weightsFormat),
              "keep_num_dims": o.keepNumDims, "asymmetric": o.asymmetricQuantizeInputs]
    case .pool2D(let o):
      dict = ["kind": "pool2d", "padding": p(o.padding), "stride": [o.strideW, o.strideH],
              "filter": [o.filterWidth, o.filterHeight], "activation": a(o.activation)]
    case .add(let o): dict = ["kind": "add", "activation": a(o.activation)]
    case .reshape(let shape): dict = ["kind": "reshape", "new_shape": shape.map { $0 as Any } ?? NSNull()]
    case .other(let type): dict = ["kind": "other", "type": Int(type)]
    }
    return describe(dict)
  }

  /// Everything the fixture records about subgraph 0 and every constant tensor, compared.
  static func compare(_ model: TFLiteModel, with name: String) throws {
    let info = try json(name)
    let values = try Fixture(path: directory + "/\(name).safetensors")
    #expect(model.version == info["version"] as? UInt32)
    #expect(model.modelDescription == info["description"] as? String)
    #expect(model.subgraphs[0].name == info["subgraph_name"] as? String)
    #expect(model.bufferCount == info["buffers"] as? Int)
    #expect(model.inputs == info["inputs"] as? [Int] && model.outputs == info["outputs"] as? [Int])
    let counts = Dictionary(uniqueKeysWithValues: model.operatorCounts().map { ($0.key.name, $0.value) })
    #expect(counts == info["operator_counts"] as? [String: Int])

    let tensors = try #require(info["tensors"] as? [[String: Any]])
    #expect(tensors.count == model.tensors.count)
    var constants = 0
    for (t, expected) in zip(model.tensors, tensors) {
      let i = expected["index"] as! Int
      #expect(t.shape == expected["shape"] as? [Int], "tensor \(i)")
      #expect(Int(t.type.code) == expected["type"] as? Int, "tensor \(i)")
      #expect(t.buffer == expected["buffer"] as? Int, "tensor \(i)")
      #expect((t.quantization?.scales.count ?? 0) == expected["scales"] as? Int, "tensor \(i)")
      #expect((t.quantization?.zeroPoints.count ?? 0) == expected["zero_points"] as? Int, "tensor \(i)")
      #expect((t.quantization?.quantizedDimension ?? 0) == expected["quantized_dimension"] as? Int, "tensor \(i)")
      guard let step = expected["step"] as? Int else {
        #expect(model.data(of: t) == nil, "tensor \(i) has data the reference does not see")
        continue
      }
      constants += 1
      let x = try model.dequantized(tensor: i)
      let stats = values["t\(i).stats"].scalars
      var sum = 0.0, sumAbs = 0.0
      for k in 0..<x.count { sum += Double(x.data[k]); sumAbs += Double(abs(x.data[k])) }
      #expect(abs(sum - Double(stats[0])) <= 1e-5 * Double(stats[1]) + 1e-6, "tensor \(i) sum \(sum) vs \(stats[0])")
      #expect(abs(sumAbs - Double(stats[1])) <= 1e-5 * Double(stats[1]) + 1e-6, "tensor \(i) Σ|x| \(sumAbs) vs \(stats[1])")
      let sample = values["t\(i).sample"].scalars
      #expect(sample == (0..<sample.count).map { x.data[$0 * step] }, "tensor \(i) sample")
    }
    #expect(constants == values.tensors.count / 2)

    let operators = try #require(info["operators"] as? [[String: Any]])
    #expect(operators.count == model.operators.count)
    for (k, (op, expected)) in zip(model.operators, operators).enumerated() {
      #expect(Int(op.builtin.rawValue) == expected["code"] as? Int, "operator \(k)")
      #expect(op.inputs == expected["inputs"] as? [Int] && op.outputs == expected["outputs"] as? [Int], "operator \(k)")
      #expect(describe(op.options) == describe(expected["options"] as? [String: Any]), "operator \(k)")
    }
  }
}

extension IOTests {
  @Suite struct TFLiteRealModelTests {
    @Test(.enabled(if: SharedData.has(TFLiteReference.mobileNetV2), SharedData.skipMessage(TFLiteReference.mobileNetV2)))
    func mobileNetV2() throws {
      let model = try TFLiteModel.read(try #require(SharedData.path(TFLiteReference.mobileNetV2)))
      let counts = model.operatorCounts()
      #expect(counts == [.conv2D: 36, .depthwiseConv2D: 17, .add: 10, .averagePool2D: 1, .reshape: 1, .softmax: 1])
      #expect(model.operators.filter { $0.builtin == .conv2D || $0.builtin == .depthwiseConv2D }.count == 53)
      let input = model.tensors[model.inputs[0]]
      #expect(input.name == "input" && input.shape == [1, 224, 224, 3] && input.type == .uint8)
      #expect(input.quantization?.scales == [0.0078125] && input.quantization?.zeroPoints == [128])
      let output = model.tensors[model.outputs[0]]
      #expect(output.shape == [1, 1001] && output.type == .uint8 && output.quantization?.scales == [0.00390625])
      // The stem: SAME, stride 2, ReLU6; uint8 OHWI weights [32, 3, 3, 3] with an int32 bias.
      let stem = model.operators[0]
      #expect(stem.options == .conv2D(TFLiteConv2DOptions(padding: .same, strideW: 2, strideH: 2, activation: .relu6)))
      #expect(model.tensors[stem.inputs[1]].shape == [32, 3, 3, 3] && model.tensors[stem.inputs[1]].type == .uint8)
      #expect(model.tensors[stem.inputs[2]].type == .int32)
      try TFLiteReference.compare(model, with: "mobilenet_v2")
    }

    @Test(.enabled(if: SharedData.has(TFLiteReference.yamnet), SharedData.skipMessage(TFLiteReference.yamnet)))
    func yamnet() throws {
      let model = try TFLiteModel.read(try #require(SharedData.path(TFLiteReference.yamnet)))
      #expect(model.operatorCounts() == [
        .complexAbs: 1, .conv2D: 14, .depthwiseConv2D: 13, .fullyConnected: 2, .gather: 2, .log: 1, .logistic: 1,
        .mean: 1, .mul: 1, .pad: 1, .reshape: 6, .rfft2D: 1,
      ])
      // RFFT2D and COMPLEX_ABS sit above 126: their int8 code is the placeholder 127.
      let complexAbs = try #require(model.operatorCodes.first { $0.builtin == .complexAbs })
      #expect(complexAbs.deprecatedBuiltinCode == 127 && complexAbs.builtinCode == 135)
      // int8 depthwise weights, one symmetric scale per output channel (dimension 3).
      let index = try #require(model.tensors.firstIndex { $0.type == .int8 && $0.shape == [1, 3, 3, 128] })
      let tensor = model.tensors[index]
      let q = try #require(tensor.quantization)
      #expect(q.scales.count == 128 && q.quantizedDimension == 3 && q.zeroPoints == [Int64](repeating: 0, count: 128))
      let raw = try #require(model.data(of: tensor)).map { Int8(bitPattern: $0) }
      let w = try model.dequantized(tensor: index)
      for i in [0, 1, 127, 128, 500, 1151] {
        #expect(w.data[i] == Float(Double(q.scales[i % 128]) * Double(raw[i])))
      }
      try TFLiteReference.compare(model, with: "yamnet")
    }

    @Test(.enabled(if: SharedData.has(TFLiteReference.mobileNetV2), SharedData.skipMessage(TFLiteReference.mobileNetV2)))
    func truncatedMobileNetV2IsRefused() throws {
      let bytes = try readFile(try #require(SharedData.path(TFLiteReference.mobileNetV2)))
      // The flatbuffer is followed by a zip of the label file (TFLite metadata's associated
      // files); a cut in the zip leaves the model whole, a cut before it does not.
      let zip: [UInt8] = [0x50, 0x4B, 3, 4]
      let end = try #require((bytes.count - 100_000..<bytes.count).first { Array(bytes[$0..<($0 + 4)]) == zip })
      let lengths = Array(0..<64) + Array(stride(from: 64, to: end, by: end / 150)) + [end - 1]
      for length in lengths {
        #expect(throws: TFLiteError.self, "length \(length)") { try TFLiteModel(bytes: Array(bytes[..<length])) }
      }
      let cut = try TFLiteModel(bytes: Array(bytes[..<end]))
      #expect(cut.tensors.count == 174 && cut.operators.count == 66)
    }

    @Test(.enabled(if: SharedData.has(TFLiteReference.mobileNetV2), SharedData.skipMessage(TFLiteReference.mobileNetV2)))
    func randomByteFlipsOfMobileNetV2NeverCrash() throws {
      let bytes = try readFile(try #require(SharedData.path(TFLiteReference.mobileNetV2)))
      var generator = Generator(seed: 11)
      // Flips anywhere mostly land in weights (still a valid file); the subgraph, tensor and
      // operator tables are in the last 64 kB (the converter writes them last, the builder back to front).
      let anywhere = TFLiteFuzz.flip(bytes, trials: 60, dequantize: 4, using: &generator)
      #expect(anywhere.read + anywhere.refused == 60)
      let tables = 65_000
      var structural = TFLiteFuzz.Outcomes()
      for _ in 0..<60 {
        var b = bytes
        for _ in 0..<3 { b[b.count - tables + generator.int(below: tables)] = UInt8(generator.int(below: 256)) }
        if let model = try? TFLiteModel(bytes: b) {
          structural.read += 1
          for (i, t) in model.tensors.enumerated().filter({ model.data(of: $0.1) != nil }).prefix(4) {
            if (try? model.dequantized(tensor: i))?.shape == t.shape { structural.dequantized += 1 }
          }
        } else {
          structural.refused += 1
        }
      }
      #expect(structural.read + structural.refused == 60)
    }
  }
}
