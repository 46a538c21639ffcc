import Foundation
import GraftBenchmarks
import GraftCore

/// Prints benchmark results as a table or as the JSON contract of `graft bench`.
enum BenchOutput {
  struct Report: Encodable {
    var machine: MachineInfo
    var benchmarks: [BenchmarkResult]
    var peakRSSMegabytes: Double?
    /// Processes of the job (`mpirun -np N`); the figures are rank 0's.
    var worldSize: Int
    enum CodingKeys: String, CodingKey {
      case machine, benchmarks
      case peakRSSMegabytes = "peak_rss_mb"
      case worldSize = "world_size"
    }
  }

  static func print(_ results: [BenchmarkResult], json: Bool) throws {
    let rss = Stopwatch.peakResidentBytes().map { (Double($0) / 1_048_576 * 10).rounded() / 10 }
    let report = Report(machine: .current, benchmarks: results, peakRSSMegabytes: rss, worldSize: ProcessGroups.current.size)
    if json {
      try printJSON(report)
      return
    }
    Console.writeOutput("machine: \(report.machine.cpu), \(report.machine.cores) cores, \(report.machine.threads) threads, \(report.machine.blas)"
      + (report.worldSize > 1 ? ", \(report.worldSize) processes" : "") + "\n")
    let width = max(4, results.map(\.name.count).max() ?? 0)
    for r in results {
      let name = r.name.padding(toLength: width, withPad: " ", startingAt: 0)
      Console.writeOutput("\(name)  \(String(format: "%10.2f", r.value)) \(r.unit)   (median \(String(format: "%.4f", r.seconds)) s over \(r.iterations))\n")
    }
    if let rss { Console.writeOutput("peak RSS: \(rss) MB\n") }
  }
}
