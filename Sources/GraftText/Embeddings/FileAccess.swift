#if canImport(Glibc)
import Glibc
#endif

/// The POSIX calls the embedding readers make, each named after its C function; `-1` becomes
/// `EmbeddingFormatError.Reason.cannotOpen` or `.readFailed` with `strerror(errno)`.
enum FileAccess {
  static func message(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// `open(2)` with `O_RDONLY | O_CLOEXEC | O_NONBLOCK` (so a FIFO cannot block), then `fstat(2)`:
  /// anything but a regular file fails (`EISDIR`, `EINVAL`). Returns the descriptor and size.
  static func openRegularFile(_ path: String) throws(EmbeddingFormatError) -> (fd: Int32, size: Int) {
    var fd: Int32
    repeat {
      fd = path.withCString { Glibc.open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
    } while fd < 0 && errno == EINTR
    if fd < 0 { throw EmbeddingFormatError(path: path, reason: .cannotOpen(message(errno))) }
    var info = stat()
    if fstat(fd, &info) != 0 {
      let code = errno
      _ = Glibc.close(fd)
      throw EmbeddingFormatError(path: path, reason: .cannotOpen(message(code)))
    }
    let kind = info.st_mode & S_IFMT
    if kind != S_IFREG {
      _ = Glibc.close(fd)
      throw EmbeddingFormatError(path: path, reason: .cannotOpen(message(kind == S_IFDIR ? EISDIR : EINVAL)))
    }
    return (fd, Int(info.st_size))
  }
}

extension FileAccess {
  /// The number of lines in `path` (newlines, plus one for an unterminated last line), counted
  /// with `read(2)` and `memchr(3)` over 1 MiB chunks: an exact row bound for headerless files.
  static func countLines(_ path: String) throws(EmbeddingFormatError) -> Int {
    let (fd, _) = try openRegularFile(path)
    defer { _ = Glibc.close(fd) }
    let size = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    var lines = 0
    var last: UInt8 = 0x0A
    while true {
      var n: Int
      repeat { n = Glibc.read(fd, buffer, size) } while n < 0 && (errno == EINTR || errno == EAGAIN)
      if n < 0 { throw EmbeddingFormatError(path: path, reason: .readFailed(message(errno))) }
      if n == 0 { break }
      var p = buffer
      let end = buffer + n
      while let hit = memchr(p, 0x0A, p.distance(to: end)) {
        lines += 1
        p = hit + 1
      }
      last = buffer.load(fromByteOffset: n - 1, as: UInt8.self)
    }
    return last == 0x0A ? lines : lines + 1
  }
}
