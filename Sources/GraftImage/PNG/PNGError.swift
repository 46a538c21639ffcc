/// A PNG file could not be read or written: the file the caller named and why.
///
/// Decoding errors come from libpng's classic reader through the `CPNG` guard (its message is kept
/// verbatim in `corrupt`), so the reasons match what `pngfix` or `pngcheck` would say.
public struct PNGError: Error, Equatable, Sendable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// No file at the path (`ENOENT`).
    case fileNotFound
    /// `fopen(3)` failed for another reason; carries `strerror(errno)`.
    case unreadable(String)
    /// The first eight bytes are not the PNG signature (or the file is shorter).
    case notPNG(String)
    /// libpng rejected the data (bad CRC, bad zlib stream, bad IHDR, truncated file …);
    /// carries libpng's message.
    case corrupt(String)
    /// A valid PNG that this operation does not handle (e.g. encoding 16-bit samples).
    case unsupported(String)
    /// The image is larger than the decoder will allocate, or memory ran out.
    case tooLarge(String)
    /// The encoded file could not be written (the `AtomicFile` error's reason).
    case writeFailed(String)

    public var description: String {
      switch self {
      case .fileNotFound: "no such file"
      case .unreadable(let m): "cannot open: \(m)"
      case .notPNG(let m): "not a PNG file (\(m))"
      case .corrupt(let m): "corrupt PNG: \(m)"
      case .unsupported(let m): "unsupported PNG: \(m)"
      case .tooLarge(let m): "image too large: \(m)"
      case .writeFailed(let m): "cannot write PNG: \(m)"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
