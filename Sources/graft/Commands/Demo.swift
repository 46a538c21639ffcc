import ArgumentParser
import Foundation
import GraftAudio
import GraftCore
import GraftDemo
import GraftText
import GraftVision

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the demo: transfer learning against training from scratch, for vision, text and audio.",
    discussion: """
      For each use case, the demo trains a new head on a base shipped in SampleData/ (pretrained \
      by the project on a different source task), then briefly fine-tunes its top, and trains the \
      same architecture from scratch on the same small target set; both are scored on the test \
      split. It prints one table: scenario, train/test examples, transfer and scratch accuracy \
      and macro-F1, seconds. It exits with status 1 when transfer does not beat scratch on both \
      accuracy and macro-F1 in every scenario run. `graft demo make-sample-data` regenerates \
      SampleData/.

      `--core` runs the core demo instead: a two-layer MLP learns three interleaved spirals.

      Examples:
        graft demo
        graft demo --json
        graft demo --only text
        graft demo --report demo-report
        graft demo --core --json --epochs 30
      """,
    subcommands: [MakeSampleData.self])

  enum Scenario: String, CaseIterable, ExpressibleByArgument {
    case vision, text, audio
  }

  @Flag(help: "Print the result as JSON.")
  var json = false

  @Flag(help: "Run the core demo (an MLP on generated spirals) instead of the transfer scenarios.")
  var core = false

  @Option(help: "Training epochs of the core demo (--core).")
  var epochs = 60

  @Option(help: "Random seed: the same seed gives the same result.")
  var seed: UInt64 = 42

  @Option(name: .customLong("sample-data"), help: "The sample data directory.")
  var sampleData = "SampleData"

  @Option(help: "Run only this scenario (vision, text, audio; repeatable).")
  var only: [Scenario] = []

  @Option(help: ArgumentHelp("Scale every epoch count by this factor (quick checks).", visibility: .hidden))
  var effort = 1.0

  @Flag(help: "No progress output.")
  var quiet = false

  @Option(help: ArgumentHelp("Also write a self-contained HTML report to DIR/index.html: for every scenario, the transfer and the scratch model's curves, test metrics and example grid.", valueName: "dir"))
  var report: String?

  func validate() throws {
    if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if !(effort > 0 && effort <= 10) { throw ValidationError("--effort must lie in (0, 10]") }
  }

  func run() throws {
    if core { return try runCore() }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: sampleData, isDirectory: &isDirectory), isDirectory.boolValue else {
      Console.writeError("graft: \(sampleData): no sample data directory (run from the repository root, "
                         + "pass --sample-data, or create it with `graft demo make-sample-data`)\n")
      throw ExitCode(1)
    }
    let scenarios = only.isEmpty ? Scenario.allCases : Scenario.allCases.filter { only.contains($0) }
    let progress = !(quiet || json)
    var results: [DemoScenarioResult] = []
    var sections: [ReportSection] = []
    let withReport = report != nil
    for scenario in scenarios {
      if progress { Console.writeError("demo: \(scenario.rawValue): training transfer and scratch models…\n") }
      let run: DemoScenarioRun
      switch scenario {
      case .vision:
        run = try VisionSampleData.runDemoScenario(root: sampleData, seed: seed, effort: effort, report: withReport)
      case .text:
        run = try TextSampleData.runDemoScenario(root: sampleData, seed: seed, effort: effort, report: withReport)
      case .audio:
        run = try AudioSampleData.runDemoScenario(root: sampleData, seed: seed, effort: effort, report: withReport)
      }
      results.append(run.result)
      sections += run.sections
    }
    var page: String?
    if let report {
      let title = "graft demo: transfer learning vs training from scratch"
      let subtitle = "seed \(seed); " + results.map {
        "\($0.name): transfer \(String(format: "%.3f", $0.transfer.accuracy)) vs scratch \(String(format: "%.3f", $0.scratch.accuracy))"
      }.joined(separator: "; ")
      page = try HTMLReport(title: title, subtitle: subtitle, sections: sections).write(toDirectory: report)
    }
    if json {
      struct Output: Encodable { var scenarios: [DemoScenarioResult]; var report: String? }
      try printJSON(Output(scenarios: results, report: page))
    } else {
      Console.writeOutput(DemoTable.render(results) + (page.map { "wrote report \($0)\n" } ?? ""))
    }
    // The demo's claim is that transfer beats scratch; a run where it does not is a failure
    // (a wrong sample task or base), not a result to print and forget.
    let losers = results.filter { !$0.transferWins }.map(\.name)
    if !losers.isEmpty {
      Console.writeError("graft demo: transfer did not beat scratch in \(losers.joined(separator: ", ")) "
                         + "(accuracy and macro-F1 on the test split)\n")
      throw ExitCode(1)
    }
  }

  func runCore() throws {
    let result = CoreDemo.run(epochs: epochs, seed: seed, quiet: quiet || json)
    if json {
      try printJSON(result)
    } else {
      Console.writeOutput("""
        core demo: 2-layer MLP on 3 spirals (seed \(seed))
          train examples  \(result.trainExamples)
          test examples   \(result.testExamples)
          train accuracy  \(String(format: "%.3f", result.trainAccuracy))
          test accuracy   \(String(format: "%.3f", result.testAccuracy))
          seconds         \(String(format: "%.1f", result.seconds))

        """)
    }
  }
}

