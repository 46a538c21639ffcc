/// An image folder could not be used as a dataset: the directory at fault and why.
public struct ImageFolderError: Error, Equatable, Sendable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case notFound
    /// The path exists but is not a directory.
    case notADirectory
    /// The directory could not be listed; carries the system's message.
    case unreadable(String)
    /// The root holds no class sub-directories.
    case noClasses
    /// A class directory holds no readable PNG file (every file it had is in the scan report).
    case emptyClass

    public var description: String {
      switch self {
      case .notFound: "no such directory"
      case .notADirectory: "not a directory"
      case .unreadable(let m): "cannot list directory: \(m)"
      case .noClasses: "no class folders (expected one sub-directory per class)"
      case .emptyClass: "class folder has no readable PNG images"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
