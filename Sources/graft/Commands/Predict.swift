import ArgumentParser
import Foundation
import GraftAudio
import GraftCore
import GraftVision

struct Predict: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Predict labels with a bundle: PNG images (vision), audio files (audio) or texts (text).",
    discussion: """
      Prints the top K labels with their probabilities for each input. The bundle's modality \
      picks the classifier (ModalityRegistry): for vision and audio bundles the inputs are \
      files; a file that cannot be read is reported on stderr (one line naming it and the \
      reason) and the exit status is 1; the other files are still predicted. For a text bundle \
      the inputs are the texts themselves, or the lines of --file.

      Examples:
        graft predict pets.graft cat.png dog.png --top 3
        graft predict pets.graft cat.png --json
        graft predict sentiment.graft "great movie" "not worth it" --json
        graft predict sentiment.graft --file reviews.txt

      With no training: a bare pretrained network file in place of the bundle predicts with the \
      network's own classifier. An ImageNet network (the MobileNetV2 .tflite, or a torchvision \
      ResNet/MobileNetV2 .pth with --arch) prints the top ImageNet classes of each PNG image, its \
      preprocessing the one the file states; an AudioSet network (EfficientAT mn04's .pt with \
      --arch mn04_as, or yamnet.tflite) the top AudioSet classes of each audio file (clip-level \
      scores, sigmoid: they do not sum to one). Class names come from --labels (a text file with \
      one name per line, as Coral's imagenet_labels.txt, or a CSV with a display_name column: \
      class_labels_indices.csv, yamnet_class_map.csv), by default from that file beside the \
      network file.

        graft predict mobilenet_v2_1.0_224_quant.tflite cat.png --top 5
        graft predict mn04_as_mAP_432.pt --arch mn04_as --labels class_labels_indices.csv clip.wav --top 5
        graft predict yamnet.tflite --labels yamnet_class_map.csv clip.wav --json
      """)

  @OptionGroup var options: PredictOptions

  func validate() throws { try options.validate() }
  func run() throws { try options.run(modality: nil) }
}

/// `graft predict` and each modality's `predict` that goes the same way (`graft vision predict`):
/// the bundle's classifier through `ModalityRegistry`, printed one way.
struct PredictOptions: ParsableArguments {
  @Argument(help: ArgumentHelp("The bundle directory, or a bare ImageNet or AudioSet network file with its classifier.", valueName: "name.graft"))
  var bundle: String

  @Argument(help: ArgumentHelp("Files to classify (vision, audio), or texts (text).", valueName: "input"))
  var files: [String] = []

  @Option(name: .customLong("file"), help: ArgumentHelp("Classify each non-empty line of this file (texts).", valueName: "path"))
  var textFile: String?

  @Option(help: "How many labels to print per input.")
  var top: Int = 1

  @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"label\", \"probability\"}]} or {\"file\", \"error\"}].")
  var json = false

  @Option(help: ArgumentHelp("With a bare network file: its architecture when the file does not name it (mn04_as for EfficientAT's .pt, resnet18 or mobilenet_v2 for a torchvision .pth).", valueName: "arch"))
  var arch: String?

  @Option(help: ArgumentHelp("With a bare network file: the class names of its outputs, one per line or a CSV with a display_name column (default: imagenet_labels.txt, class_labels_indices.csv or yamnet_class_map.csv beside the network file).", valueName: "file"))
  var labels: String?

  func validate() throws {
    if top < 1 { throw ValidationError("--top must be positive") }
    if files.isEmpty && textFile == nil { throw ValidationError("give at least one input (or --file for texts)") }
  }

  struct Entry: Encodable {
    var file: String
    var predictions: [LabelScore]?
    var error: String?
  }

  /// Predicts every input with the bundle's classifier (of `modality` when given).
  func run(modality: String?) throws {
    var isDirectory: ObjCBool = false
    if modality != "text", FileManager.default.fileExists(atPath: bundle, isDirectory: &isDirectory),
       !isDirectory.boolValue {
      return try print(try bareNetwork(modality: modality))
    }
    if arch != nil || labels != nil { throw ValidationError("--arch and --labels go with a bare network file, not a bundle") }
    let classifier = try ModalityRegistry.classifier(bundleAt: bundle, expecting: modality)
    var inputs = files
    if let textFile {
      guard let data = FileManager.default.contents(atPath: textFile) else { throw CLIError("\(textFile): cannot read the file") }
      inputs += String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }
    // In an MPI job each rank predicts its share of the inputs; every rank gets them all back.
    let k = min(top, classifier.labels.count)
    try print(ProcessGroups.current.shardedMap(inputs) { classifier.predict(inputs: $0, top: k) })
  }

  /// The top classes of each file by a bare network's own classifier: an image network's
  /// (`ImageClassifier.pretrained`) or an AudioSet network's (`zeroShot`). Which one: `modality`
  /// when given, else the architecture (`--arch`, or what the file names or its graph shows).
  func bareNetwork(modality: String?) throws -> [InputPrediction] {
    let name: String
    if let modality { name = modality == ImageClassifier.modality ? "mobilenet_v2" : "mn04_as" }
    else if let arch { name = arch }
    else { name = try BaseSource.readWeights(bundle).architecture.name }
    guard ImageClassifier.architectures.contains(name) else { return try zeroShot() }
    let spec = try arch.map { try VisionBases.architecture(name: $0) }
    let classifier = try ImageClassifier.pretrained(bundle, architecture: spec, labels: try labels.map(ImageClassifier.readLabels))
    return ProcessGroups.current.shardedMap(files) { classifier.predict(inputs: $0, top: top) }
  }

  /// The top AudioSet classes of each file by a bare network's own classifier (`AudioSetTagger`).
  func zeroShot() throws -> [InputPrediction] {
    let spec = try arch.map { try SoundClassifier.architecture(name: $0) }
    let tagger = try AudioSetTagger(base: .weights(bundle, architecture: spec), labels: try labels.map(AudioSetTagger.readLabels))
    return ProcessGroups.current.shardedMap(files) { share in
      share.map { file in
        do throws(PreprocessingError) {
          return InputPrediction(input: file, result: .success(try tagger.top(file: file, k: top)))
        } catch {
          return InputPrediction(input: file, result: .failure(DataIssue(path: error.path, reason: error.reason.description)))
        }
      }
    }
  }

  /// Prints the predictions (rank 0), failures on stderr; exit status 1 when any input failed.
  func print(_ predictions: [InputPrediction]) throws {
    let entries = predictions.map { p in
      switch p.result {
      case .success(let scores): Entry(file: p.input, predictions: scores)
      case .failure(let issue): Entry(file: p.input, error: issue.description)
      }
    }
    for e in entries where ProcessGroups.isLeader { if let error = e.error { Console.writeError("graft: \(error)\n") } }
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
