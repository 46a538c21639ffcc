#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: `errno` and the message `strerror` gives for it.
struct SystemError: Error, Equatable {
  let code: Int32
  var message: String { String(cString: strerror(code)) }

  /// The current `errno`.
  static var current: SystemError { SystemError(code: errno) }
}

/// Every POSIX call the IO layer makes goes through here (as swift-system's `Syscalls.swift`):
/// each wrapper names its C function, retries `EINTR`, and turns `-1` into a thrown `SystemError`.
enum Syscalls {
  /// The corresponding C function is `open(2)`; `O_CLOEXEC` is always added.
  static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(SystemError) -> Int32 {
    while true {
      let fd = path.withCString { Glibc.open($0, flags | O_CLOEXEC, mode) }
      if fd >= 0 { return fd }
      if errno != EINTR { throw .current }
    }
  }

  /// The corresponding C function is `write(2)`, called until every byte is written.
  static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
    guard var next = bytes.baseAddress else { return }
    var remaining = bytes.count
    while remaining > 0 {
      let n = Glibc.write(fd, next, Swift.min(remaining, 1 << 30))
      if n < 0 {
        if errno == EINTR { continue }
        throw .current
      }
      if n == 0 { throw SystemError(code: EIO) }
      next += n
      remaining -= n
    }
  }

  /// The corresponding C function is `pread(2)`, called until `buffer` is full. A file that ends
  /// first throws `EIO` (callers check sizes before reading, so that means the file shrank).
  static func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemError) {
    guard var next = buffer.baseAddress else { return }
    var remaining = buffer.count
    var position = offset
    while remaining > 0 {
      let n = Glibc.pread(fd, next, Swift.min(remaining, 1 << 30), off_t(position))
      if n < 0 {
        if errno == EINTR { continue }
        throw .current
      }
      if n == 0 { throw SystemError(code: EIO) }
      next += n
      remaining -= n
      position += n
    }
  }

  /// The corresponding C function is `fsync(2)`.
  static func fsync(_ fd: Int32) throws(SystemError) {
    while Glibc.fsync(fd) != 0 {
      if errno != EINTR { throw .current }
    }
  }

  /// The corresponding C function is `close(2)`. Never retried: on Linux the descriptor is gone
  /// even when `close` reports `EINTR`.
  static func close(_ fd: Int32) throws(SystemError) {
    if Glibc.close(fd) != 0 && errno != EINTR { throw .current }
  }

  /// The corresponding C function is `rename(2)`.
  static func rename(_ from: String, _ to: String) throws(SystemError) {
    let status = from.withCString { f in to.withCString { t in Glibc.rename(f, t) } }
    if status != 0 { throw .current }
  }

  /// Swaps two paths atomically (`renameat2(2)` with `RENAME_EXCHANGE`, Linux 3.15+): at every
  /// moment each name holds one of the two entries, so a process killed mid-swap leaves either
  /// the old or the new one at `to`, never neither. Glibc declares `renameat2` only under
  /// `_GNU_SOURCE`, which Swift's Glibc module does not define, so it is looked up with `dlsym`;
  /// where it is missing, or the file system cannot exchange (`EINVAL`), this throws `ENOSYS` /
  /// `EINVAL` and the caller falls back.
  static func exchange(_ from: String, _ to: String) throws(SystemError) {
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    guard let symbol = renameat2Symbol else { throw SystemError(code: ENOSYS) }
    let call = unsafeBitCast(symbol, to: RenameAt2.self)
    let renameExchange: UInt32 = 1 << 1  // RENAME_EXCHANGE, <linux/fs.h>
    let status = from.withCString { f in to.withCString { t in call(AT_FDCWD, f, AT_FDCWD, t, renameExchange) } }
    if status != 0 { throw .current }
  }

  /// `renameat2` from the C library, looked up once (`RTLD_DEFAULT` is the null handle on glibc).
  nonisolated(unsafe) private static let renameat2Symbol: UnsafeMutableRawPointer? = dlsym(nil, "renameat2")

  /// `fsync(2)` on a directory, so renames in it survive a crash; failures are ignored.
  static func syncDirectoryIgnoringErrors(_ path: String) {
    guard let fd = try? open(path, O_RDONLY | O_DIRECTORY) else { return }
    try? fsync(fd)
    try? close(fd)
  }

  /// The corresponding C function is `unlink(2)`; failures are ignored (used for clean-up only).
  static func unlinkIgnoringErrors(_ path: String) {
    _ = path.withCString { Glibc.unlink($0) }
  }

  /// The size of a regular file, from `fstat(2)`. Anything else (a directory, a pipe) throws
  /// `EISDIR` or `EINVAL`, so callers never map or read a non-file.
  static func regularFileSize(_ fd: Int32) throws(SystemError) -> Int {
    var info = stat()
    if fstat(fd, &info) != 0 { throw .current }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return Int(info.st_size)
    case S_IFDIR: throw SystemError(code: EISDIR)
    default: throw SystemError(code: EINVAL)
    }
  }

  /// The corresponding C function is `mmap(2)` with `PROT_READ` and `MAP_PRIVATE`.
  static func mapReadOnly(_ fd: Int32, count: Int) throws(SystemError) -> UnsafeRawPointer {
    guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw .current
    }
    return UnsafeRawPointer(p)
  }

  /// The corresponding C function is `munmap(2)`.
  static func unmap(_ pointer: UnsafeRawPointer, count: Int) {
    _ = munmap(UnsafeMutableRawPointer(mutating: pointer), count)
  }
}
