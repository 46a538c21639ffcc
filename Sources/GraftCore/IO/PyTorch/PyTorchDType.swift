/// The element types a PyTorch checkpoint's tensors can have and Graft converts to `Float32`,
/// named as torch names them (`str(tensor.dtype)` without `torch.`).
///
/// Conversion is exact for every floating type but float64 (rounded to nearest), for integers up
/// to 2²⁴ in magnitude (larger ones round to the nearest `Float`), and gives 0 or 1 for bool.
public enum PyTorchDType: String, CaseIterable, Sendable {
  case float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool

  /// Bytes per element in a storage.
  public var byteCount: Int { layout.byteCount }

  var layout: ScalarLayout {
    switch self {
    case .float64: .float(byteCount: 8)
    case .float32: .float(byteCount: 4)
    case .float16: .float(byteCount: 2)
    case .bfloat16: .bfloat16
    case .int64: .signed(byteCount: 8)
    case .int32: .signed(byteCount: 4)
    case .int16: .signed(byteCount: 2)
    case .int8: .signed(byteCount: 1)
    case .uint8: .unsigned(byteCount: 1)
    case .bool: .bool
    }
  }
}

/// The type of a storage as its persistent id names it: a legacy storage class of module `torch`
/// (`torch.FloatStorage` …, what `torch.save` writes for every dtype it has a class for) or
/// `torch.UntypedStorage` (bytes).
enum PyTorchStorageType: Hashable, Sendable {
  case dtype(PyTorchDType)
  /// A storage class torch allows in `weights_only` loads that has no `Float32` conversion
  /// (complex and quantized types); carries the class name.
  case unconvertible(String)

  /// The storage classes of module `torch` and what they hold (`torch/storage.py`,
  /// `_dtype_to_storage_type_map`).
  static func named(_ name: String) -> PyTorchStorageType? {
    switch name {
    case "DoubleStorage": .dtype(.float64)
    case "FloatStorage": .dtype(.float32)
    case "HalfStorage": .dtype(.float16)
    case "BFloat16Storage": .dtype(.bfloat16)
    case "LongStorage": .dtype(.int64)
    case "IntStorage": .dtype(.int32)
    case "ShortStorage": .dtype(.int16)
    case "CharStorage": .dtype(.int8)
    case "ByteStorage", "UntypedStorage": .dtype(.uint8)
    case "BoolStorage": .dtype(.bool)
    case "ComplexDoubleStorage", "ComplexFloatStorage", "QInt8Storage", "QInt32Storage", "QUInt8Storage",
      "QUInt4x2Storage", "QUInt2x4Storage":
      .unconvertible(name)
    default: nil
    }
  }

  /// The storage class's name (`FloatStorage`; `ByteStorage` for untyped storages).
  var className: String {
    switch self {
    case .dtype(.float64): "DoubleStorage"
    case .dtype(.float32): "FloatStorage"
    case .dtype(.float16): "HalfStorage"
    case .dtype(.bfloat16): "BFloat16Storage"
    case .dtype(.int64): "LongStorage"
    case .dtype(.int32): "IntStorage"
    case .dtype(.int16): "ShortStorage"
    case .dtype(.int8): "CharStorage"
    case .dtype(.uint8): "ByteStorage"
    case .dtype(.bool): "BoolStorage"
    case .unconvertible(let name): name
    }
  }
}
