#if canImport(Glibc)
import Glibc
#endif

/// A regular file open for positioned reads (`pread(2)` through `Syscalls`), closed on deinit.
/// Reads copy straight into the caller's buffer, so a large read costs no page-cache pages in
/// this process's resident set (a memory map would count them).
final class ReadOnlyFile {
  let fd: Int32
  let size: Int

  /// Opens `path`; throws the failing call's `errno` (`EISDIR` for a directory, `EINVAL` for other
  /// non-regular files).
  init(path: String) throws(SystemError) {
    let fd = try Syscalls.open(path, O_RDONLY | O_NONBLOCK)
    do {
      size = try Syscalls.regularFileSize(fd)
    } catch {
      try? Syscalls.close(fd)
      throw error
    }
    self.fd = fd
  }

  deinit { try? Syscalls.close(fd) }

  /// Fills `buffer` from `offset`; the caller has checked that `offset + buffer.count <= size`.
  func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SystemError) {
    try Syscalls.readAll(fd, into: buffer, at: offset)
  }

  /// `count` bytes from `offset`, or fewer where the file ends first.
  func bytes(at offset: Int, count: Int) throws(SystemError) -> [UInt8] {
    let n = max(0, min(count, size - offset))
    var result = [UInt8](repeating: 0, count: n)
    try result.withUnsafeMutableBytes { raw in Result { () throws(SystemError) in try read(into: raw, at: offset) } }.get()
    return result
  }
}
