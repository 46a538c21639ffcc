#if canImport(Glibc)
import Glibc
#endif

/// Reads a regular file front to back through one reusable buffer filled by `read(2)`, for the
/// word2vec binary reader: nothing is memory-mapped, so the process's resident memory holds
/// the buffer (a few MiB) and what the caller keeps, never the file's pages. Large payloads
/// skip the buffer: `copy(into:count:)` hands out what is buffered and reads the rest straight
/// into the caller's memory.
///
/// The unread bytes are `buffer[start..<end]`; `offset` is the file offset of `buffer[start]`.
final class ChunkReader {
  let path: String
  private let fd: Int32
  /// The file size `fstat` reported when it was opened.
  let size: Int
  private(set) var buffer: UnsafeMutablePointer<UInt8>
  private(set) var capacity: Int
  var start = 0
  private(set) var end = 0
  /// File offset of `buffer[0]`.
  private var base = 0

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

  /// File offset of the next unread byte.
  var offset: Int { base + start }
  /// Unread bytes in the buffer.
  var buffered: Int { end - start }

  /// Moves the unread bytes to the front (doubling the buffer when they fill it) and reads
  /// more after them. Returns false at the end of the file. Pointers into the buffer are
  /// invalid afterwards; indices relative to `start` stay valid.
  func fill() throws(EmbeddingFormatError) -> Bool {
    if start > 0 {
      if end > start { buffer.update(from: buffer + start, count: end - start) }
      base += start
      end -= start
      start = 0
    }
    if end == capacity {
      let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
      bigger.update(from: buffer, count: end)
      buffer.deallocate()
      buffer = bigger
      capacity *= 2
    }
    let n = try readSome(buffer + end, capacity - end)
    end += n
    return n > 0
  }

  /// Where the first `byte` of the unread data is, relative to `start`, reading more as needed;
  /// nil when the file ends first or `limit` bytes were searched without it.
  func find(_ byte: UInt8, limit: Int = .max) throws(EmbeddingFormatError) -> Int? {
    var searched = 0
    while true {
      if let hit = memchr(buffer + start + searched, Int32(byte), buffered - searched) {
        return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self)) - start
      }
      searched = buffered
      guard searched < limit, try fill() else { return nil }
    }
  }

  /// Copies the next `count` bytes to `target`: the buffered ones, then the rest by `read(2)`
  /// straight into `target`. Returns how many were copied (fewer only at the end of the file).
  func copy(into target: UnsafeMutableRawPointer, count: Int) throws(EmbeddingFormatError) -> Int {
    let fromBuffer = min(count, end - start)
    target.copyMemory(from: buffer + start, byteCount: fromBuffer)
    start += fromBuffer
    var copied = fromBuffer
    if copied < count {
      // The buffer is drained: restart it at the file offset after the direct reads.
      base += end
      start = 0
      end = 0
      while copied < count {
        let n = try readSome(target + copied, count - copied)
        if n == 0 { break }
        copied += n
        base += n
      }
    }
    return copied
  }

  /// One `read(2)` of up to `count` bytes, retried on `EINTR`/`EAGAIN`; 0 at the end of the file.
  private func readSome(_ target: UnsafeMutableRawPointer, _ count: Int) throws(EmbeddingFormatError) -> Int {
    var n: Int
    repeat { n = Glibc.read(fd, target, count) } while n < 0 && (errno == EINTR || errno == EAGAIN)
    if n < 0 { throw EmbeddingFormatError(path: path, reason: .readFailed(FileAccess.message(errno))) }
    return n
  }
}
