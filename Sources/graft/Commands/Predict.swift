import ArgumentParser
import Foundation
import GraftAudio
import GraftCore
import GraftText
import GraftVision

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Predict labels with a bundle: PNG images (vision), audio files (audio) or texts (text).",
    discussion: """
      Prints the top K labels with their probabilities for each input. For a vision bundle the
      inputs are PNG files; a file that cannot be read is reported on stderr (one line naming
      it and the reason) and the exit status is 1; the other files are still predicted. For a
      text bundle the inputs are the texts themselves, or the lines of --file.

      Examples:
        graft predict pets.graft cat.png dog.png --top 3
        graft predict pets.graft cat.png --json
        graft predict sentiment.graft "great movie" "not worth it" --json
        graft predict sentiment.graft --file reviews.txt
      """)

  @Argument(help: ArgumentHelp("The bundle directory.", valueName: "name.graft"))
  var bundle: String

  @Argument(help: ArgumentHelp("Files to classify (vision), or texts (text).", valueName: "input"))
  var files: [String] = []

  @Option(name: .customLong("file"), help: ArgumentHelp("Text bundles: classify each line of this file.", valueName: "path"))
  var textFile: String?

  @Option(help: "How many labels to print per file.")
  var top: Int = 1

  @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"label\", \"probability\"}]} or {\"file\", \"error\"}].")
  var json = false

  func validate() throws {
    if top < 1 { throw ValidationError("--top must be positive") }
    if files.isEmpty && textFile == nil { throw ValidationError("give at least one input (or --file for texts)") }
  }

  struct Scored: Encodable {
    var label: String
    var probability: Double
  }

  struct Entry: Encodable {
    var file: String
    var predictions: [Scored]?
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
          let predictions = try classifier.predict(file: file, top: k)
          return Entry(file: file, predictions: predictions.map { Scored(label: $0.label, probability: $0.probability) })
        } catch {
          return Entry(file: file, error: error.description)
        }
      }
    case "text":
      var texts = files
      if let textFile {
        guard let data = FileManager.default.contents(atPath: textFile) else { throw CLIError("\(textFile): cannot read the file") }
        texts += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      }
      entries = try TextClassifier.predict(bundlePath: bundle, texts: texts).map { p in
        let ranked = zip(p.labels, p.probabilities).sorted { $0.1 > $1.1 }.prefix(top)
        return Entry(file: p.text, predictions: ranked.map { Scored(label: $0.0, probability: Double($0.1)) })
      }
    case "audio":
      entries = try zip(files, SoundClassifier.predict(bundlePath: bundle, files: files)).map { file, result in
        switch result {
        case .success(let p):
          let ranked = zip(p.labels, p.probabilities).sorted { $0.1 > $1.1 }.prefix(top)
          return Entry(file: file, predictions: ranked.map { Scored(label: $0.0, probability: Double($0.1)) })
        case .failure(let error):
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
