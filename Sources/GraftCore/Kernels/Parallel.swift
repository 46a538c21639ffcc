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

  /// True on a worker of a parallel loop: nested loops then run serially
  /// instead of oversubscribing the cores.
  @TaskLocal static var insideParallelLoop = false

  static func fromEnvironment() -> Int {
    if let raw = getenv("GRAFT_NUM_THREADS"), let n = Int(String(cString: raw)), n >= 1 { return n }
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }
}

extension Kernels {
  /// Splits `0..<count` into at most `Threads.count` contiguous chunks of at
  /// least `grain` items and runs `body(range)` on each, in parallel when there
  /// is more than one chunk. `body` must only write disjoint memory per range.
  public static func parallelRanges(_ count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let threads = Threads.count
    let chunks = min(threads, max(1, count / max(grain, 1)))
    if chunks <= 1 || Threads.insideParallelLoop {
      if count > 0 { body(0..<count) }
      return
    }
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let run = body
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let start = count * c / chunks
        let end = count * (c + 1) / chunks
        Threads.$insideParallelLoop.withValue(true) { run(start..<end) }
      }
    }
  }

  /// Runs `body(chunk, range)` over `Threads.count` contiguous chunks of
  /// `0..<count` (one per thread) with OpenBLAS limited to one thread meanwhile,
  /// so each thread runs its own small GEMMs instead of all of them sharing the
  /// BLAS thread pool (whose start-up and spinning dominate small products).
  /// `chunk` indexes per-thread scratch. Partitioning depends only on `count`
  /// and the thread count, so results are reproducible.
  public static func parallelBatches(_ count: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
    let chunks = min(Threads.count, count)
    if chunks <= 1 || Threads.insideParallelLoop {
      if count > 0 { body(0, 0..<count) }
      return
    }
    openblas_set_num_threads(1)
    defer { openblas_set_num_threads(Int32(Threads.count)) }
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let run = body
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        Threads.$insideParallelLoop.withValue(true) { run(c, (count * c / chunks)..<(count * (c + 1) / chunks)) }
      }
    }
  }

  /// Number of chunks `parallelBatches(count)` uses.
  public static func batchChunks(_ count: Int) -> Int {
    Threads.insideParallelLoop ? 1 : max(1, min(Threads.count, count))
  }
}
