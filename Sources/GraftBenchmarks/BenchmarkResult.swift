#if canImport(Glibc)
import Glibc
#endif
import GraftCore

/// One benchmark figure, as printed by `graft bench … --json`.
public struct BenchmarkResult: Codable, Sendable, Equatable {
  public var name: String
  public var value: Double
  public var unit: String
  /// Median seconds per iteration behind `value`.
  public var seconds: Double
  public var iterations: Int

  public init(name: String, value: Double, unit: String, seconds: Double, iterations: Int) {
    self.name = name; self.value = value; self.unit = unit; self.seconds = seconds; self.iterations = iterations
  }
}

/// Benchmark timing on GraftCore's clock: warm up, then time repeated runs and take the median.
extension Stopwatch {
  /// Median seconds of `body` over at least `minIterations` runs and about
  /// `budget` seconds, after `warmup` untimed runs.
  public static func median(warmup: Int = 1, minIterations: Int = 3, budget: Double = 1.0,
                            _ body: () -> Void) -> (seconds: Double, iterations: Int) {
    for _ in 0..<warmup { body() }
    var times: [Double] = []
    let start = now()
    while times.count < minIterations || (now() - start < budget && times.count < 1000) {
      let t0 = now()
      body()
      times.append(now() - t0)
    }
    times.sort()
    return (times[times.count / 2], times.count)
  }

  /// Peak resident set size of this process so far, in bytes (`VmHWM`).
  public static func peakResidentBytes() -> Int? {
    guard let f = fopen("/proc/self/status", "r") else { return nil }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
      let s = String(cString: line)
      if s.hasPrefix("VmHWM:") {
        let digits = s.split(separator: " ").compactMap { Int($0) }
        return digits.first.map { $0 * 1024 }
      }
    }
    return nil
  }
}
