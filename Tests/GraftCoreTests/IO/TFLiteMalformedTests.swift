import Foundation
import GraftCore
import Testing

extension IOTests {
  /// One case per check of the reader: each builds bad bytes and expects the exact reason; then
  /// truncations and random byte flips, which must end in a typed error or a successful read.
  @Suite struct TFLiteMalformedTests {
    struct Case: Sendable, CustomTestStringConvertible {
      let name: String
      let bytes: [UInt8]
      let reason: TFLiteError.Reason
      var testDescription: String { name }
    }

    static let tensor = TFLiteFB.tensor("t", [2], type: 3, buffer: 1)
    static let buffers = [TFLiteFB.buffer([]), TFLiteFB.buffer([1, 2])]
    static let conv = TFLiteFB.code(deprecated: 3)

    /// A valid model to corrupt, and the position of its root table's vtable.
    static let valid = TFLiteFB.model(codes: [conv], tensors: [tensor], buffers: buffers)
    static var rootVTable: Int {
      let root = Int(u32(valid, 0))
      return root - Int(Int32(bitPattern: u32(valid, root)))
    }

    static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
      bytes[at..<(at + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func patched(_ bytes: [UInt8], at: Int, _ new: [UInt8]) -> [UInt8] {
      var b = bytes
      b.replaceSubrange(at..<(at + new.count), with: new)
      return b
    }

    static func withIdentifier(_ id: [UInt8]) -> [UInt8] { patched(valid, at: 4, id) }

    static let cases: [Case] = [
      Case(name: "empty file", bytes: [], reason: .tooShort(fileSize: 0)),
      Case(name: "seven bytes", bytes: [8, 0, 0, 0, 84, 70, 76], reason: .tooShort(fileSize: 7)),
      Case(name: "older identifier", bytes: withIdentifier(Array("TFL2".utf8)), reason: .wrongIdentifier("TFL2")),
      Case(name: "binary identifier", bytes: withIdentifier([0, 1, 0x41, 0xFF]), reason: .wrongIdentifier("\\x00\\x01A\\xff")),
      Case(name: "schema version 2", bytes: TFLiteFB.model(version: 2, codes: [], tensors: [], buffers: []),
           reason: .unsupportedVersion(2)),
      Case(name: "no subgraphs", bytes: FlatBufferBuilder.build(.table([0: .u32(3)])), reason: .missingField("Model.subgraphs")),
      Case(name: "root offset past the end", bytes: patched(valid, at: 0, [0xF0, 0xFF, 0xFF, 0xFF]),
           reason: .outOfBounds("Model", offset: 0xFFFF_FFF0, fileSize: valid.count)),
      Case(name: "vtable size odd", bytes: patched(valid, at: rootVTable, [3, 0]),
           reason: .invalidVTable("Model", offset: rootVTable)),
      Case(name: "vtable size past the end", bytes: patched(valid, at: rootVTable, [0xFE, 0xFF]),
           reason: .outOfBounds("Model vtable", offset: rootVTable, fileSize: valid.count)),
      Case(name: "table too small for its fields", bytes: patched(valid, at: rootVTable + 2, [4, 0]),
           reason: .fieldOutsideTable("Model.version")),
      Case(name: "tensor buffer out of range",
           bytes: TFLiteFB.model(codes: [], tensors: [TFLiteFB.tensor("t", [2], type: 3, buffer: 5)], buffers: buffers),
           reason: .indexOutOfRange("Model.subgraphs[0].tensors[0].buffer", index: 5, count: 2)),
      Case(name: "operator input out of range",
           bytes: TFLiteFB.model(codes: [conv], tensors: [tensor], operators: [TFLiteFB.op(0, inputs: [0, 7], outputs: [0])],
                                 buffers: buffers),
           reason: .indexOutOfRange("Model.subgraphs[0].operators[0].inputs[1]", index: 7, count: 1)),
      Case(name: "operator output −2",
           bytes: TFLiteFB.model(codes: [conv], tensors: [tensor], operators: [TFLiteFB.op(0, inputs: [0], outputs: [-2])],
                                 buffers: buffers),
           reason: .indexOutOfRange("Model.subgraphs[0].operators[0].outputs[0]", index: -2, count: 1)),
      Case(name: "opcode index out of range",
           bytes: TFLiteFB.model(codes: [conv], tensors: [tensor], operators: [TFLiteFB.op(3, inputs: [0], outputs: [0])],
                                 buffers: buffers),
           reason: .indexOutOfRange("Model.subgraphs[0].operators[0].opcode_index", index: 3, count: 1)),
      Case(name: "subgraph input out of range",
           bytes: TFLiteFB.model(codes: [], tensors: [tensor], buffers: buffers, inputs: [1]),
           reason: .indexOutOfRange("Model.subgraphs[0].inputs[0]", index: 1, count: 1)),
      Case(name: "metadata buffer out of range",
           bytes: TFLiteFB.model(codes: [], tensors: [], buffers: buffers, metadata: [.table([0: .string("m"), 1: .u32(2)])]),
           reason: .indexOutOfRange("Model.metadata[0].buffer", index: 2, count: 2)),
      Case(name: "negative dimension",
           bytes: TFLiteFB.model(codes: [], tensors: [TFLiteFB.tensor("t", [2, -1], type: 0)], buffers: []),
           reason: .invalidShape(tensor: "t", shape: [2, -1])),
      Case(name: "element count overflows",
           bytes: TFLiteFB.model(codes: [], tensors: [TFLiteFB.tensor("t", [1 << 30, 1 << 30, 1 << 30], type: 0)],
                                 buffers: []),
           reason: .invalidShape(tensor: "t", shape: [1 << 30, 1 << 30, 1 << 30])),
      Case(name: "unknown padding",
           bytes: TFLiteFB.model(codes: [conv], tensors: [tensor], operators: [
             TFLiteFB.op(0, inputs: [0], outputs: [0], optionsType: 1, options: .table([0: .i8(7)]))], buffers: buffers),
           reason: .invalidEnum("Model.subgraphs[0].operators[0].builtin_options.padding", value: 7)),
      Case(name: "unknown activation",
           bytes: TFLiteFB.model(codes: [conv], tensors: [tensor], operators: [
             TFLiteFB.op(0, inputs: [0], outputs: [0], optionsType: 11, options: .table([0: .i8(9)]))], buffers: buffers),
           reason: .invalidEnum("Model.subgraphs[0].operators[0].builtin_options.fused_activation_function", value: 9)),
      Case(name: "external buffer past the end", bytes: farBuffer,
           reason: .outOfBounds("Model.buffers[0] (offset 1099511627776, size 4)", offset: 1 << 40, fileSize: farBuffer.count)),
      Case(name: "one table shared by 2000 tensors", bytes: shared, reason: .tooManyElements(limit: 8 * shared.count + 4096)),
    ]

    static let farBuffer = TFLiteFB.model(codes: [], tensors: [], buffers: [.table([1: .u64(1 << 40), 2: .u64(4)])])
    /// 2000 tensors that all point to one table with a 4000-dimension shape: 8 million elements
    /// to read from a 24 kB file.
    static let shared = FlatBufferBuilder.build(.table([
      0: .u32(3), 4: .tables([]),
      2: .tables([.table([0: .repeated(TFLiteFB.tensor("t", [Int32](repeating: 1, count: 4000), type: 0), count: 2000)])]),
    ]))

    @Test(arguments: cases)
    func refused(_ c: Case) {
      #expect(throws: TFLiteError(path: "bad.tflite", reason: c.reason)) { try TFLiteModel(bytes: c.bytes, path: "bad.tflite") }
    }

    @Test func unterminatedString() throws {
      var bytes = TFLiteFB.model(description: "abcdefgh", codes: [], tensors: [], buffers: [])
      let text = Array("abcdefgh".utf8)
      let at = try #require((0...(bytes.count - text.count)).first { Array(bytes[$0..<($0 + text.count)]) == text })
      bytes[at + text.count] = 0x41
      #expect(throws: TFLiteError(path: "s", reason: .unterminatedString("Model.description"))) {
        try TFLiteModel(bytes: bytes, path: "s")
      }
    }

    @Test func missingFileIsCannotOpen() {
      #expect(throws: TFLiteError(path: "/nonexistent/x.tflite", reason: .cannotOpen("No such file or directory"))) {
        try TFLiteModel.read("/nonexistent/x.tflite")
      }
    }

