import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The one thread-count setting. `GRAFT_NUM_THREADS` (default: the number of
/// cores) governs both OpenBLAS and Graft's own parallel loops; BLAS gets the
/// cores while a GEMM runs, and the elementwise/im2col/pooling loops split
/// across them otherwise (the two never run at the same time).
public enum Threads {
  nonisolated(unsafe) private static var current: Int = {
    let n = Threads.fromEnvironment()
    openblas_set_num_threads(Int32(n))
    return n
  }()

  /// Threads used by kernels and OpenBLAS.
  public static var count: Int { current }

  /// Changes the thread count for kernels and OpenBLAS (call from one thread,
  /// before starting work).
  public static func set(_ n: Int) {
    precondition(n >= 1, "Threads.set: \(n) threads")
    current = n
    openblas_set_num_threads(Int32(n))
  }

  static func fromEnvironment() -> Int {
    if let raw = getenv("GRAFT_NUM_THREADS"), let n = Int(String(cString: raw)), n >= 1 { return n }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}

extension Kernels {
  /// Splits `0..<count` into at most `Threads.count` contiguous chunks of at
  /// least `grain` items and runs `body(range)` on each, in parallel when there
  /// is more than one chunk. `body` must only write disjoint memory per range.
  @inlinable
  public static func parallelRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let threads = Threads.count
    let chunks = min(threads, max(1, count / max(grain, 1)))
    if chunks <= 1 {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let run = body
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let start = count * c / chunks
        let end = count * (c + 1) / chunks
        run(start..<end)
      }
    }
  }
}
