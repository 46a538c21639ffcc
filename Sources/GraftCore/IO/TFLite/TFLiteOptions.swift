/// `Padding` in schema.fbs: TensorFlow's `SAME` (output = ⌈input / stride⌉, the padding split with
/// the odd pixel after) or `VALID` (no padding).
public enum TFLitePadding: Int8, Sendable, CustomStringConvertible {
  case same = 0
  case valid = 1
  public var description: String { self == .same ? "SAME" : "VALID" }
}

/// `ActivationFunctionType` in schema.fbs: the activation an operator applies to its output.
public enum TFLiteActivation: Int8, Sendable, CustomStringConvertible {
  case none = 0
  case relu = 1
  /// Clamp to [−1, 1].
  case reluN1To1 = 2
  case relu6 = 3
  case tanh = 4
  case signBit = 5
  public var description: String {
    ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"][Int(rawValue)]
  }
}

/// `Conv2DOptions`.
public struct TFLiteConv2DOptions: Equatable, Sendable {
  public var padding: TFLitePadding
  public var strideW: Int
  public var strideH: Int
  public var activation: TFLiteActivation
  public var dilationW: Int
  public var dilationH: Int

  public init(padding: TFLitePadding, strideW: Int, strideH: Int, activation: TFLiteActivation,
              dilationW: Int = 1, dilationH: Int = 1) {
    self.padding = padding; self.strideW = strideW; self.strideH = strideH
    self.activation = activation; self.dilationW = dilationW; self.dilationH = dilationH
  }
}

/// `DepthwiseConv2DOptions`. Weights are [1, H, W, C·depthMultiplier].
public struct TFLiteDepthwiseConv2DOptions: Equatable, Sendable {
  public var padding: TFLitePadding
  public var strideW: Int
  public var strideH: Int
  public var depthMultiplier: Int
  public var activation: TFLiteActivation
  public var dilationW: Int
  public var dilationH: Int

  public init(padding: TFLitePadding, strideW: Int, strideH: Int, depthMultiplier: Int,
              activation: TFLiteActivation, dilationW: Int = 1, dilationH: Int = 1) {
    self.padding = padding; self.strideW = strideW; self.strideH = strideH; self.depthMultiplier = depthMultiplier
    self.activation = activation; self.dilationW = dilationW; self.dilationH = dilationH
  }
}

/// `FullyConnectedOptions`. Weights are [out, in].
public struct TFLiteFullyConnectedOptions: Equatable, Sendable {
  public var activation: TFLiteActivation
  /// `FullyConnectedOptionsWeightsFormat`: 0 `DEFAULT`, 1 `SHUFFLED4x16INT8`.
  public var weightsFormat: Int8
  public var keepNumDims: Bool
  /// Hybrid (float input, int8 weights) kernels quantize the input per row, asymmetrically.
  public var asymmetricQuantizeInputs: Bool

  public init(activation: TFLiteActivation, weightsFormat: Int8 = 0, keepNumDims: Bool = false,
              asymmetricQuantizeInputs: Bool = false) {
    self.activation = activation; self.weightsFormat = weightsFormat; self.keepNumDims = keepNumDims
    self.asymmetricQuantizeInputs = asymmetricQuantizeInputs
  }
}

/// `Pool2DOptions` (AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D).
public struct TFLitePool2DOptions: Equatable, Sendable {
  public var padding: TFLitePadding
  public var strideW: Int
  public var strideH: Int
  public var filterWidth: Int
  public var filterHeight: Int
  public var activation: TFLiteActivation

  public init(padding: TFLitePadding, strideW: Int, strideH: Int, filterWidth: Int, filterHeight: Int,
              activation: TFLiteActivation) {
    self.padding = padding; self.strideW = strideW; self.strideH = strideH
    self.filterWidth = filterWidth; self.filterHeight = filterHeight; self.activation = activation
  }
}

/// `AddOptions`.
public struct TFLiteAddOptions: Equatable, Sendable {
  public var activation: TFLiteActivation
  public var potScaleInt16: Bool

  public init(activation: TFLiteActivation, potScaleInt16: Bool = true) {
    self.activation = activation; self.potScaleInt16 = potScaleInt16
  }
}

/// The decoded `builtin_options` of an operator. Options tables Graft has no use for are kept as
/// `other` with the union's type code (`BuiltinOptions` in schema.fbs).
public enum TFLiteOperatorOptions: Equatable, Sendable {
  case none
  case conv2D(TFLiteConv2DOptions)
  case depthwiseConv2D(TFLiteDepthwiseConv2DOptions)
  case fullyConnected(TFLiteFullyConnectedOptions)
  case pool2D(TFLitePool2DOptions)
  case add(TFLiteAddOptions)
  /// `ReshapeOptions.new_shape` (nil when the field is absent: the shape comes from an input).
  case reshape(newShape: [Int]?)
  case other(type: UInt8)
}

