/// A TFLite flatbuffer could not be read, a tensor of it could not be dequantized, or its graph is
/// not the network a mapping expected. Each reason names the part of the file it is about, as a
/// schema path such as `subgraphs[0].tensors[12].shape`.
public struct TFLiteError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or not a regular file; carries `strerror(errno)`.
    case cannotOpen(String)
    /// Fewer than the 8 bytes of the root offset and the file identifier.
    case tooShort(fileSize: Int)
    /// Bytes 4..<8 are not the identifier `TFL3`; carries what they are (escaped).
    case wrongIdentifier(String)
    /// `Model.version` is not 3, the only schema version TFLite's interpreter accepts.
    case unsupportedVersion(UInt32)
    /// A table, vtable, field, vector or string starting at `offset` ends past the end of the
    /// file (or before its start).
    case outOfBounds(String, offset: Int, fileSize: Int)
    /// A vtable whose size is odd or below 4, or a table whose inline size is below 4.
    case invalidVTable(String, offset: Int)
    /// A field lies past the end of its table's inline bytes.
    case fieldOutsideTable(String)
    /// A string lacks its terminating NUL byte.
    case unterminatedString(String)
    /// The file's vectors add up to more elements than its size allows (vectors shared many
    /// times over: a crafted file, refused before it costs quadratic time).
    case tooManyElements(limit: Int)
    /// A required field is absent (`Model.subgraphs`).
    case missingField(String)
    /// An index (a tensor, buffer or operator code) is outside its table.
    case indexOutOfRange(String, index: Int, count: Int)
    /// A shape with a negative dimension, or whose element count overflows `Int`.
    case invalidShape(tensor: String, shape: [Int])
    /// An enum field holds a value the schema does not define.
    case invalidEnum(String, value: Int)
    /// Buffer bytes that disagree with the tensor's type and shape.
    case bufferSizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Quantization parameters that do not fit the tensor (scale count, zero points, axis).
    case invalidQuantization(tensor: String, String)
    /// Dequantization was asked of a tensor with no constant data (an activation or input).
    case noData(tensor: String)
    /// Dequantization was asked of a tensor whose type (or sparse storage) has no float reading.
    case unsupportedTensor(tensor: String, String)
    /// The graph is not the network a mapping expected: at `location` (an operator or tensor),
    /// `expected` was expected and `found` found.
    case unexpectedGraph(location: String, expected: String, found: String)

    public var description: String {
      switch self {
      case .cannotOpen(let m): "cannot open: \(m)"
      case .tooShort(let n): "file of \(n) bytes is too short for a flatbuffer header (8 bytes)"
      case .wrongIdentifier(let id): "file identifier is \"\(id)\", not \"TFL3\" (not a TFLite model)"
      case .unsupportedVersion(let v): "schema version \(v), only version 3 is supported"
      case .outOfBounds(let what, let offset, let size):
        "\(what) at byte \(offset) runs outside the \(size)-byte file (truncated or corrupt)"
      case .invalidVTable(let what, let offset): "\(what): invalid vtable at byte \(offset)"
      case .fieldOutsideTable(let what): "\(what) lies outside its table"
      case .unterminatedString(let what): "\(what): string has no terminating NUL"
      case .tooManyElements(let limit): "vectors hold more than \(limit) elements in all (shared vectors?)"
      case .missingField(let what): "\(what) is missing"
      case .indexOutOfRange(let what, let index, let count): "\(what) = \(index) is outside 0..<\(count)"
      case .invalidShape(let t, let shape): "tensor '\(t)': invalid shape \(shape)"
      case .invalidEnum(let what, let value): "\(what) = \(value) is not a value the schema defines"
      case .bufferSizeMismatch(let t, let expected, let actual):
        "tensor '\(t)': buffer holds \(actual) bytes, type and shape need \(expected)"
      case .invalidQuantization(let t, let m): "tensor '\(t)': invalid quantization: \(m)"
      case .noData(let t): "tensor '\(t)' has no constant data"
      case .unsupportedTensor(let t, let m): "tensor '\(t)': \(m)"
      case .unexpectedGraph(let location, let expected, let found):
        "\(location): expected \(expected), found \(found)"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
