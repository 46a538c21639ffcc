import ArgumentParser
import Foundation
import GraftCore
import GraftVision

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Predict the labels of files with a bundle (for vision: PNG images).",
    discussion: """
      Prints the top K labels with their probabilities for each file. A file that cannot be read
      is reported on stderr (one line naming it and the reason) and the exit status is 1; the
      other files are still predicted.

      Examples:
        graft predict pets.graft cat.png dog.png --top 3
        graft predict pets.graft cat.png --json
      """)

  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Argument(help: ArgumentHelp("Files to classify.", valueName: "file"))
  var files: [String]

  @Option(help: "How many labels to print per file.")
  var top: Int = 1

  @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"label\", \"probability\"}]} or {\"file\", \"error\"}].")
  var json = false

  func validate() throws {
    if top < 1 { throw ValidationError("--top must be positive") }
    if files.isEmpty { throw ValidationError("give at least one file") }
  }

  struct Entry: Encodable {
    var file: String
    var predictions: [ImageClassifier.Prediction]?
    var error: String?
  }

  func run() throws {
    let model = try ModelBundle.read(from: bundle)
    let entries: [Entry]
    switch model.config.modality {
    case ImageClassifier.modality:
      let classifier = try ImageClassifier(bundle: model, path: bundle)
      let k = min(top, classifier.labels.count)
      entries = files.map { file in
        do throws(PNGError) {
          return Entry(file: file, predictions: try classifier.predict(file: file, top: k))
        } catch {
          return Entry(file: file, error: error.description)
        }
      }
    default:
      throw unsupportedModality(bundle, model.config.modality)
    }
    for e in entries { if let error = e.error { Console.writeError("graft: \(error)\n") } }
    if json {
      try printJSON(entries)
    } else {
      var text = ""
      for e in entries {
        guard let predictions = e.predictions else { continue }
        text += "\(e.file): " + predictions.map { String(format: "%@ %.4f", $0.label, $0.probability) }
          .joined(separator: ", ") + "\n"
      }
      Console.writeOutput(text)
    }
    if entries.contains(where: { $0.error != nil }) { throw ExitCode(1) }
  }
}
