/// The element type of a TFLite tensor (`TensorType` in `tensorflow/lite/schema/schema.fbs`).
/// Codes the schema does not define (a newer converter's) are kept as `unknown`.
public enum TFLiteTensorType: Equatable, Hashable, Sendable, CustomStringConvertible {
  case float32, float16, int32, uint8, int64, string, bool, int16, complex64, int8, float64, complex128
  case uint64, resource, variant, uint32, uint16, int4, bfloat16
  case unknown(Int8)

  static let byCode: [TFLiteTensorType] = [
    .float32, .float16, .int32, .uint8, .int64, .string, .bool, .int16, .complex64, .int8, .float64, .complex128,
    .uint64, .resource, .variant, .uint32, .uint16, .int4, .bfloat16,
  ]

  public init(code: Int8) {
    self = code >= 0 && Int(code) < Self.byCode.count ? Self.byCode[Int(code)] : .unknown(code)
  }

  /// The schema's code (`FLOAT32 = 0` … `BFLOAT16 = 18`).
  public var code: Int8 {
    if case .unknown(let c) = self { return c }
    return Int8(Self.byCode.firstIndex(of: self) ?? 0)
  }

  /// Bytes per element, or nil where elements are not fixed-size bytes (strings, resources,
  /// variants, packed 4-bit integers, unknown types).
  public var byteCount: Int? {
    switch self {
    case .uint8, .int8, .bool: 1
    case .float16, .int16, .uint16, .bfloat16: 2
    case .float32, .int32, .uint32: 4
    case .int64, .uint64, .float64, .complex64: 8
    case .complex128: 16
    case .string, .resource, .variant, .int4, .unknown: nil
    }
  }

  /// The schema's name (`FLOAT32`, `UINT8`, …).
  public var description: String {
    switch self {
    case .unknown(let c): "UNKNOWN(\(c))"
    default:
      ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8", "FLOAT64",
       "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16"][Int(code)]
    }
  }
}
