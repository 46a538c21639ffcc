import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

struct AudioEvaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Clip-level accuracy, macro-F1, confusion matrix and (two labels) ROC-AUC of a sound bundle on labelled audio.",
    discussion: """
      DATA is read as for `graft audio train` (folder per label, or CSV with --where filters). \
      Clips are scored exactly as `graft audio predict` scores them; unreadable files and labels \
      the bundle does not know are reported and skipped.

      Examples:
        graft audio evaluate cough.graft --data labels.csv --where split=test --json
        graft audio evaluate cough.graft --data test/ --report cough-test/
      """)

  @Argument(help: ArgumentHelp("The sound bundle.", valueName: "name.graft"))
  var bundle: String

  @Option(help: ArgumentHelp("A class-per-folder directory or a CSV of file,label.", valueName: "dir-or-csv"))
  var data: String

  @Option(name: .customLong("where"), help: ArgumentHelp("Keep CSV rows whose COLUMN equals VALUE (repeatable).",
                                                         valueName: "column=value"))
  var filters: [String] = []

  @Option(help: ArgumentHelp("Directory that relative paths in the CSV start from (default: the CSV's).", valueName: "dir"))
  var audioRoot: String?

  @Option(help: ArgumentHelp("The CSV column holding the labels (default: label, class or category).", valueName: "name"))
  var labelColumn: String?

  @Option(help: ArgumentHelp("Write an HTML report to DIR/index.html: metrics, confusion matrix, ROC-AUC (two labels) and spectrograms of the clips (mistakes first).",
                             valueName: "dir"))
  var report: String?

  @Flag(help: "Print JSON: count, accuracy, macro_f1, labels, confusion, per_class, roc_auc, threshold, skipped (and report).")
  var json = false

  func validate() throws { _ = try parseFilters(filters) }

  func run() throws {
    let classifier = try SoundClassifier(bundlePath: bundle)
    let source = try SoundDataSource.load(data, filters: try parseFilters(filters), root: audioRoot, labelColumn: labelColumn)
    let evaluation = classifier.evaluate(source)
    var reportPath: String? = nil
    if let report {
      let section = classifier.reportSection(for: evaluation, facts: [ReportFact("bundle", bundle), ReportFact("data", data)])
      reportPath = try writeReport([section], title: "\((bundle as NSString).lastPathComponent): evaluation report", to: report)
    }
    if json {
      var object = evaluation.json(includePredictions: false)
      if let reportPath, case .object(var o) = object {
        o["report"] = .string(reportPath)
        object = .object(o)
      }
      try printJSON(object)
      return
    }
    for issue in evaluation.skipped { Console.writeError("graft: warning: skipped \(issue)\n") }
    var lines = [metricsText(evaluation.metrics, unit: "clips", rocAUC: evaluation.rocAUC, threshold: evaluation.threshold,
                             positiveLabel: evaluation.positiveLabel)]
    if let reportPath { lines.append("wrote report \(reportPath)") }
    Console.writeOutput(lines.joined(separator: "\n") + "\n")
  }
}
