import GraftCore

/// How every `train` command shows its raw-input baseline (`BaselineComparison`): one line in
/// the text summary, a `"baseline"` object in `--json`, a fact in the report.
enum BaselineOutput {
  /// `{"name", "features", "train_count", "validation_count", "accuracy", "macro_f1", "l2",
  /// "transfer_accuracy", "gain", "verdict"}`, or null without a validation split.
  static func json(_ baseline: BaselineComparison?, transferAccuracy: Double?) throws -> JSONValue {
    guard let baseline, case .object(var o) = try JSONValue(encoding: baseline) else { return .null }
    if let transferAccuracy {
      o["transfer_accuracy"] = .number(transferAccuracy)
      o["gain"] = .number(transferAccuracy - baseline.accuracy)
      o["verdict"] = .string(baseline.verdict(transferAccuracy: transferAccuracy))
    }
    return .object(o)
  }

  /// "baseline: … \ntransfer paid: …", or a line saying why there is none.
  static func text(_ baseline: BaselineComparison?, transferAccuracy: Double?) -> String {
    guard let baseline else { return "baseline: none (no validation split to compare on)" }
    var text = "baseline: \(baseline)"
    if let transferAccuracy { text += "\n" + baseline.verdict(transferAccuracy: transferAccuracy) }
    return text
  }

  static func fact(_ baseline: BaselineComparison?, transferAccuracy: Double?) -> ReportFact {
    ReportFact("baseline", baseline.map { b in
      "\(b)" + (transferAccuracy.map { "; " + b.verdict(transferAccuracy: $0) } ?? "")
    } ?? "none (no validation split)")
  }
}
