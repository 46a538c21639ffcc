#if canImport(Glibc)
import Glibc
#endif

/// A regular file mapped read-only (`mmap(2)` with `PROT_READ`, `MAP_PRIVATE`), unmapped on deinit.
///
/// The bytes are valid while the value lives. An empty file has an empty buffer and no mapping.
/// As with any mapping, a file truncated by another process while mapped raises `SIGBUS`;
/// the readers copy what they need out before returning.
struct MappedFile: ~Copyable {
  let bytes: UnsafeRawBufferPointer

  /// Opens, sizes and maps `path`. Throws the failing call's `errno` (`EISDIR` for a directory,
  /// `EINVAL` for other non-regular files). `O_NONBLOCK` keeps a FIFO from blocking the open;
  /// it changes nothing for regular files.
  init(path: String) throws(SystemError) {
    let fd = try Syscalls.open(path, O_RDONLY | O_NONBLOCK)
    defer { try? Syscalls.close(fd) }
    let size = try Syscalls.regularFileSize(fd)
    if size == 0 {
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    } else {
      bytes = UnsafeRawBufferPointer(start: try Syscalls.mapReadOnly(fd, count: size), count: size)
    }
  }

  deinit {
    if let base = bytes.baseAddress { Syscalls.unmap(base, count: bytes.count) }
  }
}
