#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// SHA-256 digests of files' bytes, computed once per process and file version.
///
/// The feature cache keys items by their content and the dataset health check finds duplicate
/// files by it; both ask `ContentHashes.shared`, so a `train` run that checks its data and then
/// caches features reads each file once for hashing. An entry is reused only while the file's
/// size, modification time and inode are those it was hashed with (a rewritten file is hashed again).
public final class ContentHashes: Sendable {
  /// The process-wide memo.
  public static let shared = ContentHashes()

  struct Stamp: Equatable {
    var size: Int
    var modified: Int
    var modifiedNanoseconds: Int
    var inode: UInt64
  }

  private let memo = Mutex<[String: (Stamp, SHA256.Digest)]>([:])

  public init() {}

  /// The digest of the file at `path`. Throws `FileReadError` when it cannot be read.
  public func digest(of path: String) throws(FileReadError) -> SHA256.Digest {
    let stamp = try Self.stamp(path)
    if let (known, digest) = memo.withLock({ $0[path] }), known == stamp { return digest }
    let digest = try SHA256.hash(file: path)
    memo.withLock { $0[path] = (stamp, digest) }
    return digest
  }

  static func stamp(_ path: String) throws(FileReadError) -> Stamp {
    var s = stat()
    guard stat(path, &s) == 0 else { throw FileReadError(path: path, reason: String(cString: strerror(errno))) }
    guard (s.st_mode & S_IFMT) == S_IFREG else { throw FileReadError(path: path, reason: "not a regular file") }
    return Stamp(size: Int(s.st_size), modified: Int(s.st_mtim.tv_sec), modifiedNanoseconds: Int(s.st_mtim.tv_nsec),
                 inode: UInt64(s.st_ino))
  }
}

/// A dataset whose items can be named by their content, so features computed from them can be
/// cached across runs (`FeatureStore`).
///
/// `contentKey(at:)` must change whenever the item's input could: typically the SHA-256 of the
/// source file's bytes plus the item's place in the file (an audio clip yields several patches).
/// `preprocessingKey` describes everything between the file and the base's input (size,
/// normalisation, resizing, front end); it must differ whenever the same file would give the base
/// a different input. A random dataset (augmentation) must not conform, or return nil keys.
public protocol ContentKeyedDataset: Dataset {
  /// The content key of item `index`, or nil when it cannot be named (the item is then computed
  /// and not cached).
  func contentKey(at index: Int) -> String?
  /// What turns a file into the base's input, as a stable string.
  var preprocessingKey: String { get }
}

extension Subset: ContentKeyedDataset where Base: ContentKeyedDataset {
  public func contentKey(at index: Int) -> String? { base.contentKey(at: indices[index]) }
  public var preprocessingKey: String { base.preprocessingKey }
}
