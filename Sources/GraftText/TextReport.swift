import Foundation
import GraftCore

/// Builds the HTML report sections (`--report DIR`) of text classifiers from a training run or
/// an evaluation: facts, training curves, metrics, an example grid of text snippets (mistakes
/// first) and the skipped rows with their line numbers.
public enum TextReport {
  /// Examples shown in the grid.
  public static let exampleLimit = 48
  /// Snippets are cut to this many characters (the page shows fewer, but keeps it small).
  static let snippetLength = 400
  /// Skipped rows listed one per line; more are summed up in one line.
  static let skippedLimit = 200

  /// The section of a training run (`graft text train --report`): what it read, how much of
  /// the vocabulary had vectors, the training and fine-tune histories, and the validation
  /// split's metrics and examples.
  public static func section(training report: TextTrainingReport, data: String, embeddings: String,
                             bundle: String? = nil, heading: String = "Validation") -> ReportSection {
    let coverage = report.coverage
    var facts = [ReportFact("data", data)]
    if let bundle { facts.append(ReportFact("bundle", bundle)) }
    facts += [
      ReportFact("embeddings", "\(embeddings) (\(report.embeddingCount) words × \(report.embeddingDimension))"),
      ReportFact("vocabulary", "\(report.vocabularySize) tokens (with <pad> and <unk>)"),
      ReportFact("coverage", "vectors for \(coverage.found)/\(coverage.total) words (\(percent(coverage.rate))), "
        + "\(percent(report.tokenCoverage)) of the training tokens"),
    ]
    if !coverage.sampleMissing.isEmpty {
      facts.append(ReportFact("no vector", coverage.sampleMissing.prefix(20).joined(separator: " ")))
    }
    facts += [
      ReportFact("labels", report.labels.joined(separator: ", ")),
      ReportFact("examples", "\(report.trainCount) training, \(report.validationCount) validation"
        + (report.validatedOnTrainingSplit ? " (metrics below are on the training split)" : "")),
      ReportFact("skipped", skippedCount(report.issues.count)),
      ReportFact("epochs", "\(report.history.epochs.count) train"
        + (report.fineTuneHistory.map { ", \($0.epochs.count) fine-tune (embeddings unfrozen)" } ?? "")),
    ]
    if let baseline = report.baseline, !report.validatedOnTrainingSplit {
      facts.append(ReportFact("baseline", "\(baseline); " + baseline.verdict(transferAccuracy: report.validation.accuracy)))
    }
    if let blend = report.blend {
      facts.append(ReportFact("blend", blend.weight > 0
        ? String(format: "the model averages the LSTM (%.2f) and the baseline's regression (%.2f): validation accuracy %.4f, macro-F1 %.4f (weight chosen on this split; the metrics below are the LSTM's)",
                 1 - blend.weight, blend.weight, blend.metrics.accuracy, blend.metrics.macroF1)
        : "the LSTM alone (averaging in the baseline's regression did not lower the validation log-loss)"))
    }
    let stages = ReportStage.stages(report.history, named: "train", fineTune: report.fineTuneHistory)
    return ReportSection(
      heading: heading, facts: facts, stages: stages, metrics: report.validation, rocAUC: report.validationROCAUC,
      examples: examples(report.validationPredictions), exampleCount: report.validationPredictions.count,
      skipped: skipped(report.issues))
  }

  /// The section of an evaluation (`graft text evaluate --report`, `graft evaluate --report`).
  public static func section(evaluation: TextEvaluation, bundle: String, data: String,
                             classifier: TextClassifier? = nil, heading: String = "Evaluation") -> ReportSection {
    section(evaluation: evaluation, facts: [ReportFact("bundle", bundle), ReportFact("data", data)],
            classifier: classifier, heading: heading)
  }

  /// `section(evaluation:bundle:data:…)` with the caller's facts first.
  public static func section(evaluation: TextEvaluation, facts given: [ReportFact], classifier: TextClassifier? = nil,
                             heading: String = "Evaluation") -> ReportSection {
    var facts = given
    if let classifier {
      facts.append(ReportFact("vocabulary", "\(classifier.preprocessing.vocabulary.count) tokens, "
        + "texts cut to \(classifier.preprocessing.maxLength) tokens"))
      facts.append(ReportFact("labels", classifier.labels.joined(separator: ", ")))
    }
    facts += [
      ReportFact("examples", "\(evaluation.predictions.count)"),
      ReportFact("skipped", skippedCount(evaluation.issues.count)),
    ]
    return ReportSection(
      heading: heading, facts: facts, metrics: evaluation.metrics, rocAUC: evaluation.rocAUC,
      examples: examples(evaluation.predictions), exampleCount: evaluation.predictions.count,
      skipped: skipped(evaluation.issues))
  }

  /// The grid: `ReportExample.gridOrder` (mistakes first, most confident first) of at most
  /// `limit` examples, each named by its source and carrying its text.
  public static func examples(_ predictions: [TextExamplePrediction], limit: Int = exampleLimit) -> [ReportExample] {
    let all = predictions.map { p in
      ReportExample(name: p.source, actual: p.actual, predicted: p.predicted, confidence: p.probability, text: p.text)
    }
    return ReportExample.gridOrder(all, limit: limit).map { e in
      var e = e
      if let text = e.text, text.count > snippetLength { e.text = String(text.prefix(snippetLength - 1)) + "…" }
      return e
    }
  }

  /// One line per skipped row or file (`path:line: reason`), at most `skippedLimit`.
  public static func skipped(_ issues: [DataIssue]) -> [String] {
    var lines = issues.prefix(skippedLimit).map(\.description)
    if issues.count > skippedLimit { lines.append("… and \(issues.count - skippedLimit) more") }
    return lines
  }

  static func skippedCount(_ n: Int) -> String { n == 1 ? "1 row or file" : "\(n) rows or files" }

  static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
}
