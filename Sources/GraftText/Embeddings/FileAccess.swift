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

/// A regular file mapped read-only (`mmap(2)`, `PROT_READ`, `MAP_PRIVATE`), unmapped
/// (`munmap(2)`) on deinit. An empty file has an empty buffer and no mapping. The readers copy
/// everything they keep out of the mapping before returning.
final class MappedBytes {
  let bytes: UnsafeRawBufferPointer

  init(path: String) throws(EmbeddingFormatError) {
    let (fd, size) = try FileAccess.openRegularFile(path)
    defer { _ = Glibc.close(fd) }
    if size == 0 {
      bytes = UnsafeRawBufferPointer(start: nil, count: 0)
      return
    }
    guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
      throw EmbeddingFormatError(path: path, reason: .cannotOpen(FileAccess.message(errno)))
    }
    bytes = UnsafeRawBufferPointer(start: p, count: size)
  }

  deinit {
    if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
  }
}

/// Streams a file line by line through one growing buffer filled by `read(2)`: memory stays at
/// the longest line (at least 1 MiB), whatever the file's size. Each line is handed out without
/// its `\n` and NUL-terminated in place, so C parsers (`strtod`) can read it.
final class LineReader {
  private let path: String
  private let fd: Int32
  private var buffer: UnsafeMutablePointer<UInt8>
  private var capacity: Int
  private var start = 0
  private var end = 0
  private var atEOF = false
  /// 1-based number of the line last returned.
  private(set) var lineNumber = 0
  /// The file size `fstat` reported when it was opened.
  let size: Int

  init(path: String, bufferSize: Int = 1 << 20) throws(EmbeddingFormatError) {
    self.path = path
    (fd, size) = try FileAccess.openRegularFile(path)
    capacity = max(bufferSize, 16)
    buffer = .allocate(capacity: capacity)
  }

  deinit {
    _ = Glibc.close(fd)
    buffer.deallocate()
  }

  /// The next line (without `\n`, NUL at `line.count`), or nil at the end of the file. The
  /// buffer is valid until the next call.
  func next() throws(EmbeddingFormatError) -> UnsafeMutableBufferPointer<UInt8>? {
    var searchFrom = start
    while true {
      if let hit = memchr(buffer + searchFrom, 0x0A, end - searchFrom) {
        let newline = buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        buffer[newline] = 0
        let line = UnsafeMutableBufferPointer(start: buffer + start, count: newline - start)
        start = newline + 1
        lineNumber += 1
        return line
      }
      if atEOF {
        guard start < end else { return nil }
        if end == capacity { grow() }
        buffer[end] = 0
        let line = UnsafeMutableBufferPointer(start: buffer + start, count: end - start)
        start = end
        lineNumber += 1
        return line
      }
      // Keep the partial line, make room, read more.
      if start > 0 {
        (buffer).update(from: buffer + start, count: end - start)
        end -= start
        start = 0
      }
      if end == capacity { grow() }
      searchFrom = end
      var n: Int
      repeat {
        n = Glibc.read(fd, buffer + end, capacity - end)
      } while n < 0 && errno == EINTR
      if n < 0 {
        if errno == EAGAIN { continue }
        throw EmbeddingFormatError(path: path, reason: .readFailed(FileAccess.message(errno)))
      }
      if n == 0 { atEOF = true } else { end += n }
    }
  }

  private func grow() {
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
    bigger.update(from: buffer, count: end)
    buffer.deallocate()
    buffer = bigger
    capacity *= 2
  }
}
