import Foundation
import GraftCore

/// Zero-shot AudioSet tagging and detection with a bare pretrained base's own classifier — no
/// training: EfficientAT's mn04 (`MN`, 527 classes) or YAMNet (521), from their original files.
///
/// Clip scores are each model's own clip-level inference: mn04 runs the whole clip's log-mel
/// (`EfficientATFrontEnd`, any length) through the network, whose global pooling spans the clip;
/// YAMNet scores its 0.96 s patches (48 frames apart) and averages the scores, as its reference
/// code does. Scores are sigmoids (AudioSet is multi-label): they do not sum to one.
///
/// `detector(for:)` makes a two-label `SoundClassifier` ("not C", "C") for one class whose
/// head outputs `[0, logit_C]`: its softmax is exactly the class's sigmoid score, so the events,
/// thresholds and reports of trained detectors apply unchanged.
public final class AudioSetTagger {
  public let network: any FeatureExtractor
  /// One name per class, in the classifier's order.
  public let labels: [String]

  /// Loads `base` (a weights file of an AudioSet network with its classifier) and names its
  /// classes from `labels` (`AudioSetTagger.readLabels`); without them, from the class list
  /// published with the network when it lies beside the file (`class_labels_indices.csv` for
  /// mn04, `yamnet_class_map.csv` for YAMNet: `labelFileName`), else "class N".
  public init(base: BaseSource, labels: [String]? = nil) throws {
    registerArchitectures()
    var base = base
    // yamnet.tflite maps to a base without its classifier unless the classes are asked for.
    if case .weights(let path, nil) = base, (try? WeightsFormat.detect(path)) == .tflite {
      base = .weights(path, architecture: ArchitectureSpec(name: "yamnet", hyperparameters: ["classes": .number(Double(YAMNet.audioSetClasses))]))
    }
    let loaded = try base.load(architectures: ["mn04_as", "mn", "yamnet"])
    let classes: Int
    switch loaded.network {
    case let mn as MN:
      guard let c = mn.classCount else { throw AudioSetTaggerError.noClassifier(mn.architecture.name) }
      mn.inputLayout = .melsByFrames
      classes = c
    case let yamnet as YAMNet:
      guard let c = yamnet.classCount else { throw AudioSetTaggerError.noClassifier("yamnet") }
      classes = c
    default:
      throw AudioSetTaggerError.noClassifier(loaded.network.architecture.name)
    }
    let names = try labels ?? Self.labelsBeside(base, network: loaded.network)
    if let names, names.count != classes { throw AudioSetTaggerError.labelCount(names.count, classes: classes) }
    network = loaded.network
    network.eval()
    self.labels = names ?? (0..<classes).map { "class \($0)" }
  }

  /// The class-list file each network is published with, looked for beside its weights file.
  public static func labelFileName(for network: any FeatureExtractor) -> String {
    labelFileName(architecture: network is YAMNet ? "yamnet" : "mn")!
  }

  /// The class-list file published with the registered architecture `name` (`yamnet`, `mn`,
  /// `mn04_as`), or nil for an architecture that is not an AudioSet tagger.
  public static func labelFileName(architecture name: String) -> String? {
    switch name {
    case "yamnet": "yamnet_class_map.csv"
    case "mn", "mn04_as": "class_labels_indices.csv"
    default: nil
    }
  }

  /// The class names from `labelFileName` in the weights file's folder, or nil when the file is
  /// not there (a file that is there but malformed is an error: it was meant to be read).
  static func labelsBeside(_ base: BaseSource, network: any FeatureExtractor) throws -> [String]? {
    guard case .weights(let path, _) = base else { return nil }
    let file = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(labelFileName(for: network))
    guard FileManager.default.fileExists(atPath: file) else { return nil }
    return try readLabels(file)
  }

  /// The front end of this network's patches: EfficientAT's for mn04, YAMNet's for YAMNet.
  public var frontEnd: LogMelFrontEnd { network is MN ? .efficientAT() : .yamnet }

  /// YAMNet patches per forward pass of a clip-level score (`SoundClassifier.batchSize`'s default).
  static let patchBatch = 8

