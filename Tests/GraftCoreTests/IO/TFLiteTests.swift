import Foundation
import GraftCore
import Testing

/// A small model exercising every part of the reader, built with `FlatBufferBuilder`.
enum TFLiteSample {
  static let half: [UInt16] = [0x3C00, 0xC000, 0x7BFF, 0x0001, 0xFC00]  // 1, −2, 65504, 2⁻²⁴, −∞
  static let int32Bias: [Int32] = [.min, -1, 0, 1, 1_000_000, .max]
  static let external: [UInt8] = [9, 8, 7, 6]

  static let codes: [FB] = [
    TFLiteFB.code(deprecated: 3),                 // CONV_2D, old file: only the int8 field
    TFLiteFB.code(deprecated: 127, builtin: 135), // COMPLEX_ABS: the placeholder, then the int32 field
    TFLiteFB.code(deprecated: 4, builtin: 4, version: 2),
    TFLiteFB.code(builtin: 9),                    // FULLY_CONNECTED with only the int32 field
    TFLiteFB.code(deprecated: 1, builtin: 1),
    TFLiteFB.code(deprecated: 0, builtin: 0),
    TFLiteFB.code(deprecated: 22, builtin: 22),
    TFLiteFB.code(deprecated: 25, builtin: 25),
    TFLiteFB.code(deprecated: 32, builtin: 32, custom: "MyOp"),
  ]

  static let tensors: [FB] = [
    TFLiteFB.tensor("input", [1, 4, 4, 3], type: 0),
    TFLiteFB.tensor("u8", [2, 3], type: 3, buffer: 1, quantization: TFLiteFB.quantization(scales: [0.5], zeroPoints: [128])),
    TFLiteFB.tensor("w_ohwi", [2, 1, 1, 3], type: 9, buffer: 2,
                    quantization: TFLiteFB.quantization(scales: [0.5, 0.25], zeroPoints: [0, 0], axis: 0)),
    TFLiteFB.tensor("w_depthwise", [1, 1, 2, 3], type: 9, buffer: 3,
                    quantization: TFLiteFB.quantization(scales: [1, 0.5, 0.25], zeroPoints: [0, 1, -1], axis: 3)),
    TFLiteFB.tensor("bias", [6], type: 2, buffer: 4, quantization: TFLiteFB.quantization(scales: [0.5], zeroPoints: [0])),
    TFLiteFB.tensor("half", [5], type: 1, buffer: 5),
    TFLiteFB.tensor("f32", [3], type: 0, buffer: 6),
    TFLiteFB.tensor("shape", [2], type: 2, buffer: 7),
    TFLiteFB.tensor("out", [1, 2, 2, 2], type: 0),
    TFLiteFB.tensor("flags", [3], type: 6, buffer: 8),
    TFLiteFB.tensor("u8_no_zero_point", [2], type: 3, buffer: 9, quantization: TFLiteFB.quantization(scales: [2])),
    TFLiteFB.tensor("far", [4], type: 3, buffer: 10),
  ]

  static func buffers(externalOffset: UInt64) -> [FB] {
    [
      TFLiteFB.buffer([]),
      TFLiteFB.buffer([0, 1, 127, 128, 254, 255]),
      TFLiteFB.buffer(TFLiteFB.le([Int8]([-128, -1, 0, 1, 2, 127]))),
      TFLiteFB.buffer([1, 2, 3, 4, 5, 6]),
      TFLiteFB.buffer(TFLiteFB.le(int32Bias)),
      TFLiteFB.buffer(TFLiteFB.le(half)),
      TFLiteFB.buffer(TFLiteFB.le([Float(1.5), -0.0, .greatestFiniteMagnitude].map(\.bitPattern))),
      TFLiteFB.buffer(TFLiteFB.le([Int32(1), 8])),
      TFLiteFB.buffer([1, 0, 2]),
      TFLiteFB.buffer([3, 250]),
      .table([1: .u64(externalOffset), 2: .u64(UInt64(external.count))]),  // data past the flatbuffer (> 2 GB files)
    ]
  }

