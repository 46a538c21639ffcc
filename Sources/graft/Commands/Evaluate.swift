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
    abstract: "Evaluate a bundle on labelled data: a class-per-folder directory (vision), a TSV/CSV or folder of texts (text).",
    discussion: """
      Classes are matched to the bundle's labels by name. Unreadable files and malformed rows
      are reported and skipped.

      Examples:
        graft evaluate pets.graft --data pets/test
        graft evaluate pets.graft --data pets/test --json
      """)

  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Option(help: ArgumentHelp("The labelled data.", valueName: "dir"))
  var data: String

  @Option(name: .customLong("batch-size"), help: "Batch size.")
  var batchSize: Int = 32

  @Flag(help: "Print JSON: {\"accuracy\", \"macro_f1\", \"macro_precision\", \"macro_recall\", \"weighted_f1\", \"labels\", \"confusion\", \"per_class\", \"count\", \"loss\", \"skipped\"}.")
  var json = false

  func validate() throws {
    if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
  }

  func run() throws {
    let model = try ModelBundle.read(from: bundle)
    switch model.config.modality {
    case ImageClassifier.modality:
      let classifier = try ImageClassifier(bundle: model, path: bundle)
      let (evaluation, report, failed) = try classifier.evaluate(on: data, batchSize: batchSize)
      let skipped = report.skipped.map { ["path": $0.path, "reason": $0.reason.description] }
        + failed.map { ["reason": $0.description] }
      try output(evaluation.metrics, loss: evaluation.loss, skipped: skipped)
    case "text":
      let (metrics, issues) = try TextClassifier.evaluate(bundlePath: bundle, data: data)
      try output(metrics, loss: nil, skipped: issues.map { ["reason": $0.description] })
    case "audio":
      let evaluation = try SoundClassifier.evaluate(bundlePath: bundle, data: data)
      try output(evaluation.metrics, loss: nil, skipped: evaluation.skipped.map { ["reason": $0.description] },
                 extra: evaluation.rocAUC.map { ["roc_auc": .number($0)] } ?? [:])
    default:
      throw unsupportedModality(bundle, model.config.modality)
    }
  }

  func output(_ metrics: ClassificationMetrics, loss: Double?, skipped: [[String: String]],
              extra: [String: JSONValue] = [:]) throws {
    if json {
      guard case .object(var object) = try jsonValue(metrics) else { return }
      if let loss { object["loss"] = .number(loss) }
      for (k, v) in extra { object[k] = v }
      object["skipped"] = try jsonValue(skipped)
      try printJSON(JSONValue.object(object))
    } else {
      var text = ""
      for s in skipped { text += "skipped \(s["path"].map { $0 + ": " } ?? "")\(s["reason"] ?? "")\n" }
      text += metricsText(metrics) + "\n"
      for (k, v) in extra.sorted(by: { $0.key < $1.key }) { text += "\(k): \(v)\n" }
      Console.writeOutput(text)
    }
  }
}
