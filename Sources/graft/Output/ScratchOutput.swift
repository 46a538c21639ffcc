import Foundation
import GraftCore

/// `--compare-scratch`: the transfer model's architecture trained from random weights with the
/// `--base none` defaults on the same training and validation split, shown beside the transfer
/// result (text line, `"scratch"` in `--json`, a report fact).
struct ScratchComparison: Encodable {
  var architecture: String
  var accuracy: Double?
  var macroF1: Double?
  var validationCount: Int
  var epochs: Int
  var seconds: Double

  /// The `--compare-scratch` help of `vision train` and `audio train`.
  static let help = "Also train the base's architecture from random weights (the --base none defaults) on the same training and validation split, and print its validation accuracy beside the transfer result. Not with --base none."

  enum CodingKeys: String, CodingKey {
    case architecture, accuracy, epochs, seconds
    case macroF1 = "macro_f1", validationCount = "validation_count"
  }

  /// The base's architecture as a from-scratch spec: its hyper-parameters without the source
  /// network's classifier (`classes`; EfficientAT's `num_classes` 0).
  static func spec(of network: any FeatureExtractor) -> ArchitectureSpec {
    var spec = network.architecture
    spec.hyperparameters["classes"] = nil
    if spec.hyperparameters["num_classes"] != nil { spec.hyperparameters["num_classes"] = .number(0) }
    return spec
  }

  /// "from scratch (NAME, random weights, N epochs, S s): accuracy …; transfer paid: …".
  func text(transferAccuracy: Double?) -> String {
    guard let accuracy else { return "from scratch (\(architecture)): no validation split to compare on" }
    var line = String(format: "from scratch (%@, random weights, %d epochs, %.0f s): accuracy %.4f, macro-F1 %.4f on the same %d validation items",
                      architecture, epochs, seconds, accuracy, macroF1 ?? 0, validationCount)
    if let transferAccuracy { line += "\n" + verdict(transferAccuracy, accuracy) }
    return line
  }

  func verdict(_ transfer: Double, _ scratch: Double) -> String {
    let gap = (transfer - scratch) * 100
    let word = gap > 0.5 ? "beats" : gap < -0.5 ? "loses to" : "ties with"
    return String(format: "transfer %@ scratch: %.4f vs %.4f (%+.1f points)", word, transfer, scratch, gap)
  }

  func json(transferAccuracy: Double?) throws -> JSONValue {
    guard case .object(var o) = try JSONValue(encoding: self) else { return .null }
    if let transferAccuracy, let accuracy {
      o["transfer_accuracy"] = .number(transferAccuracy)
      o["gain"] = .number(transferAccuracy - accuracy)
      o["verdict"] = .string(verdict(transferAccuracy, accuracy))
    }
    return .object(o)
  }

  func fact(transferAccuracy: Double?) -> ReportFact {
    ReportFact("from scratch", text(transferAccuracy: transferAccuracy).replacingOccurrences(of: "\n", with: "; "))
  }
}
