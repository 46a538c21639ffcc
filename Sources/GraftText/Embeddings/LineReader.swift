#if canImport(Glibc)
import Glibc
#endif

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
