/// A file could not be written. `path` is the target the caller asked for, not the temporary file.
public struct FileWriteError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The path names no file (empty, or ends in `/`).
    case invalidPath
    /// `open(2)` of the temporary file failed; carries `strerror(errno)`.
    case cannotCreate(String)
    /// The directory to hold the file could not be created; carries the reason.
    case cannotCreateDirectory(String)
    /// `write(2)` failed.
    case writeFailed(String)
    /// `fsync(2)` or `close(2)` of the temporary file failed.
    case syncFailed(String)
    /// `rename(2)` over the target failed.
    case renameFailed(String)
    /// The new file is in place, but `fsync(2)` of its directory failed, so the rename may not
    /// survive a crash.
    case directorySyncFailed(String)

    public var description: String {
      switch self {
      case .invalidPath: "not a file path"
      case .cannotCreate(let m): "cannot create temporary file: \(m)"
      case .cannotCreateDirectory(let m): "cannot create directory: \(m)"
      case .writeFailed(let m): "write failed: \(m)"
      case .syncFailed(let m): "sync failed: \(m)"
      case .renameFailed(let m): "rename failed: \(m)"
      case .directorySyncFailed(let m): "directory sync failed: \(m)"
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