/// The demo's table.
enum DemoTable {
  static let descriptions = [
    "vision": "4 procedural shape/texture classes, 32×32 PNG; smallcnn base pretrained on 8 other classes",
    "text": "positive/negative sentences; LSTM over word2vec vectors (PPMI+SVD on a generated corpus)",
    "audio": "cough vs other, 1 s FLAC clips, log-mel patches; smallcnn base pretrained on 9 other sounds",
  ]

  static func render(_ results: [DemoScenarioResult]) -> String {
    func f(_ v: Double) -> String { String(format: "%.3f", v) }
    func pad(_ s: String, _ n: Int, left: Bool = false) -> String {
      let fill = String(repeating: " ", count: max(0, n - s.count))
      return left ? s + fill : fill + s
    }
    var out = "transfer learning vs training from scratch, on the test split\n\n"
    out += pad("scenario", 9, left: true) + pad("train", 6) + pad("test", 6) + pad("transfer acc", 14) + pad("macro-F1", 10)
      + pad("scratch acc", 13) + pad("macro-F1", 10) + pad("seconds", 9) + "\n"
    for r in results {
      out += pad(r.name, 9, left: true) + pad("\(r.trainExamples)", 6) + pad("\(r.testExamples)", 6)
        + pad(f(r.transfer.accuracy), 14) + pad(f(r.transfer.macroF1), 10) + pad(f(r.scratch.accuracy), 13)
        + pad(f(r.scratch.macroF1), 10) + pad(String(format: "%.1f", r.seconds), 9) + "\n"
    }
    out += "\n"
    for r in results { out += "  \(r.name): \(descriptions[r.name] ?? "")\n" }
    let wins = results.filter(\.transferWins).count
    out += "\ntransfer beats scratch in \(wins) of \(results.count) scenario\(results.count == 1 ? "" : "s")"
      + " (total \(String(format: "%.1f", results.reduce(0) { $0 + $1.seconds })) s)\n"
    return out
  }
}

/// `graft demo make-sample-data`: regenerates SampleData/ (datasets and pretrained bases).
struct MakeSampleData: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "make-sample-data",
    abstract: "Generate the demo's datasets and pretrain its bases (deterministic by seed).",
    discussion: """
      Writes OUT/vision (PNG folders + base.safetensors), OUT/text (train.tsv, test.tsv, \
      embeddings.bin) and OUT/audio (FLAC folders + base.safetensors). Each base is trained from \
      scratch on a source task that is generated, used and deleted. Use a release build.

      Example:
        graft demo make-sample-data --out SampleData
      """)

  @Option(help: "Output directory.")
  var out = "SampleData"

  @Option(help: "Random seed: the same seed gives the same files.")
  var seed: UInt64 = 42

  // Not `--only`/`--quiet`: the parent command's options of those names take them.
  @Option(help: "Generate only this part (vision, text, audio; repeatable).")
  var part: [Demo.Scenario] = []

  @Flag(help: "Show the bases' training progress.")
  var verbose = false

  func run() throws {
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let parts = part.isEmpty ? Demo.Scenario.allCases : Demo.Scenario.allCases.filter { part.contains($0) }
    for name in parts {
      let start = Stopwatch.now()
      switch name {
      case .vision:
        let g = try VisionSampleData.generate(root: out, seed: seed, quiet: !verbose)
        Console.writeOutput("vision: base source accuracy \(String(format: "%.3f", g.sourceAccuracy))")
      case .text:
        try TextSampleData.generate(root: out, seed: seed)
        Console.writeOutput("text: embeddings written")
      case .audio:
        let g = try AudioSampleData.generate(root: out, seed: seed, quiet: !verbose)
        Console.writeOutput("audio: base source accuracy \(String(format: "%.3f", g.sourceAccuracy))")
      }
      Console.writeOutput(", \(String(format: "%.1f", Stopwatch.now() - start)) s\n")
    }
  }
}
