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
    /// Two class folders whose names differ only in Unicode normalisation (NFC and NFD `café`).
    case equivalentClasses(String, String)

    public var description: String {
      switch self {
      case .notFound: "no such directory"
      case .notADirectory: "not a directory"
      case .unreadable(let m): "cannot list directory: \(m)"
      case .noClasses: "no class folders (expected one sub-directory per class)"
      case .emptyClass: "class folder has no readable PNG images"
      case .equivalentClasses(let a, let b): "class folders \"\(a)\" (\(a.unicodeScalarCodes)) and \"\(b)\" (\(b.unicodeScalarCodes)) are the same text in different Unicode normalisation forms; normalise the names so they are one class, or rename one"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
