/// A TFLite model (`.tflite`, a FlatBuffer of `tensorflow/lite/schema/schema.fbs`, identifier
/// `TFL3`), read natively: its graphs, tensors, operators with their options decoded (see
/// `TFLiteOperatorOptions`), and constant tensors dequantized to `Float32` on request
/// (`dequantized(tensor:subgraph:)`).
///
/// Every offset and count of the file is checked before use (see `FlatBufferReader`); a corrupt
/// or truncated file is a `TFLiteError` naming the part that is wrong.
///
/// ```swift
/// let model = try TFLiteModel.read("mobilenet_v2_1.0_224_quant.tflite")
/// for op in model.operators where op.builtin == .conv2D {
///   let weight = try model.dequantized(tensor: op.inputs[1])   // [O, H, W, I]
/// }
/// ```
public struct TFLiteModel: Sendable, CustomStringConvertible {
  /// Where the model came from (for error messages).
  public var path: String
  public var version: UInt32
  /// `Model.description` (the converter's note, such as "MLIR Converted.").
  public var modelDescription: String?
  public var operatorCodes: [TFLiteOperatorCode]
  /// Subgraph 0 is the entry point; there is at least one.
  public var subgraphs: [TFLiteSubgraph]
  public var metadata: [TFLiteMetadata]
  /// The byte range of each buffer in `bytes`; buffer 0 is by convention empty.
  var bufferRanges: [Range<Int>]
  /// The whole file (buffers are ranges of it).
  let bytes: [UInt8]

  /// The model at `path`. The file is memory-mapped, copied once and unmapped before returning.
  public static func read(_ path: String) throws(TFLiteError) -> TFLiteModel {
    let file: MappedFile
    do throws(SystemError) {
      file = try MappedFile(path: path)
    } catch {
      throw TFLiteError(path: path, reason: .cannotOpen(error.message))
    }
    return try parse(file.bytes, path: path)
  }

  /// The model held in `bytes`; `path` only names it in errors.
  public init(bytes: [UInt8], path: String = "<memory>") throws(TFLiteError) {
    self = try bytes.withUnsafeBytes { raw in
      Result { () throws(TFLiteError) in try TFLiteModel.parse(raw, path: path) }
    }.get()
  }

  init(path: String, version: UInt32, modelDescription: String?, operatorCodes: [TFLiteOperatorCode],
       subgraphs: [TFLiteSubgraph], metadata: [TFLiteMetadata], bufferRanges: [Range<Int>], bytes: [UInt8]) {
    self.path = path; self.version = version; self.modelDescription = modelDescription; self.operatorCodes = operatorCodes
    self.subgraphs = subgraphs; self.metadata = metadata; self.bufferRanges = bufferRanges; self.bytes = bytes
  }

  /// A one-line summary (the bytes themselves are not printed).
  public var description: String {
    "TFLiteModel(\(path): version \(version), \(subgraphs.count) subgraph(s), \(tensors.count) tensors, "
      + "\(operators.count) operators, \(bufferRanges.count) buffers)"
  }

  // MARK: The main graph

  /// Tensors of subgraph 0.
  public var tensors: [TFLiteTensor] { subgraphs[0].tensors }
  /// Operators of subgraph 0, in execution order.
  public var operators: [TFLiteOperator] { subgraphs[0].operators }
  /// Input tensor indices of subgraph 0.
  public var inputs: [Int] { subgraphs[0].inputs }
  /// Output tensor indices of subgraph 0.
  public var outputs: [Int] { subgraphs[0].outputs }

  /// How many operators of each builtin type subgraph `subgraph` has.
  public func operatorCounts(subgraph: Int = 0) -> [TFLiteBuiltinOperator: Int] {
    subgraphs[subgraph].operators.reduce(into: [:]) { $0[$1.builtin, default: 0] += 1 }
  }

  // MARK: Buffers

  public var bufferCount: Int { bufferRanges.count }

  /// The bytes of buffer `index` (empty for buffer 0 and for buffers without data).
  public func bufferData(_ index: Int) -> ArraySlice<UInt8> {
    precondition(index >= 0 && index < bufferRanges.count, "TFLiteModel.bufferData: \(index) outside 0..<\(bufferRanges.count)")
    return bytes[bufferRanges[index]]
  }

  /// The constant bytes of `tensor`, or nil when it has none (buffer 0 or an empty buffer).
  public func data(of tensor: TFLiteTensor) -> ArraySlice<UInt8>? {
    guard tensor.buffer > 0, tensor.buffer < bufferRanges.count, !bufferRanges[tensor.buffer].isEmpty else { return nil }
    return bytes[bufferRanges[tensor.buffer]]
  }
}
