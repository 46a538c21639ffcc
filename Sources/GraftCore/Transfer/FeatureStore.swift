#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Features of a frozen base kept on disk across runs, one file per item.
///
/// An entry is named by the SHA-256 of its *context* (the base's architecture and weights and the
/// preprocessing that turns a file into the base's input: `FeatureStoreSession`) and its item's
/// *content key* (the SHA-256 of the source file's bytes and the item's place in it:
/// `ContentKeyedDataset`). Change a pixel, a weight, the input size or the normalisation and the
/// name changes, so nothing stale is looked up. Each entry also carries its context, key, shape
/// and a SHA-256 of all of it; a read that finds a damaged or truncated file, another context or
/// key (a name collision), or a shape other than the base's output deletes the entry and reports
/// a miss, so the item is recomputed: an entry is never trusted on its name alone.
///
/// Writes go to a temporary file in the same directory that is then `rename(2)`d into place, so a
/// concurrent reader (another run) sees no entry or a whole one. Entries are not `fsync`ed (a
/// power cut can leave a torn entry, which its checksum rejects). A hit refreshes the entry's
/// modification time; when the store grows past `limitBytes`, the least recently used entries
/// are deleted (`evict()`).
///
/// The context does not see Graft's own code: a change to how files become inputs (the PNG
/// decoder, resizing, the log-mel front end's arithmetic) must bump the version in the folder
/// name and in `FeatureStoreSession`'s fingerprint, so old entries are no longer found.
///
/// Layout: `directory/features-v1/<64 hex digits>.f32`. Entry: `"GRFTFEA1"`, UInt32 header
/// length, header (UTF-8 `context\nkey`), UInt32 rank, Int64 dims, Float32 values, then the
/// 32-byte SHA-256 of everything before it; integers little-endian.
public struct FeatureStore: Sendable {
  /// The root (`$GRAFT_CACHE_DIR`, else `$XDG_CACHE_HOME/graft`, else `~/.cache/graft`).
  public let directory: String
  public let limitBytes: Int
  /// Counters of this process's use, for the run's summary.
  public let statistics: FeatureStoreStatistics

  /// 2 GiB.
  public static let defaultLimitBytes = 2 << 30
  static let magic = Array("GRFTFEA1".utf8)
  static let folder = "features-v1"
  static let suffix = ".f32"

  public init(directory: String = FeatureStore.defaultDirectory(), limitBytes: Int = FeatureStore.defaultLimitBytes) {
    precondition(limitBytes >= 0, "FeatureStore: limit \(limitBytes)")
    self.directory = directory
    self.limitBytes = limitBytes
    statistics = FeatureStoreStatistics()
  }

