/// One graph of a TFLite model (`SubGraph`): its tensors, the operators in execution order, and
/// the indices of its input and output tensors. Subgraph 0 is the model's entry point.
public struct TFLiteSubgraph: Equatable, Sendable {
  public var name: String
  public var tensors: [TFLiteTensor]
  public var inputs: [Int]
  public var outputs: [Int]
  public var operators: [TFLiteOperator]
}

/// A tensor of a subgraph (`Tensor`): a constant when its buffer holds data, else an activation.
/// The shape is as stored, in TFLite's layouts: NHWC activations, convolution weights OHWI,
/// depthwise weights [1, H, W, C·multiplier], fully-connected weights [out, in].
public struct TFLiteTensor: Equatable, Sendable {
  public var name: String
  public var shape: [Int]
  public var type: TFLiteTensorType
  /// Index into the model's buffers; 0 (by convention an empty buffer) means no data.
  public var buffer: Int
  /// nil when the file has no quantization table for the tensor.
  public var quantization: TFLiteQuantization?
  public var isVariable: Bool
  /// The shape with −1 for dimensions that vary at run time, when the file has one.
  public var shapeSignature: [Int]?
  /// Whether the data is stored sparse (`sparsity` present): it then cannot be read densely.
  public var isSparse: Bool

  /// Element count of `shape` (checked not to overflow when the file was read).
  public var count: Int { shape.reduce(1, *) }
}

/// `QuantizationParameters`: real = scale × (q − zero_point), per tensor (one scale) or per slice
/// along `quantizedDimension` (one scale and zero point for each index of that axis).
public struct TFLiteQuantization: Equatable, Sendable {
  public var min: [Float]
  public var max: [Float]
  public var scales: [Float]
  public var zeroPoints: [Int64]
  public var quantizedDimension: Int
  /// Whether the file carries custom quantization `details` (which this reader does not decode).
  public var hasDetails: Bool

  public init(min: [Float] = [], max: [Float] = [], scales: [Float], zeroPoints: [Int64], quantizedDimension: Int = 0,
              hasDetails: Bool = false) {
    self.min = min; self.max = max; self.scales = scales; self.zeroPoints = zeroPoints
    self.quantizedDimension = quantizedDimension; self.hasDetails = hasDetails
  }

  /// Whether there is anything to dequantize with (at least one scale).
  public var isQuantized: Bool { !scales.isEmpty }
}

/// An operator code (`OperatorCode`): which operator, and its version.
public struct TFLiteOperatorCode: Equatable, Sendable {
  /// The larger of the two code fields (see `TFLiteBuiltinOperator`).
  public var builtin: TFLiteBuiltinOperator
  public var deprecatedBuiltinCode: Int8
  public var builtinCode: Int32
  /// The name of a custom operator (`builtin` is then `CUSTOM`).
  public var customCode: String?
  public var version: Int
}

/// One operator of a subgraph (`Operator`), with its code resolved.
public struct TFLiteOperator: Equatable, Sendable {
  public var opcodeIndex: Int
  public var builtin: TFLiteBuiltinOperator
  public var customCode: String?
  public var version: Int
  /// Tensor indices; −1 marks an omitted optional tensor.
  public var inputs: [Int]
  public var outputs: [Int]
  public var options: TFLiteOperatorOptions
}

/// A named metadata entry (`Metadata`) pointing at a buffer.
public struct TFLiteMetadata: Equatable, Sendable {
  public var name: String
  public var buffer: Int

  public init(name: String, buffer: Int) { self.name = name; self.buffer = buffer }
}