    @Test func readsFromDisk() throws {
      try withTemporaryDirectory { dir in
        let path = dir + "/m.tflite"
        try writeFile(TFLiteSample.bytes, to: path)
        let model = try TFLiteModel.read(path)
        #expect(model.path == path && model.tensors.count == 12)
        #expect(try model.dequantized(tensor: 1).scalars == [-64, -63.5, -0.5, 0, 63, 63.5])
      }
    }

    @Test func everyTruncationOfTheSampleIsRefused() {
      // Without the external buffer (whose truncation alone would make every cut fail): the file
      // ends with a referenced object, so every cut leaves something out of bounds.
      let bytes = TFLiteSample.build(externalOffset: 0)
      var reasons = 0
      for length in 0..<bytes.count {
        if (try? TFLiteModel(bytes: Array(bytes[..<length]))) == nil { reasons += 1 }
      }
      #expect(reasons == bytes.count)
    }

    @Test func randomByteFlipsNeverCrash() {
      var generator = Generator(seed: 7)
      let outcomes = TFLiteFuzz.flip(TFLiteSample.bytes, trials: 3000, using: &generator)
      #expect(outcomes.read + outcomes.refused == 3000)
      #expect(outcomes.refused > 0 && outcomes.read > 0)
    }
  }
}

/// Corrupts a file and reads it: every outcome must be a model or a `TFLiteError` (typed throws
/// make any other error impossible; a trap would end the test run).
enum TFLiteFuzz {
  struct Outcomes { var read = 0, refused = 0, dequantized = 0 }

  /// Each trial sets 1–4 random bytes to random values, reads the result and, when it reads,
  /// dequantizes up to `dequantize` tensors that have data.
  static func flip(_ bytes: [UInt8], trials: Int, dequantize: Int = .max, using g: inout Generator) -> Outcomes {
    var outcomes = Outcomes()
    for _ in 0..<trials {
      var b = bytes
      for _ in 0...g.int(below: 4) { b[g.int(below: b.count)] = UInt8(g.int(below: 256)) }
      guard let model = try? TFLiteModel(bytes: b) else { outcomes.refused += 1; continue }
      outcomes.read += 1
      for (i, tensor) in model.tensors.enumerated().filter({ model.data(of: $0.1) != nil }).prefix(dequantize) {
        if let t = try? model.dequantized(tensor: i), t.shape == tensor.shape { outcomes.dequantized += 1 }
      }
    }
    return outcomes
  }
}
