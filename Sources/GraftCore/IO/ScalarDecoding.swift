/// How one stored element is laid out: what `SafeTensors` and `NPY` dtypes reduce to before
/// they are widened to `Float`.
enum ScalarLayout: Equatable, Sendable {
  case bool
  case signed(byteCount: Int)
  case unsigned(byteCount: Int)
  /// IEEE 754 binary16, binary32 or binary64.
  case float(byteCount: Int)
  /// bfloat16: the top half of a binary32.
  case bfloat16
  /// OCP FP8 E4M3 "FN" (`torch.float8_e4m3fn`): bias 7, no infinities, S.1111.111 is NaN.
  case float8E4M3
  /// OCP FP8 E5M2 (`torch.float8_e5m2`): the top byte of a binary16.
  case float8E5M2

  var byteCount: Int {
    switch self {
    case .bool, .float8E4M3, .float8E5M2: 1
    case .bfloat16: 2
    case .signed(let n), .unsigned(let n), .float(let n): n
    }
  }
}

/// Widening of stored elements to `Float`.
enum ScalarDecoding {
  /// IEEE 754 binary16 bits to `Float` (exact: every half value is a float).
  /// Infinities and NaNs keep their sign, and NaNs keep their payload.
  static func float(fromHalf bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1F
    let mantissa = UInt32(bits & 0x3FF)
    switch exponent {
    case 0x1F:
      return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
    case 0:
      let magnitude = Float(mantissa) * 0x1p-24  // zero or subnormal: mantissa · 2⁻²⁴
      return sign == 0 ? magnitude : -magnitude
    default:
      return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)  // rebias 15 → 127
    }
  }

  /// bfloat16 bits to `Float` (exact: bfloat16 is a truncated binary32).
  static func float(fromBFloat16 bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
  }

  /// FP8 E4M3FN bits to `Float` (exact).
  static func float(fromFloat8E4M3 bits: UInt8) -> Float {
    let exponent = Int(bits >> 3) & 0xF
    let mantissa = Int(bits & 0x7)
    let magnitude: Float
    if exponent == 0xF && mantissa == 0x7 {
      magnitude = .nan
    } else if exponent == 0 {
      magnitude = Float(mantissa) * 0x1p-9
    } else {
      magnitude = Float(8 + mantissa) * Float(sign: .plus, exponent: exponent - 10, significand: 1)
    }
    return bits & 0x80 == 0 ? magnitude : -magnitude
  }

  /// FP8 E5M2 bits to `Float` (exact).
  static func float(fromFloat8E5M2 bits: UInt8) -> Float {
    float(fromHalf: UInt16(bits) << 8)
  }

  /// Widens `count` elements laid out as `layout` at `source` (any alignment) into `destination`.
  /// Integers above 2²⁴ in magnitude round to the nearest `Float`.
  static func decode(
    _ source: UnsafeRawPointer, layout: ScalarLayout, bigEndian: Bool, count: Int,
    into destination: UnsafeMutablePointer<Float>
  ) {
    func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
      let raw = source.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
      return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }
    switch layout {
    case .bool:
      for i in 0..<count { destination[i] = load(UInt8.self, i) == 0 ? 0 : 1 }
    case .signed(1):
      for i in 0..<count { destination[i] = Float(load(Int8.self, i)) }
    case .signed(2):
      for i in 0..<count { destination[i] = Float(load(Int16.self, i)) }
    case .signed(4):
      for i in 0..<count { destination[i] = Float(load(Int32.self, i)) }
    case .signed:
      for i in 0..<count { destination[i] = Float(load(Int64.self, i)) }
    case .unsigned(1):
      for i in 0..<count { destination[i] = Float(load(UInt8.self, i)) }
    case .unsigned(2):
      for i in 0..<count { destination[i] = Float(load(UInt16.self, i)) }
    case .unsigned(4):
      for i in 0..<count { destination[i] = Float(load(UInt32.self, i)) }
    case .unsigned:
      for i in 0..<count { destination[i] = Float(load(UInt64.self, i)) }
    case .float(2):
      for i in 0..<count { destination[i] = float(fromHalf: load(UInt16.self, i)) }
    case .float(4):
      #if _endian(little)
      if !bigEndian {
        UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        return
      }
      #endif
      for i in 0..<count { destination[i] = Float(bitPattern: load(UInt32.self, i)) }
    case .float:
      for i in 0..<count { destination[i] = Float(Double(bitPattern: load(UInt64.self, i))) }
    case .bfloat16:
      for i in 0..<count { destination[i] = float(fromBFloat16: load(UInt16.self, i)) }
    case .float8E4M3:
      for i in 0..<count { destination[i] = float(fromFloat8E4M3: load(UInt8.self, i)) }
    case .float8E5M2:
      for i in 0..<count { destination[i] = float(fromFloat8E5M2: load(UInt8.self, i)) }
    }
  }
}