  static let operators: [FB] = [
    TFLiteFB.op(0, inputs: [0, 2, 4], outputs: [8], optionsType: 1,
                options: .table([1: .i32(2), 2: .i32(1), 3: .i8(3)])),  // SAME by default, RELU6
    TFLiteFB.op(2, inputs: [0, 3, -1], outputs: [8], optionsType: 2,
                options: .table([0: .i8(1), 1: .i32(1), 2: .i32(1), 3: .i32(2), 4: .i8(1), 5: .i32(2), 6: .i32(3)])),
    TFLiteFB.op(3, inputs: [0, 1, -1], outputs: [8], optionsType: 8,
                options: .table([0: .i8(0), 1: .i8(1), 2: .bool(true), 3: .bool(true)])),
    TFLiteFB.op(4, inputs: [0], outputs: [8], optionsType: 5,
                options: .table([0: .i8(1), 1: .i32(2), 2: .i32(2), 3: .i32(2), 4: .i32(3), 5: .i8(0)])),
    TFLiteFB.op(5, inputs: [0, 0], outputs: [8], optionsType: 11, options: .table([0: .i8(3)])),
    TFLiteFB.op(6, inputs: [8, 7], outputs: [8], optionsType: 17, options: .table([0: .int32s([1, 8])])),
    TFLiteFB.op(7, inputs: [8], outputs: [8], optionsType: 9, options: .table([0: .f32(1)])),
    TFLiteFB.op(1, inputs: [8], outputs: [8]),
    TFLiteFB.op(8, inputs: [8], outputs: [8, -1]),  // an omitted optional output
  ]

  static func build(externalOffset: UInt64) -> [UInt8] {
    TFLiteFB.model(codes: codes, tensors: tensors, operators: operators, buffers: buffers(externalOffset: externalOffset),
                   inputs: [0], outputs: [8], metadata: [.table([0: .string("min_runtime_version"), 1: .u32(6)])])
  }

  /// The model's bytes followed by the external buffer's (two passes: the offset is fixed-size).
  static let bytes: [UInt8] = {
    let length = build(externalOffset: 0).count
    return build(externalOffset: UInt64(length)) + external
  }()
}

extension IOTests {
  @Suite struct TFLiteTests {
    let model: TFLiteModel

    init() throws { model = try TFLiteModel(bytes: TFLiteSample.bytes, path: "sample.tflite") }

    func values(_ name: String) throws -> [Float] {
      let index = try #require(model.tensors.firstIndex { $0.name == name })
      return try model.dequantized(tensor: index).scalars
    }

