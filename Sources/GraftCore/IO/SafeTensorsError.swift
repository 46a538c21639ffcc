/// A safetensors file could not be read. Every check the reference reader makes
/// (https://github.com/huggingface/safetensors, `safetensors/src/tensor.rs`) has a reason here,
/// and each reason names the tensor it is about.
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file is missing, unreadable or not a regular file; carries `strerror(errno)`.
    case cannotOpen(String)
    /// Fewer than the 8 bytes of the header length.
    case tooShort(fileSize: Int)
    /// The header length exceeds the reference reader's 100 MB limit.
    case headerTooLarge(UInt64)
    /// The header length runs past the end of the file.
    case headerBeyondFile(headerLength: UInt64, fileSize: Int)
    case headerNotUTF8
    /// The header is not JSON; carries the parser's message and byte offset.
    case headerNotJSON(String)
    /// The header is JSON but not an object.
    case headerNotObject
    /// `__metadata__` is not an object whose values are all strings.
    case invalidMetadata
    /// A tensor name (or `__metadata__`) appears twice.
    case duplicateKey(String)
    /// Two tensor names with different bytes but the same text in different Unicode forms
    /// (NFC and NFD): `SafeTensorsFile.tensors` is keyed by `String`, which would merge them.
    case equivalentKeys(String, String)
    /// A tensor's entry is not a JSON object.
    case entryNotObject(tensor: String)
    /// A tensor's entry lacks `dtype`, `shape` or `data_offsets`.
    case missingField(tensor: String, field: String)
    /// A field has the wrong JSON type (`shape` must hold integers; `data_offsets` two
    /// non-negative integers).
    case invalidField(tensor: String, field: String)
    case unknownDType(tensor: String, dtype: String)
    case negativeDimension(tensor: String, shape: [Int])
    /// The element count or byte size overflows `Int`.
    case shapeTooLarge(tensor: String, shape: [Int])
    /// `data_offsets` has `begin > end`.
    case invalidOffsets(tensor: String, begin: Int, end: Int)
    /// `end - begin` differs from the element count times the dtype size.
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors share bytes.
    case overlap(tensor: String, with: String)
    /// Bytes before `tensor` (from data offset `offset`) belong to no tensor.
    case hole(before: String, offset: Int)
    /// A tensor ends past the end of the data region: the offsets point outside it, which for a
    /// contiguous layout means the file was cut short.
    case truncated(tensor: String, end: Int, dataSize: Int)
    /// The data region has `count` bytes after the last tensor (the spec forbids unindexed bytes).
    case trailingBytes(count: Int)

    public var description: String {
      switch self {
      case .cannotOpen(let m): "cannot open: \(m)"
      case .tooShort(let n): "file of \(n) bytes is too short for the 8-byte header length"
      case .headerTooLarge(let n): "header length \(n) exceeds the 100000000-byte limit"
      case .headerBeyondFile(let n, let size): "header length \(n) runs past the end of a \(size)-byte file"
      case .headerNotUTF8: "header is not valid UTF-8"
      case .headerNotJSON(let m): "header is not JSON: \(m)"
      case .headerNotObject: "header is not a JSON object"
      case .invalidMetadata: "__metadata__ is not an object of strings"
      case .duplicateKey(let k): "key '\(k)' appears twice"
      case .equivalentKeys(let a, let b):
        "keys '\(a)' (\(a.unicodeScalarCodes)) and '\(b)' (\(b.unicodeScalarCodes)) are the same text in different Unicode normalisation forms; both cannot be kept"
      case .entryNotObject(let t): "tensor '\(t)': entry is not an object"
      case .missingField(let t, let f): "tensor '\(t)': missing '\(f)'"
      case .invalidField(let t, let f): "tensor '\(t)': invalid '\(f)'"
      case .unknownDType(let t, let d): "tensor '\(t)': unknown dtype '\(d)'"
      case .negativeDimension(let t, let s): "tensor '\(t)': negative dimension in shape \(s)"
      case .shapeTooLarge(let t, let s): "tensor '\(t)': shape \(s) is too large"
      case .invalidOffsets(let t, let b, let e): "tensor '\(t)': data_offsets [\(b), \(e)] are reversed"
      case .sizeMismatch(let t, let expected, let actual):
        "tensor '\(t)': data_offsets span \(actual) bytes, dtype and shape need \(expected)"
      case .overlap(let t, let other): "tensor '\(t)' overlaps tensor '\(other)'"
      case .hole(let t, let offset): "data bytes from \(offset) up to tensor '\(t)' belong to no tensor"
      case .truncated(let t, let end, let size):
        "tensor '\(t)' ends at data byte \(end), but the data region has \(size) bytes (truncated file?)"
      case .trailingBytes(let n): "\(n) bytes after the last tensor belong to no tensor"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
