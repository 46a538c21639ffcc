#if canImport(Glibc)
import Glibc
#endif

/// A 64-byte-aligned, heap-allocated buffer of `Float` that a `Tensor` owns.
///
/// Storage is a reference type so that in-place updates (optimizer steps,
/// gradient accumulation) reach every tensor that shares it.
public final class Storage: @unchecked Sendable {
  public let count: Int
  public let pointer: UnsafeMutablePointer<Float>

  /// Alignment of every allocation, in bytes (one cache line, one AVX-512 vector).
  public static let alignment = 64

  /// Allocates `count` floats, uninitialised. Callers must write every element.
  public init(uninitializedCount count: Int) {
    precondition(count >= 0, "Storage: negative count \(count)")
    self.count = count
    let bytes = Storage.byteCount(count)
    let raw = StorageCache.take(bytes: bytes) ?? Storage.allocateFresh(bytes)
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
  }

  /// Allocates `count` floats, all equal to `value`.
  public convenience init(count: Int, repeating value: Float) {
    self.init(uninitializedCount: count)
    pointer.initialize(repeating: value, count: count)
  }

  deinit {
    StorageCache.give(UnsafeMutableRawPointer(pointer), bytes: Storage.byteCount(count))
  }

  static func byteCount(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }

  /// A new allocation. Large ones are advised to use transparent huge pages
  /// (`madvise(MADV_HUGEPAGE)`, as NumPy does) before they are first touched:
  /// filling fresh memory otherwise costs a page fault per 4 KiB.
  static func allocateFresh(_ bytes: Int) -> UnsafeMutableRawPointer {
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Storage.alignment)
    let huge = 2 << 20
    if bytes >= 4 * huge {
      let start = (Int(bitPattern: raw) + huge - 1) & ~(huge - 1)
      let end = (Int(bitPattern: raw) + bytes) & ~(huge - 1)
      if end > start, let p = UnsafeMutableRawPointer(bitPattern: start) { _ = madvise(p, end - start, MADV_HUGEPAGE) }
    }
    return raw
  }

  /// Releases buffers kept for reuse (see `StorageCache`).
  public static func releaseCachedBuffers() { StorageCache.empty() }

  public var buffer: UnsafeMutableBufferPointer<Float> {
    UnsafeMutableBufferPointer(start: pointer, count: count)
  }
}
