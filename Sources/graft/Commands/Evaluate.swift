import ArgumentParser
import Foundation
import GraftAudio
import GraftCore
import GraftText
import GraftVision

/// Reads a bundle and fails clearly when this build has no handler for its modality.
func unsupportedModality(_ path: String, _ modality: String) -> CLIError {
  CLIError("\(path): bundle of modality \"\(modality)\": not supported by this build yet")
}

struct Evaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Evaluate a bundle on labelled data: a class-per-folder directory (vision), a TSV/CSV or folder of texts (text), a folder per class or CSV of clips (audio).",
    discussion: """
      Classes are matched to the bundle's labels by name. Unreadable files and malformed rows
      are reported and skipped.

      Examples:
        graft evaluate pets.graft --data pets/test
        graft evaluate pets.graft --data pets/test --json
        graft evaluate pets.graft --data pets/test --report pets-report
      """)

  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Option(help: ArgumentHelp("The labelled data.", valueName: "dir"))
  var data: String

  @Option(name: .customLong("batch-size"), help: "Batch size.")
  var batchSize: Int = 32

  @Option(help: ArgumentHelp("Also write a self-contained HTML report to DIR/index.html: metrics, confusion matrix, per-class table, example grid (mistakes first).", valueName: "dir"))
  var report: String?

  @Flag(help: "Print JSON: {\"accuracy\", \"macro_f1\", \"macro_precision\", \"macro_recall\", \"weighted_f1\", \"labels\", \"confusion\", \"per_class\", \"count\", \"loss\", \"skipped\", \"report\" (with --report)}.")
  var json = false

  func validate() throws {
    if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
  }

  func run() throws {
    let model = try ModelBundle.read(from: bundle)
    switch model.config.modality {
    case ImageClassifier.modality:
      let classifier = try ImageClassifier(bundle: model, path: bundle)
      let result = try classifier.evaluateFolder(on: data, batchSize: batchSize)
      let skipped = result.report.skipped.map { ["path": $0.path, "reason": $0.reason.description] }
        + result.skipped.map { ["reason": $0.description] }
      let page = try reportPage {
        classifier.reportSection(for: result, heading: "Evaluation",
                                 facts: [ReportFact("bundle", bundle), ReportFact("data", data)])
      }
      try output(result.evaluation.metrics, loss: result.evaluation.loss, skipped: skipped, report: page)
    case "text":
      let (metrics, issues, section) = try TextClassifier.evaluateWithReport(bundlePath: bundle, data: data)
      let page = try reportPage { section }
      try output(metrics, loss: nil, skipped: issues.map { ["reason": $0.description] }, report: page)
    case "audio":
      let classifier = try SoundClassifier(bundlePath: bundle)
      let evaluation = classifier.evaluate(try SoundDataSource.load(data))
      let page = try reportPage {
        evaluation.reportSection(facts: [ReportFact("bundle", bundle), ReportFact("data", data),
                                         ReportFact("labels", classifier.labels.joined(separator: ", ")),
                                         ReportFact("base", classifier.model.base.architecture.name)],
                                 frontEnd: classifier.frontEnd)
      }
      try output(evaluation.metrics, loss: nil, skipped: evaluation.skipped.map { ["reason": $0.description] },
                 extra: evaluation.rocAUC.map { ["roc_auc": .number($0)] } ?? [:], report: page)
    default:
      throw unsupportedModality(bundle, model.config.modality)
    }
  }

  /// With `--report DIR`: writes DIR/index.html holding the section `make` builds; its path.
  func reportPage(_ make: () throws -> ReportSection) throws -> String? {
    guard let report else { return nil }
    return try writeReport([try make()], title: "\((bundle as NSString).lastPathComponent): evaluation report", to: report)
  }

  func output(_ metrics: ClassificationMetrics, loss: Double?, skipped: [[String: String]],
              extra: [String: JSONValue] = [:], report page: String? = nil) throws {
    if json {
      guard case .object(var object) = try JSONValue(encoding: metrics) else { return }
      if let loss { object["loss"] = .number(loss) }
      if let page { object["report"] = .string(page) }
      for (k, v) in extra { object[k] = v }
      object["skipped"] = try JSONValue(encoding: skipped)
      try printJSON(JSONValue.object(object))
    } else {
      var text = ""
      for s in skipped { text += "skipped \(s["path"].map { $0 + ": " } ?? "")\(s["reason"] ?? "")\n" }
      text += metricsText(metrics) + "\n"
      for (k, v) in extra.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\n" }
      if let page { text += "wrote report \(page)\n" }
      Console.writeOutput(text)
    }
  }
}
