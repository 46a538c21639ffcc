import ArgumentParser
import Foundation
import GraftCore

struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluate a bundle on labelled data: a class-per-folder directory (vision), a TSV/CSV or folder of texts (text), a folder per class or CSV of clips (audio).",
    discussion: """
      The bundle's modality picks the classifier (ModalityRegistry). Classes are matched to the \
      bundle's labels by name. Unreadable files and malformed rows are reported and skipped.

      Examples:
        graft evaluate pets.graft --data pets/test
        graft evaluate pets.graft --data pets/test --json
        graft evaluate pets.graft --data pets/test --report pets-report
      """)

  @OptionGroup var options: EvaluateOptions

  func validate() throws { try options.validate() }
  func run() throws { try options.run(modality: nil) }
}

/// `graft evaluate` and each modality's `evaluate` that goes the same way (`graft vision
/// evaluate`): the bundle's classifier through `ModalityRegistry`, printed one way.
struct EvaluateOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Option(help: ArgumentHelp("The labelled data.", valueName: "dir"))
  var data: String

  @Option(name: .customLong("batch-size"), help: "Batch size.")
  var batchSize: Int = 32

  @Option(help: ArgumentHelp("Also write a self-contained HTML report to DIR/index.html: metrics, confusion matrix, per-class table, example grid (mistakes first).", valueName: "dir"))
  var report: String?

  @Flag(help: "Print JSON: {\"accuracy\", \"macro_f1\", \"macro_precision\", \"macro_recall\", \"weighted_f1\", \"labels\", \"confusion\", \"per_class\", \"count\", \"loss\" (vision), \"roc_auc\" (audio, two labels), \"skipped\", \"report\" (with --report)}.")
  var json = false

  func validate() throws {
    if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
  }

  /// Evaluates the bundle's classifier (of `modality` when given) on `data` and prints it.
  func run(modality: String?) throws {
    let classifier = try ModalityRegistry.classifier(bundleAt: bundle, expecting: modality)
    let evaluation = try classifier.evaluate(data: data, batchSize: batchSize)
    let page = try report.map { dir in
      let section = try evaluation.reportSection([ReportFact("bundle", bundle), ReportFact("data", data)])
      return try writeReport([section], title: "\((bundle as NSString).lastPathComponent): evaluation report", to: dir)
    }
    let skipped = evaluation.skipped
    if json {
      guard case .object(var object) = try JSONValue(encoding: evaluation.metrics) else { return }
      if let loss = evaluation.loss { object["loss"] = .number(loss) }
      if let page { object["report"] = .string(page) }
      for (k, v) in evaluation.extra { object[k] = v }
      object["skipped"] = .array(skipped.map { issue in
        var o: [String: JSONValue] = ["path": .string(issue.path), "reason": .string(issue.reason)]
        if let line = issue.line { o["line"] = .number(Double(line)) }
        return .object(o)
      })
      try printJSON(JSONValue.object(object))
    } else {
      var text = ""
      for s in skipped { text += "skipped \(s)\n" }
      text += metricsText(evaluation.metrics) + "\n"
      for (k, v) in evaluation.extra.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\n" }
      if let page { text += "wrote report \(page)\n" }
      Console.writeOutput(text)
    }
  }
}
