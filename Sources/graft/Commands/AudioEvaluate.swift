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
    let m = evaluation.metrics
    var lines = ["clips     \(m.count)", "accuracy  \(fixed(m.accuracy))", "macro-F1  \(fixed(m.macroF1))"]
    if let auc = evaluation.rocAUC { lines.append("ROC-AUC   \(fixed(auc))") }
    if let t = evaluation.threshold, let p = evaluation.positiveLabel { lines.append("threshold \(fixed(Double(t))) for \(p)") }
    let width = max(m.labels.map(\.count).max() ?? 0, 6)
    func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
    lines.append("confusion (rows: actual, columns: predicted)")
    lines.append(pad("") + "  " + m.labels.map(pad).joined(separator: " "))
    for (i, row) in m.confusion.enumerated() {
      lines.append(pad(m.labels[i]) + "  " + row.map { pad(String($0)) }.joined(separator: " "))
    }
    if let reportPath { lines.append("wrote report \(reportPath)") }
    Console.writeOutput(lines.joined(separator: "\n") + "\n")
  }
}
