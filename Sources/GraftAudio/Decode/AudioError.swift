/// An audio file could not be read. Reasons from libsndfile carry its message (`sf_strerror`).
public struct AudioError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case missing
    /// The path exists but cannot be read as a file (a directory, no permission); carries why.
    case cannotOpen(String)
    /// The file has zero bytes.
    case empty
    /// The file ends before the audio its header declares; carries what was expected and found.
    case truncated(String)
    /// libsndfile recognises no audio format in the file (`SF_ERR_UNRECOGNISED_FORMAT`).
    case notAudio(String)
    /// A format libsndfile knows but cannot decode here (`SF_ERR_UNSUPPORTED_ENCODING`).
    case unsupported(String)
    /// The header or the encoded data is corrupt (`SF_ERR_MALFORMED_FILE`, decoder errors).
    case malformed(String)

    public var description: String {
      switch self {
      case .missing: "no such file"
      case .cannotOpen(let m): "cannot open: \(m)"
      case .empty: "empty file"
      case .truncated(let m): "truncated: \(m)"
      case .notAudio(let m): "not an audio file: \(m)"
      case .unsupported(let m): "unsupported audio encoding: \(m)"
      case .malformed(let m): "malformed audio file: \(m)"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
