import Foundation
import GraftCore

extension ImageClassifier {
  /// A bare pretrained network with its own classifier, as a classifier — no training: the
  /// ImageNet MobileNetV2 `.tflite` (1,001 classes, class 0 "background"), or a torchvision
  /// ResNet/MobileNetV2 state dict (`.pth`, `.pt`, `.safetensors`) that kept its `fc` or
  /// `classifier.1` (`architecture` names the network when the file cannot).
  ///
  /// The class count is read from the classifier's weights; the preprocessing is the one the
  /// base states (the `.tflite`'s input side and (u8 − 128)/128), else 224×224 with ImageNet's
  /// statistics, as for training. Class names come from `labels` (`readLabels`), else from
  /// `labelFileName` beside the weights file when it is there (Coral publishes
  /// `imagenet_labels.txt` with the model), else "class N".
  public static func pretrained(_ path: String, architecture: ArchitectureSpec? = nil, labels: [String]? = nil) throws
    -> ImageClassifier
  {
    VisionBases.register()
    let read = try BaseSource.readWeights(path, requested: architecture)
    try BaseSource.check(read.architecture.name, path: path, allowed: architectures)
    guard let weight = read.tensors["classifier.1.weight"] ?? read.tensors["fc.weight"], weight.rank == 2 else {
      throw ImageClassifierError(path: path, reason: .noClassifier(architecture: read.architecture.name))
    }
    let classes = weight.shape[0]
    var spec = architecture ?? read.architecture
    spec.hyperparameters["classes"] = .number(Double(classes))
    let source = BaseSource.weights(path, architecture: spec)
    let loaded = try load(source)
    let head: Layer
    switch loaded.network {
    case let mobileNet as MobileNetV2 where mobileNet.classifier != nil: head = mobileNet.classifier!
    case let resNet as ResNet where resNet.fc != nil: head = resNet.fc!
    default: throw ImageClassifierError(path: path, reason: .noClassifier(architecture: spec.name))
    }
    let names = try labels ?? labelsBeside(path) ?? (0..<classes).map { "class \($0)" }
    guard names.count == classes else {
      throw ImageClassifierError(path: path, reason: .labels("the labels name \(names.count) classes, the network has \(classes)"))
    }
    let preprocessing = try self.preprocessing(for: loaded, source: source)
    let model = Classifier(base: loaded.network, head: head)
    model.eval()
    return ImageClassifier(model: model, labels: names, preprocessing: preprocessing)
  }

  /// The class-name file published beside an ImageNet network (Coral's `imagenet_labels.txt`).
  public static let labelFileName = "imagenet_labels.txt"

  /// Class names, one per class in output order: a text file with one name per line (Coral's
  /// `imagenet_labels.txt`, line 0 "background"; names verbatim, a trailing empty line ignored),
  /// or a CSV whose header has a `display_name` column (AudioSet-style class maps).
  public static func readLabels(_ path: String) throws(ImageClassifierError) -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ImageClassifierError(path: path, reason: .labels("cannot read the labels file"))
    }
    let text = String(decoding: data, as: UTF8.self)
    // "\r\n" is one Character in Swift: both ends of line are separators.
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
    if lines.first?.contains("display_name") == true {
      let table = DelimitedText(bytes: [UInt8](data), dialect: .csv, path: path)
      guard let header = table.records.first?.fields, let column = header.firstIndex(of: "display_name") else {
        throw ImageClassifierError(path: path, reason: .labels("the header line cannot be read"))
      }
      var names: [String] = []
      for record in table.records.dropFirst() {
        guard let fields = record.fields, column < fields.count else {
          throw ImageClassifierError(path: path, reason: .labels("line \(record.line) has no display_name field"))
        }
        names.append(fields[column])
      }
      return names
    }
    if lines.last == "" { lines.removeLast() }
    guard !lines.isEmpty else { throw ImageClassifierError(path: path, reason: .labels("the labels file is empty")) }
    return lines
  }

  static func labelsBeside(_ path: String) throws(ImageClassifierError) -> [String]? {
    let file = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(labelFileName)
    return FileManager.default.fileExists(atPath: file) ? try readLabels(file) : nil
  }
}
