/// A NumPy scalar dtype as a `.npy` header spells it (`descr`): byte order `<`, `>` or `|`,
/// kind `b`, `i`, `u` or `f`, and the size in bytes — `"<f4"`, `"|u1"`, `">i8"`
/// (https://numpy.org/doc/stable/reference/arrays.dtypes.html).
public struct NPYDType: Hashable, Sendable, CustomStringConvertible {
  public enum Kind: Hashable, Sendable {
    case bool
    case signed
    case unsigned
    case float
  }

  public let kind: Kind
  /// Bytes per element: 1 for bool; 1, 2, 4, 8 for integers; 2, 4, 8 for floats.
  public let byteCount: Int
  /// True for `>` (big-endian). Always false for one-byte types.
  public let isBigEndian: Bool

  public static let bool = NPYDType(.bool, 1)
  public static let int8 = NPYDType(.signed, 1)
  public static let int16 = NPYDType(.signed, 2)
  public static let int32 = NPYDType(.signed, 4)
  public static let int64 = NPYDType(.signed, 8)
  public static let uint8 = NPYDType(.unsigned, 1)
  public static let uint16 = NPYDType(.unsigned, 2)
  public static let uint32 = NPYDType(.unsigned, 4)
  public static let uint64 = NPYDType(.unsigned, 8)
  public static let float16 = NPYDType(.float, 2)
  public static let float32 = NPYDType(.float, 4)
  public static let float64 = NPYDType(.float, 8)

  private init(_ kind: Kind, _ byteCount: Int, bigEndian: Bool = false) {
    self.kind = kind
    self.byteCount = byteCount
    self.isBigEndian = bigEndian && byteCount > 1
  }

  /// This dtype with the given byte order (one-byte types have none and are returned unchanged).
  public func bigEndian(_ big: Bool = true) -> NPYDType { NPYDType(kind, byteCount, bigEndian: big) }

  /// Parses a `descr` such as `"<f4"`; nil for anything unsupported. One-byte types accept any
  /// order character; wider ones need `<` or `>`.
  public init?(descr: String) {
    let chars = Array(descr.utf8)
    guard chars.count >= 3, chars[2...].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
      let size = Int(String(decoding: chars[2...], as: UTF8.self)) else { return nil }
    let kind: Kind
    switch chars[1] {
    case UInt8(ascii: "b") where size == 1: kind = .bool
    case UInt8(ascii: "i") where [1, 2, 4, 8].contains(size): kind = .signed
    case UInt8(ascii: "u") where [1, 2, 4, 8].contains(size): kind = .unsigned
    case UInt8(ascii: "f") where [2, 4, 8].contains(size): kind = .float
    default: return nil
    }
    switch chars[0] {
    case UInt8(ascii: "<"): self.init(kind, size)
    case UInt8(ascii: ">"): self.init(kind, size, bigEndian: true)
    case UInt8(ascii: "|") where size == 1: self.init(kind, size)
    default: return nil
    }
  }

  /// The `descr` NumPy writes for this dtype (`dtype.str`).
  public var descr: String {
    let order = byteCount == 1 ? "|" : (isBigEndian ? ">" : "<")
    let code = switch kind {
    case .bool: "b"
    case .signed: "i"
    case .unsigned: "u"
    case .float: "f"
    }
    return "\(order)\(code)\(byteCount)"
  }

  public var description: String { descr }

  var layout: ScalarLayout {
    switch kind {
    case .bool: .bool
    case .signed: .signed(byteCount: byteCount)
    case .unsigned: .unsigned(byteCount: byteCount)
    case .float: .float(byteCount: byteCount)
    }
  }
}
