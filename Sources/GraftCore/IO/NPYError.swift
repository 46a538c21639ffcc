/// A `.npy` file could not be read. The checks follow NumPy's own reader
/// (`numpy/lib/_format_impl.py`: `read_magic`, `_read_array_header`).
public struct NPYError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or not a regular file; carries `strerror(errno)`.
    case cannotOpen(String)
    /// The file does not start with `\x93NUMPY`.
    case badMagic
    /// A format version other than 1.0, 2.0 and 3.0.
    case unsupportedVersion(major: UInt8, minor: UInt8)
    /// The file ends inside the preamble or the header.
    case truncatedHeader
    /// The header is not a Python dict literal with exactly `descr`, `fortran_order` and
    /// `shape` (a tuple of non-negative ints); carries what is wrong.
    case malformedHeader(String)
    /// A dtype outside bool, int8–64, uint8–64 and float16–64 in either byte order
    /// (structured, complex, string and object dtypes included).
    case unsupportedDType(String)
    /// `fortran_order` is True and more than one dimension exceeds 1, so the bytes are not in
    /// C order.
    case fortranOrder(shape: [Int])
    /// The data after the header is not exactly `count × itemsize` bytes.
    case dataLengthMismatch(expected: Int, actual: Int)

    public var description: String {
      switch self {
      case .cannotOpen(let m): "cannot open: \(m)"
      case .badMagic: "not a .npy file (bad magic string)"
      case .unsupportedVersion(let major, let minor): "unsupported .npy format version \(major).\(minor)"
      case .truncatedHeader: "file ends inside the header"
      case .malformedHeader(let m): "malformed header: \(m)"
      case .unsupportedDType(let d): "unsupported dtype \(d)"
      case .fortranOrder(let s): "Fortran-ordered array of shape \(s) is not supported"
      case .dataLengthMismatch(let expected, let actual): "data has \(actual) bytes, expected \(expected)"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
