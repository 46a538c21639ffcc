#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time for the trainer, progress bars and benchmarks (`GraftBenchmarks` adds the
/// median-of-runs timing and peak memory).
public enum Stopwatch {
  /// Seconds on the monotonic clock (`CLOCK_MONOTONIC`): only differences mean anything.
  public static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }
}
