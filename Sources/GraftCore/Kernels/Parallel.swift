import CBLAS
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The one thread-count setting. `GRAFT_NUM_THREADS` (default: the number of
/// cores) governs every parallel loop, GEMMs included: OpenBLAS itself is kept
/// single-threaded and Graft splits large products across its own threads
/// (`Kernels.gemm`). Nothing ever reconfigures a shared BLAS pool, so
/// concurrent callers are safe, and OpenBLAS's idle threads never spin against
/// Graft's loops.
public enum Threads {
  nonisolated(unsafe) private static var current: Int = {
    openblas_set_num_threads(1)
    return Threads.fromEnvironment()
  }()

  /// Threads used by kernels (a `withCount` override on this task, else the process setting).
  public static var count: Int { override ?? current }

  @TaskLocal static var override: Int?

  /// Runs `body` with `n` threads for the kernels it calls on this task, leaving
  /// the process-wide setting (and other tasks) alone.
  public static func withCount<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
    precondition(n >= 1, "Threads.withCount: \(n) threads")
    _ = current
    return try $override.withValue(n) { try body() }
  }

  /// Changes the process-wide thread count (call from one thread, before starting work).
  public static func set(_ n: Int) {
    precondition(n >= 1, "Threads.set: \(n) threads")
    _ = current  // runs the one-time OpenBLAS setup
    current = n
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
  /// `0..<count` (one per thread), so each thread runs its own small GEMMs
  /// (single-threaded inside the loop) instead of splitting each small product.
  /// `chunk` indexes per-thread scratch. Partitioning depends only on `count`
  /// and the thread count, so results are reproducible.
  public static func parallelBatches(_ count: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
    let chunks = min(Threads.count, count)
    if chunks <= 1 || Threads.insideParallelLoop {
      if count > 0 { body(0, 0..<count) }
      return
    }
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
