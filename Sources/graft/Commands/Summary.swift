import ArgumentParser
import Foundation
import GraftCore

struct Summary: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Describe a bundle: modality, architecture table, labels, preprocessing, training history.",
    discussion: """
      Rebuilds the model from the bundle (as prediction does) to print its layer table.

      Examples:
        graft summary pets.graft
        graft summary pets.graft --json
      """)

  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Flag(help: "Print config.json's content plus the layer rows as JSON.")
  var json = false

  func run() throws {
    let model = try ModelBundle.read(from: bundle)
    let config = model.config
    let rows = try layerRows(model)
    if json {
      guard case .object(var object) = try JSONValue(encoding: config) else { return }
      object["layers"] = try JSONValue(encoding: rows)
      object["parameters"] = .number(Double(model.weights.filter { !$0.key.hasSuffix("running_mean") && !$0.key.hasSuffix("running_var") && !$0.key.hasSuffix("num_batches_tracked") }.values.reduce(0) { $0 + $1.count }))
      try printJSON(JSONValue.object(object))
      return
    }
    var text = "bundle        \(bundle)\n"
    text += "modality      \(config.modality)\n"
    text += "architecture  \(config.architecture.name) \(JSONValue.object(config.architecture.hyperparameters))\n"
    text += "labels        \(config.labels.joined(separator: ", "))\n"
    for key in config.preprocessing.keys.sorted() {
      let value = config.preprocessing[key]!.description
      text += "preprocessing \(key) = \(value.count > 120 ? String(value.prefix(117)) + "…" : value)\n"
    }
    if let table = try layerTable(model) { text += "\n" + table + "\n" }
    text += history(config.training)
    Console.writeOutput(text)
  }

  /// The rebuilt model, when this build knows the architecture: a transfer classifier of any
  /// modality, or what the modality's registered classifier rebuilds.
  func rebuilt(_ model: ModelBundle) throws -> Module? {
    if model.config.architecture.name == "classifier" { return try model.makeClassifier(path: bundle) }
    guard ModalityRegistry.knows(model.config.modality) else { return nil }
    return try ModalityRegistry.classifier(bundle: model, path: bundle).network
  }

  func layerRows(_ model: ModelBundle) throws -> [Module.SummaryRow] { try rebuilt(model)?.summaryRows() ?? [] }

  func layerTable(_ model: ModelBundle) throws -> String? { try rebuilt(model)?.summary() }

  /// Per-epoch lines of every training stage recorded in the bundle.
  func history(_ training: [String: JSONValue]) -> String {
    var text = ""
    for stage in training.keys.sorted() {
      guard let epochs = training[stage]?["epochs"]?.array, !epochs.isEmpty else { continue }
      text += "\n\(stage): epoch  train_loss  train_acc  val_loss  val_acc  val_macro_f1\n"
      for e in epochs {
        func f(_ key: String, _ digits: Int) -> String {
          e[key]?.double.map { String(format: "%.\(digits)f", $0) } ?? "-"
        }
        text += String(format: "%@  %5@  %10@  %9@  %8@  %7@  %12@\n", String(repeating: " ", count: stage.count - 1),
                       e["epoch"]?.description ?? "?", f("train_loss", 4), f("train_accuracy", 3), f("validation_loss", 4),
                       f("validation_accuracy", 3), f("validation_macro_f1", 3))
      }
    }
    return text
  }
}