  /// `$GRAFT_CACHE_DIR`, else `$XDG_CACHE_HOME/graft`, else `$HOME/.cache/graft` (else `/tmp/graft-cache`).
  public static func defaultDirectory(environment: (String) -> String? = FeatureStore.environment) -> String {
    if let dir = environment("GRAFT_CACHE_DIR"), !dir.isEmpty { return dir }
    if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return xdg + "/graft" }
    if let home = environment("HOME"), !home.isEmpty { return home + "/.cache/graft" }
    return "/tmp/graft-cache"
  }

  public static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

  /// The directory holding the entries.
  public var entriesDirectory: String { directory + "/" + Self.folder }

  func path(context: String, key: String) -> String {
    entriesDirectory + "/" + SHA256.hash(Array((context + "\n" + key).utf8)).hex + Self.suffix
  }

  // MARK: Entries

  /// The features stored for `key` under `context`, when an entry exists and checks out (shape
  /// `shape` when given); nil otherwise. A damaged, foreign or mis-shaped entry is deleted.
  public func read(context: String, key: String, shape: [Int]?) -> [Float]? {
    let path = path(context: context, key: key)
    guard let bytes = Self.readFile(path) else { return nil }
    guard let values = Self.decode(bytes, header: context + "\n" + key, shape: shape) else {
      unlink(path)
      statistics.count(\.rejected)
      return nil
    }
    _ = utimensat(AT_FDCWD, path, nil, 0)  // now: most recently used
    return values
  }

  /// Stores `values` (of `shape`) for `key` under `context`: a temporary file, then a rename.
  public func write(context: String, key: String, shape: [Int], values: UnsafeBufferPointer<Float>) throws(FileWriteError) {
    precondition(values.count == shape.reduce(1, *), "FeatureStore: \(values.count) values for shape \(shape)")
    let path = path(context: context, key: key)
    try Self.makeDirectories(entriesDirectory, target: path)
    let bytes = Self.encode(header: context + "\n" + key, shape: shape, values: values)
    let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileWriteError(path: path, reason: .cannotCreate(Self.errorMessage())) }
    let failure = bytes.withUnsafeBytes { (raw) -> SystemError? in
      do throws(SystemError) { try Syscalls.writeAll(fd, raw) } catch { return error }
      return nil
    }
    if let failure {
      close(fd)
      unlink(temporary)
      throw FileWriteError(path: path, reason: .writeFailed(failure.message))
    }
    close(fd)
    guard rename(temporary, path) == 0 else {
      let message = Self.errorMessage()
      unlink(temporary)
      throw FileWriteError(path: path, reason: .renameFailed(message))
    }
    statistics.count(\.written)
  }

  static func encode(header: String, shape: [Int], values: UnsafeBufferPointer<Float>) -> [UInt8] {
    var bytes = magic
    let headerBytes = Array(header.utf8)
    func append<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    append(UInt32(headerBytes.count))
    bytes += headerBytes
    append(UInt32(shape.count))
    for d in shape { append(Int64(d)) }
    for v in values { append(v.bitPattern) }
    bytes += SHA256.hash(bytes).bytes
    return bytes
  }

  /// The values of an entry whose checksum, header and shape check out; nil otherwise.
  static func decode(_ bytes: [UInt8], header: String, shape: [Int]?) -> [Float]? {
    guard bytes.count >= magic.count + 8 + 32 else { return nil }
    let body = bytes.count - 32
    guard SHA256.hash(Array(bytes[..<body])).bytes.elementsEqual(bytes[body...]) else { return nil }
    return bytes.withUnsafeBytes { raw -> [Float]? in
      var offset = 0
      func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, n <= body - offset else { return nil }
        defer { offset += n }
        return UnsafeRawBufferPointer(rebasing: raw[offset..<offset + n])
      }
      func uint32() -> Int? { take(4).map { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) } }
      guard let m = take(magic.count), m.elementsEqual(magic), let headerCount = uint32(),
            let h = take(headerCount), h.elementsEqual(header.utf8), let rank = uint32(), rank <= 8 else { return nil }
      var dims: [Int] = []
      for _ in 0..<rank {
        guard let d = take(8).map({ Int64(littleEndian: $0.loadUnaligned(as: Int64.self)) }), d >= 0, d <= 1 << 30 else {
          return nil
        }
        dims.append(Int(d))
      }
      if let shape, dims != shape { return nil }
      var count = 1
      for d in dims {
        let (product, overflow) = count.multipliedReportingOverflow(by: d)
        guard !overflow else { return nil }
        count = product
      }
      guard count * 4 == body - offset, let data = take(count * 4) else { return nil }
      return (0..<count).map { Float(bitPattern: UInt32(littleEndian: data.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
  }

  // MARK: Size

  /// What the store holds: entries and their bytes (temporaries of running writes not counted).
  public struct Info: Equatable, Sendable {
    public var directory: String
    public var entries: Int
    public var bytes: Int
    public var limitBytes: Int
  }

  struct Entry {
    var name: String
    var bytes: Int
    var used: (Int, Int)  // modification time: seconds, nanoseconds
  }

  /// The entries on disk (none when the directory does not exist).
  func entries() -> [Entry] {
    guard let dir = opendir(entriesDirectory) else { return [] }
    defer { closedir(dir) }
    var out: [Entry] = []
    while let e = readdir(dir) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name.hasSuffix(Self.suffix) else { continue }
      var s = stat()
      guard stat(entriesDirectory + "/" + name, &s) == 0 else { continue }
      out.append(Entry(name: name, bytes: Int(s.st_size), used: (Int(s.st_mtim.tv_sec), Int(s.st_mtim.tv_nsec))))
    }
    return out
  }

  public func info() -> Info {
    let all = entries()
    return Info(directory: directory, entries: all.count, bytes: all.reduce(0) { $0 + $1.bytes }, limitBytes: limitBytes)
  }

  /// Deletes least recently used entries until the store fits `limitBytes`, and temporaries
  /// older than an hour (left by a killed run). Returns how many entries went.
  @discardableResult
  public func evict() -> Int {
    removeStaleTemporaries(olderThan: 3600)
    var all = entries()
    var total = all.reduce(0) { $0 + $1.bytes }
    guard total > limitBytes else { return 0 }
    all.sort { $0.used < $1.used || ($0.used == $1.used && $0.name < $1.name) }
    var removed = 0
    for e in all where total > limitBytes {
      if unlink(entriesDirectory + "/" + e.name) == 0 { removed += 1 }
      total -= e.bytes
    }
    statistics.add(removed, to: \.evicted)
    return removed
  }

  /// Deletes every entry (and temporary). Returns the entries and bytes removed.
  @discardableResult
  public func clear() -> (entries: Int, bytes: Int) {
    var removed = 0, bytes = 0
    for e in entries() where unlink(entriesDirectory + "/" + e.name) == 0 {
      removed += 1
      bytes += e.bytes
    }
    removeStaleTemporaries(olderThan: 0)
    return (removed, bytes)
  }

  func removeStaleTemporaries(olderThan seconds: Int) {
    guard let dir = opendir(entriesDirectory) else { return }
    defer { closedir(dir) }
    let now = time(nil)
    while let e = readdir(dir) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard name.contains(Self.suffix + ".tmp-") else { continue }
      var s = stat()
      let path = entriesDirectory + "/" + name
      if stat(path, &s) == 0, Int(now) - Int(s.st_mtim.tv_sec) >= seconds { unlink(path) }
    }
  }

  // MARK: Files

  static func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var s = stat()
    guard fstat(fd, &s) == 0, s.st_size <= 1 << 30 else { return nil }
    guard s.st_size > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: Int(s.st_size))
    let ok = bytes.withUnsafeMutableBytes { (raw) -> Bool in
      do { try Syscalls.readAll(fd, into: raw, at: 0) } catch { return false }
      return true
    }
    return ok ? bytes : nil
  }

  /// `mkdir -p` of `directory` (errors name `target`).
  static func makeDirectories(_ directory: String, target: String) throws(FileWriteError) {
    var s = stat()
    if stat(directory, &s) == 0 { return }
    var prefix = directory.hasPrefix("/") ? "" : "."
    for part in directory.split(separator: "/") {
      prefix += "/" + part
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw FileWriteError(path: target, reason: .cannotCreateDirectory("\(prefix): \(errorMessage())"))
      }
    }
  }

  static func errorMessage() -> String { String(cString: strerror(errno)) }
}

/// What one process did with a `FeatureStore`: items found, computed, written, rejected
/// (damaged or stale, then recomputed), evicted, and the first write failure (the cache is an
/// optimisation: a failed write is reported, never fatal).
public final class FeatureStoreStatistics: Sendable {
  public struct Counts: Equatable, Sendable {
    public var hits = 0
    public var misses = 0
    public var written = 0
    public var rejected = 0
    public var evicted = 0
    public var writeFailure: String? = nil
  }

  private let counts = Mutex(Counts())

  public var snapshot: Counts { counts.withLock { $0 } }

  func count(_ field: WritableKeyPath<Counts, Int>) { add(1, to: field) }
  func add(_ n: Int, to field: WritableKeyPath<Counts, Int>) { counts.withLock { $0[keyPath: field] += n } }
  func failed(_ message: String) { counts.withLock { if $0.writeFailure == nil { $0.writeFailure = message } } }
}
