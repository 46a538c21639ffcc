import Foundation
import GraftCore

/// The head-versus-fine-tune part of a `train` command's output: text lines, JSON members
/// ("head", "fine_tune") and report facts and sweep, from a `TransferResult`.
enum FineTuneOutput {
  /// `"head"`: the head stage's validation; `"fine_tune"`: what the stage did (null when none
  /// was asked for), with its validation, `kept`, the rates and, when a sweep ran, `lr_find`.
  static func json(_ result: TransferResult) -> [String: JSONValue] {
    var object: [String: JSONValue] = ["head": evaluation(result.headEvaluation)]
    guard let outcome = result.fineTuneOutcome else {
      object["fine_tune"] = .null
      return object
    }
    var fineTune: [String: JSONValue] = [
      "decision": .string(outcome.decision.rawValue), "kept": .bool(outcome.kept), "ran": .bool(outcome.ran),
      "reason": .string(outcome.reason), "blocks": .number(Double(outcome.blocks)),
      "epochs": .number(Double(outcome.epochs)), "base_learning_rate": .number(Double(outcome.baseLearningRate)),
      "head_learning_rate": .number(Double(outcome.headLearningRate)), "cost_image_epochs": .number(outcome.cost),
      "budget_image_epochs": outcome.budget.map { .number($0) } ?? .null,
      "epochs_run": .number(Double(result.fineTuneHistory?.epochs.count ?? 0)),
      "validation": outcome.ran ? evaluation(result.fineTuneEvaluation) : .null,
    ]
    fineTune["lr_find"] = outcome.search.map(sweep) ?? .null
    object["fine_tune"] = .object(fineTune)
    return object
  }

  static func evaluation(_ e: Evaluation?) -> JSONValue {
    guard let e else { return .null }
    return ["accuracy": .number(e.metrics.accuracy), "loss": .number(e.loss), "macro_f1": .number(e.metrics.macroF1)]
  }

  static func sweep(_ r: LearningRateFinderResult) -> JSONValue {
    [
      "suggestion": r.beforeRiseOverTen.map { .number(Double($0)) } ?? .null,
      "rise_edge": r.riseEdge.map { .number(Double($0)) } ?? .null,
      "steepest": r.steepest.map { .number(Double($0)) } ?? .null,
      "minimum_over_ten": r.minimumOverTen.map { .number(Double($0)) } ?? .null,
      "stopped_early": .bool(r.stoppedEarly),
      "learning_rates": .array(r.points.map { .number(Double($0.learningRate)) }),
      "losses": .array(r.points.map { .number(Double($0.smoothedLoss)) }),
    ]
  }

  /// Lines for the text output: both evaluations (`unit`: what the validation counts) and the
  /// decision; with `plot`, the sweep as a text plot.
  static func text(_ result: TransferResult, plot: Bool, unit: String = "items") -> String {
    var text = ""
    guard let outcome = result.fineTuneOutcome else {
      return plot ? "no learning-rate sweep: this run does not fine-tune (--fine-tune-blocks N asks for it)\n" : ""
    }
    if plot {
      if let search = outcome.search {
        text += "learning-rate sweep of the fine-tune stage (base's rate; head at the policy's ratio):\n" + search.plot()
        text += "suggestion (a tenth of where the loss rises past 1.5× its lowest and its lowest + 0.05): "
          + (search.beforeRiseOverTen.map { "\($0)" } ?? "none") + "\n"
      } else {
        text += "no learning-rate sweep: " + (outcome.ran ? "the rate was given (--fine-tune-lr)" : "the stage did not run") + "\n"
      }
    }
    func line(_ e: Evaluation?) -> String {
      e.map { String(format: "accuracy %.3f, loss %.4f", $0.metrics.accuracy, $0.loss) } ?? "no validation"
    }
    if outcome.ran {
      text += "validation (\(unit)) after the head: \(line(result.headEvaluation)); after fine-tuning: "
        + "\(line(result.fineTuneEvaluation))\n"
      text += String(format: "fine-tune rates: base %.2e, head %.2e\n", outcome.baseLearningRate, outcome.headLearningRate)
    }
    return text + outcome.reason + "\n"
  }

  /// Facts for the report, and the sweep drawn in `section`.
  static func decorate(_ section: inout ReportSection, _ result: TransferResult) {
    if let head = result.headEvaluation {
      section.facts.append(ReportFact("validation after the head", String(format: "accuracy %.3f, loss %.4f",
                                                                           head.metrics.accuracy, head.loss)))
    }
    guard let outcome = result.fineTuneOutcome else { return }
    if outcome.ran, let tuned = result.fineTuneEvaluation {
      section.facts.append(ReportFact("validation after fine-tuning", String(format: "accuracy %.3f, loss %.4f",
                                                                              tuned.metrics.accuracy, tuned.loss)))
      section.facts.append(ReportFact("fine-tune rates", String(format: "base %.2e, head %.2e",
                                                                outcome.baseLearningRate, outcome.headLearningRate)))
    }
    section.facts.append(ReportFact("fine-tune", outcome.reason))
    section.learningRateSweep = outcome.search
    section.chosenLearningRate = outcome.search == nil ? nil : outcome.baseLearningRate
  }
}
