/// The element types of the safetensors format, spelled as in its header
/// (https://github.com/huggingface/safetensors, `Dtype` in `safetensors/src/tensor.rs`).
///
/// `SafeTensors.read` widens every one of them to `Float`: floating types exactly (F64 rounds to
/// nearest), integers exactly up to 2²⁴ in magnitude and to the nearest `Float` beyond, BOOL as
/// 0 or 1. Sub-byte and complex types of newer format versions are not listed, so they read as
/// `unknownDType`.
public enum SafeTensorsDType: String, CaseIterable, Sendable {
  case bool = "BOOL"
  case uint8 = "U8"
  case int8 = "I8"
  case float8E5M2 = "F8_E5M2"
  case float8E4M3 = "F8_E4M3"
  case int16 = "I16"
  case uint16 = "U16"
  case float16 = "F16"
  case bfloat16 = "BF16"
  case int32 = "I32"
  case uint32 = "U32"
  case float32 = "F32"
  case float64 = "F64"
  case int64 = "I64"
  case uint64 = "U64"

  /// Bytes per element.
  public var byteCount: Int { layout.byteCount }

  var layout: ScalarLayout {
    switch self {
    case .bool: .bool
    case .uint8: .unsigned(byteCount: 1)
    case .int8: .signed(byteCount: 1)
    case .float8E5M2: .float8E5M2
    case .float8E4M3: .float8E4M3
    case .int16: .signed(byteCount: 2)
    case .uint16: .unsigned(byteCount: 2)
    case .float16: .float(byteCount: 2)
    case .bfloat16: .bfloat16
    case .int32: .signed(byteCount: 4)
    case .uint32: .unsigned(byteCount: 4)
    case .float32: .float(byteCount: 4)
    case .float64: .float(byteCount: 8)
    case .int64: .signed(byteCount: 8)
    case .uint64: .unsigned(byteCount: 8)
    }
  }
}