  /// Clip-level scores, one per class, of the audio file at `path`.
  public func scores(file path: String) throws(PreprocessingError) -> [Float] {
    let logits: Tensor
    if let mn = network as? MN {
      let input = try EfficientATFrontEnd().melInput(file: path)  // [1, 1, mels, frames]
      let x = mn.inputLayout == .melsByFrames ? input : input.transposed(2, 3)
      logits = withoutGradients { mn.logits(x) }
    } else {
      let yamnet = network as! YAMNet  // init admits only MN and YAMNet
      let patches = try LogMelFrontEnd.yamnet.patches(file: path).tensor
      // The mean of the patches' scores, `patchBatch` patches at a time: all of a 10-minute file's
      // 1,249 patches in one batch peaked at 3.5 GB (an hour's would not fit in most machines).
      let p = patches.shape[0]
      var sums: [Float] = []
      withoutGradients {
        for start in stride(from: 0, to: p, by: Self.patchBatch) {
          let scores = yamnet.scores(patches.slice(axis: 0, start: start, count: min(Self.patchBatch, p - start)))
          let (n, c, values) = (scores.shape[0], scores.shape[1], scores.scalars)
          if sums.isEmpty { sums = [Float](repeating: 0, count: c) }
          for i in 0..<n { for j in 0..<c { sums[j] += values[i * c + j] } }
        }
      }
      return sums.map { $0 / Float(p) }
    }
    return logits.scalars.map { 1 / (1 + exp(-$0)) }
  }

  /// The `k` best-scoring classes of the file at `path`, best first.
  public func top(file path: String, k: Int) throws(PreprocessingError) -> [LabelScore] {
    let s = try scores(file: path)
    return s.indices.sorted { s[$0] > s[$1] || (s[$0] == s[$1] && $0 < $1) }.prefix(max(1, k))
      .map { LabelScore(label: labels[$0], probability: Double(s[$0])) }
  }

  /// A detector of the class named `name` (verbatim, as in the labels file).
  public func detector(for name: String, threshold: Float = 0.5) throws -> SoundClassifier {
    guard let index = labels.firstIndex(where: { $0.utf8.elementsEqual(name.utf8) }) else {
      let close = labels.filter { $0.lowercased().contains(name.lowercased()) }.prefix(5)
      throw AudioSetTaggerError.unknownClass(name, suggestions: Array(close))
    }
    let head: Layer
    switch network {
    case let mn as MN:
      // The classifier after its pooling and flattening (features are already pooled).
      head = Sequential(Array(mn.classifier!.layers.dropFirst(2)) + [LogitOfOne(index: index)])
      mn.inputLayout = .framesByMels
    default:
      head = Sequential((network as! YAMNet).classifier!, LogitOfOne(index: index))
    }
    let model = Classifier(base: network, head: head)
    model.eval()  // the classifier's dropout off
    return SoundClassifier(model: model, labels: ["not " + name, name], frontEnd: frontEnd, positiveLabel: name,
                           threshold: threshold)
  }

  /// The display names of an AudioSet class list: `class_labels_indices.csv` (mn04) or
  /// `yamnet_class_map.csv`, `index,mid,display_name` with a header; names verbatim, in index order.
  public static func readLabels(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { throw AudioSetTaggerError.unreadable(path) }
    let table = DelimitedText(bytes: [UInt8](data), dialect: .csv, path: path)
    guard let header = table.records.first?.fields, let column = header.firstIndex(of: "display_name"),
          let indexColumn = header.firstIndex(of: "index") else {
      throw AudioSetTaggerError.malformedLabels(path, "no header with index and display_name")
    }
    var names: [String] = []
    for record in table.records.dropFirst() {
      let fields = try record.result.get()
      guard fields.count > max(column, indexColumn), Int(fields[indexColumn]) == names.count else {
        throw AudioSetTaggerError.malformedLabels(path, "line \(record.line): expected index \(names.count) and a display_name")
      }
      names.append(fields[column])
    }
    return names
  }
}

/// `[N, K]` logits → `[N, 2]` = `[0, logit_index]` (inference only): softmax of it is the sigmoid of
/// the one class.
final class LogitOfOne: Layer {
  let index: Int
  init(index: Int) { self.index = index }
  override func forward(_ x: Tensor) -> Tensor {
    let n = x.shape[0], k = x.shape[1]
    return Tensor(shape: [n, 2], (0..<n).flatMap { [0, x.data[$0 * k + index]] })
  }
}

public enum AudioSetTaggerError: Error, CustomStringConvertible {
  case noClassifier(String)
  case labelCount(Int, classes: Int)
  case unknownClass(String, suggestions: [String])
  case unreadable(String)
  case malformedLabels(String, String)

  public var description: String {
    switch self {
    case .noClassifier(let name):
      return "\(name) has no AudioSet classifier to tag with (zero-shot needs mn04_as or yamnet with their classes)"
    case .labelCount(let n, let classes): return "the labels file names \(n) classes, the network has \(classes)"
    case .unknownClass(let name, let close):
      return "no class named \"\(name)\"" + (close.isEmpty ? "" : " (did you mean \(close.map { "\"\($0)\"" }.joined(separator: ", "))?)")
    case .unreadable(let path): return "\(path): cannot read the labels file"
    case .malformedLabels(let path, let why): return "\(path): not an AudioSet class list: \(why)"
    }
  }
}
