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

  /// `count` bytes at file `offset` to read into `destination` (the caller has checked the range).
  struct Read {
    let offset: Int
    let count: Int
    let destination: UnsafeMutableRawPointer
  }

  /// Performs `reads` with `pread`s split across `Threads.count` threads by bytes: the reads are
  /// seen as one run of bytes cut into units of `unitBytes`, and each thread takes at least
  /// `unitsPerThread` consecutive units, so one large read can be shared by several threads and
  /// small files stay on one. The copy out of the page cache and the first touch of fresh
  /// destination pages then run in parallel. Returns the first failed read and its error.
  func read(_ reads: [Read], unitBytes: Int = 1 << 20, unitsPerThread: Int = 4) -> (Int, SystemError)? {
    var starts: [Int] = []  // where read i begins in the run
    starts.reserveCapacity(reads.count)
    var total = 0
    for read in reads {
      starts.append(total)
      total += read.count
    }
    let units = (total + unitBytes - 1) / unitBytes
    // One slot per chunk (indexed by its first unit), so threads never write the same element.
    var failures = [(Int, SystemError)?](repeating: nil, count: units)
    failures.withUnsafeMutableBufferPointer { failures in
      Kernels.parallelRanges(units, grain: unitsPerThread) { range in
        let low = range.lowerBound * unitBytes, high = min(range.upperBound * unitBytes, total)
        var i = starts.lastIndex { $0 <= low } ?? 0
        while i < reads.count, starts[i] < high {
          let from = max(low, starts[i]), to = min(high, starts[i] + reads[i].count)
          if to > from {
            let skip = from - starts[i]
            do throws(SystemError) {
              try read(into: UnsafeMutableRawBufferPointer(start: reads[i].destination + skip, count: to - from),
                       at: reads[i].offset + skip)
            } catch {
              failures[range.lowerBound] = (i, error)
              return
            }
          }
          i += 1
        }
      }
    }
    return failures.lazy.compactMap { $0 }.first
  }

  /// `count` bytes from `offset`, or fewer where the file ends first.
  func bytes(at offset: Int, count: Int) throws(SystemError) -> [UInt8] {
    let n = max(0, min(count, size - offset))
    var result = [UInt8](repeating: 0, count: n)
    try result.withUnsafeMutableBytes { raw in Result { () throws(SystemError) in try read(into: raw, at: offset) } }.get()
    return result
  }
}
