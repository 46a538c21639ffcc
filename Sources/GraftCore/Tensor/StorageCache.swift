import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Keeps freed large buffers for reuse by the next allocation of the same size.
///
/// Training allocates the same activation and gradient sizes every step. glibc
/// serves buffers above 32 MB (and, by default, many above 128 KB) with fresh
/// `mmap`s, so every step would page-fault its memory in again: measured here,
/// `a + b` over 16M floats ran at 4.5 GB/s that way and 11.7 GB/s with reuse.
/// Only buffers of at least `minimumBytes` are kept, up to `capacityBytes` in
/// all (`GRAFT_CACHE_MB`; 0 turns the cache off). The default is an eighth of
/// physical memory, at most 4 GiB: a network's forward and backward free buffers
/// of many sizes, and each size comes back once per step, so the cache must hold
/// a whole step's worth. Counted on 2026-12-03 (a temporary counter in `give`):
/// a ResNet-18 batch-16 fine-tune step keeps up to 792 MB cached; at the earlier
/// 256 MB, 214 of ~400 freed buffers were turned away and page-faulted in again
/// by the next step (15 % of the step zeroing fresh pages). Peak RSS did not grow
/// (945 MiB at 256 MB and at 1 GiB): a cached buffer is memory that was live
/// earlier in the step. What the cache can add is memory kept between phases
/// whose sizes differ (`Storage.releaseCachedBuffers()` returns it).
enum StorageCache {
  static let minimumBytes = 1 << 20
  static let capacityBytes: Int = {
    if let raw = getenv("GRAFT_CACHE_MB"), let mb = Int(String(cString: raw)), mb >= 0 { return mb << 20 }
    let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
    return min(4 << 30, max(physical / 8, 64 << 20))
  }()

  /// A raw buffer owned by the cache (handed across threads under the lock).
  struct Buffer: @unchecked Sendable { let pointer: UnsafeMutableRawPointer }

  struct State: ~Copyable {
    var free: [Int: [Buffer]] = [:]  // byte count → buffers
    var cachedBytes = 0
  }
  static let state = Mutex(State())

  /// A cached buffer of exactly `bytes`, or nil.
  static func take(bytes: Int) -> UnsafeMutableRawPointer? {
    guard bytes >= minimumBytes, capacityBytes > 0 else { return nil }
    let buffer = state.withLock { s -> Buffer? in
      guard var list = s.free[bytes], let b = list.popLast() else { return nil }
      s.free[bytes] = list.isEmpty ? nil : list
      s.cachedBytes -= bytes
      return b
    }
    return buffer?.pointer
  }

  /// Keeps `pointer` for reuse when there is room; otherwise frees it.
  static func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    if bytes >= minimumBytes && capacityBytes > 0 {
      let buffer = Buffer(pointer: pointer)
      let kept = state.withLock { s -> Bool in
        guard s.cachedBytes + bytes <= capacityBytes else { return false }
        s.free[bytes, default: []].append(buffer)
        s.cachedBytes += bytes
        return true
      }
      if kept { return }
    }
    pointer.deallocate()
  }

  /// Frees every cached buffer (e.g. before measuring peak memory of one phase).
  static func empty() {
    let buffers = state.withLock { s -> [Buffer] in
      let all = s.free.values.flatMap { $0 }
      s.free = [:]
      s.cachedBytes = 0
      return all
    }
    for b in buffers { b.pointer.deallocate() }
  }
}
