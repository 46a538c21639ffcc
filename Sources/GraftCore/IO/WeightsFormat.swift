#if canImport(Glibc)
import Glibc
#endif

/// The kinds of file a pretrained base can come from, told apart by their content (magic
/// bytes), never by the extension alone: a user's `model.bin` may be any of them.
public enum WeightsFormat: String, Sendable, Equatable, CaseIterable {
  /// A Graft model bundle (a directory holding `config.json` and `model.safetensors`).
  case bundle
  /// safetensors: an 8-byte little-endian header length, then a JSON object.
  case safetensors
  /// A `torch.save` zip archive (PyTorch ≥ 1.6): `PK\u{3}\u{4}`.
  case pytorch
  /// A TFLite flatbuffer: the file identifier `TFL3` at bytes 4–8.
  case tflite

  /// What the file at `path` holds, from its first bytes. A legacy (pre-1.6, non-zip) PyTorch
  /// file, a NumPy array and anything else are errors that say what was found.
  public static func detect(_ path: String) throws(WeightsFormatError) -> WeightsFormat {
    var status = stat()
    guard stat(path, &status) == 0 else {
      throw WeightsFormatError(path: path, reason: .cannotOpen(String(cString: strerror(errno))))
    }
    if (status.st_mode & S_IFMT) == S_IFDIR { return .bundle }
    let head: [UInt8]
    do {
      head = try Self.firstBytes(path, count: 16)
    } catch {
      throw WeightsFormatError(path: path, reason: .cannotOpen(error.message))
    }
    return try classify(head, fileSize: Int(status.st_size), path: path)
  }

  /// The format `head` (a file's first bytes, up to 16) announces.
  public static func classify(_ head: [UInt8], fileSize: Int, path: String) throws(WeightsFormatError) -> WeightsFormat {
    if head.count >= 4 && head[0] == 0x50 && head[1] == 0x4B && (head[2] == 3 || head[2] == 5) && head[3] == head[2] + 1 {
      return .pytorch
    }
    if head.count >= 8 && Array(head[4..<8]) == Array("TFL3".utf8) { return .tflite }
    if head.count >= 9 {
      var length: UInt64 = 0
      for i in (0..<8).reversed() { length = length << 8 | UInt64(head[i]) }
      if head[8] == UInt8(ascii: "{") && length >= 2 && length <= UInt64(max(fileSize - 8, 0)) { return .safetensors }
    }
    if head.count >= 2 && head[0] == 0x80 && head[1] <= 5 { throw WeightsFormatError(path: path, reason: .legacyPyTorch) }
    if head.count >= 6 && Array(head[0..<6]) == [0x93] + Array("NUMPY".utf8) {
      throw WeightsFormatError(path: path, reason: .unrecognised("a NumPy .npy array, not a network's weights"))
    }
    let shown = head.prefix(8).map { b in b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "." }.joined()
    throw WeightsFormatError(path: path, reason: .unrecognised(
      head.isEmpty ? "an empty file" : "first bytes \"\(shown)\" are not safetensors, a torch.save zip, TFLite or a bundle"))
  }

  static func firstBytes(_ path: String, count: Int) throws(SystemError) -> [UInt8] {
    let fd = try Syscalls.open(path, O_RDONLY | O_NONBLOCK)
    defer { try? Syscalls.close(fd) }
    var buffer = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, count - filled) }
      if n < 0 { if errno == EINTR { continue }; throw .current }
      if n == 0 { break }
      filled += n
    }
    return Array(buffer.prefix(filled))
  }
}

/// A file given as a base could not be identified.
public struct WeightsFormatError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case cannotOpen(String)
    /// A pickle stream without the zip container: PyTorch's format before 1.6.
    case legacyPyTorch
    case unrecognised(String)
  }
  public let path: String
  public let reason: Reason

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String {
    switch reason {
    case .cannotOpen(let why): return "\(path): cannot open: \(why)"
    case .legacyPyTorch:
      return "\(path): a legacy (pre-1.6) PyTorch file; re-save it as a zip archive with PyTorch ≥ 1.6: "
        + "torch.save(torch.load(path, weights_only=True), new_path)"
    case .unrecognised(let what): return "\(path): not a weights file: \(what)"
    }
  }
}