/// The geometry of a convolution operator, whichever of the two kinds it is.
public struct TFLiteConvolutionGeometry: Equatable, Sendable {
  public var padding: TFLitePadding
  /// [height, width]
  public var stride: [Int]
  /// [height, width]
  public var dilation: [Int]
  public var activation: TFLiteActivation
}

extension TFLiteOperatorOptions {
  /// The geometry of a CONV_2D (`depthwise` false) or a DEPTHWISE_CONV_2D with depth multiplier 1
  /// (`depthwise` true); nil for any other options (what the networks' mappings refuse).
  public func convolutionGeometry(depthwise: Bool) -> TFLiteConvolutionGeometry? {
    switch self {
    case .conv2D(let o) where !depthwise:
      return TFLiteConvolutionGeometry(padding: o.padding, stride: [o.strideH, o.strideW],
                                       dilation: [o.dilationH, o.dilationW], activation: o.activation)
    case .depthwiseConv2D(let o) where depthwise && o.depthMultiplier == 1:
      return TFLiteConvolutionGeometry(padding: o.padding, stride: [o.strideH, o.strideW],
                                       dilation: [o.dilationH, o.dilationW], activation: o.activation)
    default:
      return nil
    }
  }
}

extension FlatBufferReader {
  /// The options table of union type `type` at `table`. Field numbers are those of schema.fbs.
  mutating func options(type: UInt8, _ t: Table) throws(TFLiteError) -> TFLiteOperatorOptions {
    switch type {
    case 1:  // Conv2DOptions
      return .conv2D(TFLiteConv2DOptions(
        padding: try padding(t, 0), strideW: Int(try int32(t, 1, "stride_w")), strideH: Int(try int32(t, 2, "stride_h")),
        activation: try activation(t, 3),
        dilationW: Int(try int32(t, 4, "dilation_w_factor", default: 1)),
        dilationH: Int(try int32(t, 5, "dilation_h_factor", default: 1))))
    case 2:  // DepthwiseConv2DOptions
      return .depthwiseConv2D(TFLiteDepthwiseConv2DOptions(
        padding: try padding(t, 0), strideW: Int(try int32(t, 1, "stride_w")), strideH: Int(try int32(t, 2, "stride_h")),
        depthMultiplier: Int(try int32(t, 3, "depth_multiplier")), activation: try activation(t, 4),
        dilationW: Int(try int32(t, 5, "dilation_w_factor", default: 1)),
        dilationH: Int(try int32(t, 6, "dilation_h_factor", default: 1))))
    case 5:  // Pool2DOptions
      return .pool2D(TFLitePool2DOptions(
        padding: try padding(t, 0), strideW: Int(try int32(t, 1, "stride_w")), strideH: Int(try int32(t, 2, "stride_h")),
        filterWidth: Int(try int32(t, 3, "filter_width")), filterHeight: Int(try int32(t, 4, "filter_height")),
        activation: try activation(t, 5)))
    case 8:  // FullyConnectedOptions
      return .fullyConnected(TFLiteFullyConnectedOptions(
        activation: try activation(t, 0), weightsFormat: try int8(t, 1, "weights_format"),
        keepNumDims: try bool(t, 2, "keep_num_dims"), asymmetricQuantizeInputs: try bool(t, 3, "asymmetric_quantize_inputs")))
    case 11:  // AddOptions
      return .add(TFLiteAddOptions(activation: try activation(t, 0), potScaleInt16: try bool(t, 1, "pot_scale_int16", default: true)))
    case 17:  // ReshapeOptions
      return .reshape(newShape: try int32s(t, 0, "new_shape"))
    default:
      return .other(type: type)
    }
  }

  func padding(_ t: Table, _ index: Int) throws(TFLiteError) -> TFLitePadding {
    let code = try int8(t, index, "padding")
    guard let padding = TFLitePadding(rawValue: code) else { throw error(.invalidEnum("\(t.name).padding", value: Int(code))) }
    return padding
  }

  func activation(_ t: Table, _ index: Int) throws(TFLiteError) -> TFLiteActivation {
    let code = try int8(t, index, "fused_activation_function")
    guard let activation = TFLiteActivation(rawValue: code) else {
      throw error(.invalidEnum("\(t.name).fused_activation_function", value: Int(code)))
    }
    return activation
  }
}
