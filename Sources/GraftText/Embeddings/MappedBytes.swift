#if canImport(Glibc)
import Glibc
#endif

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