    @Test func structure() {
      #expect(model.version == 3 && model.modelDescription == "test" && model.path == "sample.tflite")
      #expect(model.subgraphs.count == 1 && model.subgraphs[0].name == "main")
      #expect(model.inputs == [0] && model.outputs == [8])
      #expect(model.tensors.map(\.name) == ["input", "u8", "w_ohwi", "w_depthwise", "bias", "half", "f32", "shape", "out",
                                            "flags", "u8_no_zero_point", "far"])
      #expect(model.tensors[0].shape == [1, 4, 4, 3] && model.tensors[0].type == .float32 && model.tensors[0].buffer == 0)
      #expect(model.tensors.map(\.type) == [.float32, .uint8, .int8, .int8, .int32, .float16, .float32, .int32, .float32,
                                            .bool, .uint8, .uint8])
      #expect(model.tensors[3].quantization == TFLiteQuantization(scales: [1, 0.5, 0.25], zeroPoints: [0, 1, -1],
                                                                   quantizedDimension: 3))
      #expect(model.tensors[0].quantization == nil)
      #expect(model.metadata == [TFLiteMetadata(name: "min_runtime_version", buffer: 6)])
      #expect(model.bufferCount == 11 && model.bufferData(0).isEmpty)
      #expect(Array(model.bufferData(10)) == TFLiteSample.external)
      #expect(model.data(of: model.tensors[0]) == nil)
    }

    @Test func bothBuiltinCodeFields() {
      #expect(model.operatorCodes.map(\.builtin.name) == ["CONV_2D", "COMPLEX_ABS", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
                                                          "AVERAGE_POOL_2D", "ADD", "RESHAPE", "SOFTMAX", "CUSTOM"])
      #expect(model.operatorCodes[1].deprecatedBuiltinCode == 127 && model.operatorCodes[1].builtinCode == 135)
      #expect(model.operatorCodes[0].builtinCode == 0 && model.operatorCodes[3].deprecatedBuiltinCode == 0)
      #expect(model.operatorCodes[2].version == 2 && model.operatorCodes[0].version == 1)
      #expect(model.operators.map(\.builtin) == [.conv2D, .depthwiseConv2D, .fullyConnected, .averagePool2D, .add, .reshape,
                                                 .softmax, .complexAbs, .custom])
      #expect(model.operators[8].customCode == "MyOp" && model.operators[8].outputs == [8, -1])
      #expect(TFLiteBuiltinOperator(rawValue: 500).name == "BUILTIN_500")
      #expect(model.operatorCounts()[.conv2D] == 1 && model.operatorCounts().values.reduce(0, +) == 9)
    }

    @Test func operatorsAndOptions() {
      let ops = model.operators
      #expect(ops[1].inputs == [0, 3, -1] && ops[1].outputs == [8] && ops[1].opcodeIndex == 2)
      #expect(ops[0].options == .conv2D(TFLiteConv2DOptions(padding: .same, strideW: 2, strideH: 1, activation: .relu6)))
      #expect(ops[1].options == .depthwiseConv2D(TFLiteDepthwiseConv2DOptions(
        padding: .valid, strideW: 1, strideH: 1, depthMultiplier: 2, activation: .relu, dilationW: 2, dilationH: 3)))
      #expect(ops[2].options == .fullyConnected(TFLiteFullyConnectedOptions(
        activation: .none, weightsFormat: 1, keepNumDims: true, asymmetricQuantizeInputs: true)))
      #expect(ops[3].options == .pool2D(TFLitePool2DOptions(
        padding: .valid, strideW: 2, strideH: 2, filterWidth: 2, filterHeight: 3, activation: .none)))
      #expect(ops[4].options == .add(TFLiteAddOptions(activation: .relu6, potScaleInt16: true)))
      #expect(ops[5].options == .reshape(newShape: [1, 8]))
      #expect(ops[6].options == .other(type: 9))
      #expect(ops[7].options == TFLiteOperatorOptions.none)
    }

    @Test func uint8PerTensor() throws {
      #expect(try values("u8") == [-64, -63.5, -0.5, 0, 63, 63.5])  // 0.5 × (q − 128)
      #expect(try model.dequantized(tensor: 1).shape == [2, 3])
      #expect(try values("u8_no_zero_point") == [6, 500])          // no zero points: 0
    }

    @Test func int8PerAxis() throws {
      // OHWI [2, 1, 1, 3], axis 0: scales 0.5 (first three), 0.25 (last three).
      #expect(try values("w_ohwi") == [-64, -0.5, 0, 0.25, 0.5, 31.75])
      // [1, 1, 2, 3], axis 3: channel c = i mod 3, scale [1, 0.5, 0.25], zero point [0, 1, −1].
      #expect(try values("w_depthwise") == [1, 0.5, 1, 4, 2, 1.75])
    }

    @Test func int32BiasWithItsScale() throws {
      // Computed in Double and rounded once: 0.5 × (2³¹ − 1) = 1073741823.5 rounds to 2³⁰.
      #expect(try values("bias") == [-1_073_741_824, -0.5, 0, 0.5, 500_000, 1_073_741_824])
    }

    @Test func floatsAndPlainValues() throws {
      #expect(try values("half") == [1, -2, 65504, 0x1p-24, -.infinity])
      let f32 = try values("f32")
      #expect(f32 == [1.5, 0, .greatestFiniteMagnitude] && f32[1].sign == .minus)
      #expect(try values("shape") == [1, 8])
      #expect(try values("flags") == [1, 0, 1])
      #expect(try values("far") == [9, 8, 7, 6])
    }

    @Test func dequantizationErrors() throws {
      func error(_ tensor: FB, data: [UInt8]) -> TFLiteError.Reason? {
        do throws(TFLiteError) {
          let bytes = TFLiteFB.model(codes: [], tensors: [tensor], buffers: [TFLiteFB.buffer([]), TFLiteFB.buffer(data)])
          _ = try TFLiteModel(bytes: bytes, path: "q.tflite").dequantized(tensor: 0)
          return nil
        } catch {
          return error.reason
        }
      }
      let q = TFLiteFB.quantization
      #expect(error(TFLiteFB.tensor("a", [4], type: 3, buffer: 1), data: [1, 2, 3])
              == .bufferSizeMismatch(tensor: "a", expectedBytes: 4, actualBytes: 3))
      #expect(error(TFLiteFB.tensor("a", [3], type: 3, buffer: 1, quantization: q([1, 2], nil, 0)), data: [1, 2, 3])
              == .invalidQuantization(tensor: "a", "2 scales for dimension 0 of size 3"))
      #expect(error(TFLiteFB.tensor("a", [2], type: 3, buffer: 1, quantization: q([1, 2], [0], 0)), data: [1, 2])
              == .invalidQuantization(tensor: "a", "2 scales but 1 zero points"))
      #expect(error(TFLiteFB.tensor("a", [2], type: 3, buffer: 1, quantization: q([1, 2], nil, 1)), data: [1, 2])
              == .invalidQuantization(tensor: "a", "quantized_dimension 1 outside the shape [2]"))
      #expect(error(TFLiteFB.tensor("a", [1], type: 3, buffer: 1, quantization: q([.nan], nil, 0)), data: [1])
              == .invalidQuantization(tensor: "a", "a scale is not finite"))
      #expect(error(TFLiteFB.tensor("a", [2], type: 3), data: [1, 2]) == .noData(tensor: "a"))
      #expect(error(TFLiteFB.tensor("a", [1 << 30, 1 << 30, 2], type: 4, buffer: 1), data: [1])
              == .invalidShape(tensor: "a", shape: [1 << 30, 1 << 30, 2]))  // 2⁶¹ int64s: the byte count overflows
      #expect(error(TFLiteFB.tensor("a", [2], type: 5, buffer: 1), data: [1, 2])
              == .unsupportedTensor(tensor: "a", "type STRING has no float reading"))
      #expect(error(TFLiteFB.tensor("a", [1], type: 8, buffer: 1), data: [UInt8](repeating: 0, count: 8))
              == .unsupportedTensor(tensor: "a", "type COMPLEX64 has no float reading"))
      #expect(error(TFLiteFB.tensor("a", [1], type: 42, buffer: 1), data: [1])
              == .unsupportedTensor(tensor: "a", "type UNKNOWN(42) has no float reading"))
      #expect(error(TFLiteFB.tensor("a", [2], type: 3, buffer: 1), data: [1, 2]) == nil)
    }
  }
}

/// `Fixtures/tflite/sample.tflite` is `TFLiteSample.bytes`, committed so the fuzz target's seeds
/// (`FuzzSeeds.tflite`) need no test code. `GRAFT_WRITE_FIXTURES=1` rewrites it.
@Suite struct TFLiteSampleFixtureTests {
  @Test func committedSampleIsTheBuilderOutput() throws {
    let path = TFLiteReference.directory + "/sample.tflite"
    if ProcessInfo.processInfo.environment["GRAFT_WRITE_FIXTURES"] == "1" {
      try Data(TFLiteSample.bytes).write(to: URL(fileURLWithPath: path))
    }
    let bytes = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
    #expect([UInt8](bytes) == TFLiteSample.bytes)
    #expect(try TFLiteModel.read(path).tensors.count == TFLiteSample.tensors.count)
  }
}
