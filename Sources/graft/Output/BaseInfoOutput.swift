import Foundation
import GraftAudio
import GraftCore
import GraftVision

/// `graft base info` as text (a short table, tensors listed compactly) and as JSON (everything).
enum BaseInfoOutput {
  /// Class names from the file published beside the weights (`imagenet_labels.txt` for a vision
  /// network, `class_labels_indices.csv`/`yamnet_class_map.csv` for AudioSet networks), with
  /// the file's path; nil when the network has no classifier or no such file lies beside it.
  /// A file that is there but cannot be read is an error (it was meant to be read).
  static func labels(for info: BaseFileInfo) throws -> (file: String, names: [String])? {
    guard info.labels == nil, info.classes != nil, let name = info.architecture?.name else { return nil }
    let folder = (info.path as NSString).deletingLastPathComponent
    if let audio = AudioSetTagger.labelFileName(architecture: name) {
      let file = (folder as NSString).appendingPathComponent(audio)
      return FileManager.default.fileExists(atPath: file) ? (file, try AudioSetTagger.readLabels(file)) : nil
    }
    guard ImageClassifier.architectures.contains(name) else { return nil }
    let file = (folder as NSString).appendingPathComponent(ImageClassifier.labelFileName)
    return FileManager.default.fileExists(atPath: file) ? (file, try ImageClassifier.readLabels(file)) : nil
  }

  // MARK: JSON

  static func json(_ info: BaseFileInfo, labels: (file: String, names: [String])?) -> JSONValue {
    let names = info.labels ?? labels?.names
    return .object([
      "path": .string(info.path), "format": .string(info.format.rawValue),
      "architecture": info.architecture?.json ?? .null,
      "architecture_source": info.origin.map { .string($0.rawValue) } ?? .null,
      "problem": info.problem.map(JSONValue.string) ?? .null,
      "parameters": .number(Double(info.parameterCount)),
      "tensors": .array(info.tensors.map(json)), "inputs": .array(info.inputs.map(json)),
      "preprocessing": .object(info.preprocessing),
      "classes": info.classes.map { .number(Double($0)) } ?? .null,
      "labels": names.map { .array($0.map(JSONValue.string)) } ?? .null,
      "labels_file": labels.map { .string($0.file) } ?? .null,
      "metadata": .object(info.metadata.mapValues(JSONValue.string)),
      "skipped": .array(info.skipped.map { .object(["name": .string($0.name), "kind": .string($0.kind)]) }),
    ])
  }

  static func json(_ entry: BaseFileInfo.Entry) -> JSONValue {
    .object([
      "name": .string(entry.name), "shape": .array(entry.shape.map { .number(Double($0)) }), "dtype": .string(entry.dtype),
      "quantization": entry.quantization.map { q in
        .object(["scale": .array(q.scales.map { .number(Double($0)) }),
                 "zero_point": .array(q.zeroPoints.map { .number(Double($0)) }), "dimension": .number(Double(q.dimension))])
      } ?? .null,
    ])
  }

  // MARK: Text

  /// How many tensors the text lists in full before it elides the middle.
  static let listedTensors = 24

  static func text(_ info: BaseFileInfo, labels: (file: String, names: [String])?) -> String {
    var rows: [(String, String)] = [("file", info.path), ("format", formatText(info.format))]
    if let spec = info.architecture {
      let origin = switch info.origin {
      case .given?: "given by --arch"
      case .metadata?: "named in the file's metadata"
      case .graph?: "recognised from the graph"
      case .bundle?: "the bundle's base"
      case nil: ""
      }
      rows.append(("architecture", "\(architectureText(spec)) (\(origin))"))
    } else {
      rows.append(("architecture", "cannot tell: the file does not say which network it holds; name it with --arch NAME (\(BaseArchitectureOptions.names.joined(separator: ", ")))"))
    }
    if let problem = info.problem, info.architecture != nil || !problem.contains("does not say which network") {
      rows.append(("problem", problem))
    }
    rows.append(("parameters", "\(grouped(info.parameterCount)) in \(info.tensors.count) tensors (\(dtypeCounts(info.tensors)))"))
    for input in info.inputs {
      rows.append(("input", "\(input.name) \(shapeText(input.shape)) \(input.dtype)\(input.quantization.map { ", " + quantizationText($0) } ?? "")"))
    }
    rows.append(("preprocessing", info.preprocessing.isEmpty ? "not stated (the modality's defaults apply)" : preprocessingText(info.preprocessing)))
    rows.append(("classes", classesText(info, labels: labels)))
    if !info.skipped.isEmpty {
      rows.append(("not tensors", info.skipped.map { "\($0.name) (\($0.kind))" }.joined(separator: ", ")))
    }
    let width = rows.map(\.0.count).max() ?? 0
    var text = rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    text += "tensors\n" + tensorTable(info.tensors)
    return text
  }

  /// `UINT8 ×65, INT32 ×65`: tensors per dtype, most first.
  static func dtypeCounts(_ tensors: [BaseFileInfo.Entry]) -> String {
    var counts: [String: Int] = [:]
    for entry in tensors { counts[entry.dtype, default: 0] += 1 }
    let sorted: [(String, Int)] = counts.sorted { a, b in a.value != b.value ? a.value > b.value : a.key < b.key }
    return sorted.map { name, count in "\(name) ×\(count)" }.joined(separator: ", ")
  }

  static func formatText(_ format: WeightsFormat) -> String {
    switch format {
    case .bundle: "bundle (a Graft model directory)"
    case .safetensors: "safetensors"
    case .pytorch: "pytorch (torch.save zip)"
    case .tflite: "tflite (TensorFlow Lite flatbuffer)"
    }
  }

  /// `mobilenet_v2 (padding same, width_mult 1)`.
  static func architectureText(_ spec: ArchitectureSpec) -> String {
    guard !spec.hyperparameters.isEmpty else { return spec.name }
    let parts = spec.hyperparameters.keys.sorted().map { "\($0) \(valueText(spec.hyperparameters[$0] ?? .null))" }
    return "\(spec.name) (\(parts.joined(separator: ", ")))"
  }

  /// `224×224, mean [0.502, 0.502, 0.502], std [...]`, then any other stated field.
  static func preprocessingText(_ stated: [String: JSONValue]) -> String {
    var parts: [String] = []
    var rest = stated
    if let w = stated["width"], let h = stated["height"] {
      parts.append("\(valueText(w))×\(valueText(h))")
      rest["width"] = nil
      rest["height"] = nil
    }
    for key in ["mean", "std"] + rest.keys.sorted().filter({ $0 != "mean" && $0 != "std" }) {
      guard let value = rest[key] else { continue }
      parts.append("\(key) \(valueText(value))")
    }
    return parts.joined(separator: ", ")
  }

  static func classesText(_ info: BaseFileInfo, labels: (file: String, names: [String])?) -> String {
    guard let classes = info.classes else { return "none (no classifier in the file)" }
    func preview(_ names: [String]) -> String {
      names.prefix(4).map { "\"\($0)\"" }.joined(separator: ", ") + (names.count > 4 ? ", …" : "")
    }
    if let names = info.labels { return "\(classes): \(preview(names))" }
    guard let labels else { return "\(classes) (the classifier's outputs; no labels file beside it)" }
    let file = (labels.file as NSString).lastPathComponent
    guard labels.names.count == classes else {
      return "\(classes) (the classifier's outputs; \(file) names \(labels.names.count): not used)"
    }
    return "\(classes), names from \(file): \(preview(labels.names))"
  }

  /// The tensors as aligned rows, the middle elided past `listedTensors`.
  static func tensorTable(_ tensors: [BaseFileInfo.Entry]) -> String {
    var shown: [BaseFileInfo.Entry?] = tensors
    if tensors.count > listedTensors {
      shown = Array(tensors.prefix(listedTensors - 4)) + [nil] + Array(tensors.suffix(4))
    }
    let nameWidth = shown.compactMap { $0.map { shortName($0.name).count } }.max() ?? 0
    let shapeWidth = shown.compactMap { $0.map { shapeText($0.shape).count } }.max() ?? 0
    let dtypeWidth = shown.compactMap { $0?.dtype.count }.max() ?? 0
    return shown.map { entry -> String in
      guard let entry else { return "  … \(tensors.count - listedTensors + 1) more (--json lists every tensor)\n" }
      var line = "  " + shortName(entry.name).padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
        + shapeText(entry.shape).padding(toLength: shapeWidth, withPad: " ", startingAt: 0) + "  "
        + entry.dtype.padding(toLength: dtypeWidth, withPad: " ", startingAt: 0)
      if let q = entry.quantization { line += "  " + quantizationText(q) }
      return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
    }.joined()
  }

  /// A tensor's name for the text table: a TFLite name's first alias (the converter joins the
  /// names of fused ops with `;`), at most `nameLimit` characters (the end kept).
  static func shortName(_ name: String) -> String {
    let first = name.split(separator: ";", omittingEmptySubsequences: false).first.map(String.init) ?? name
    return first.count <= nameLimit ? first : "…" + first.suffix(nameLimit - 1)
  }

  static let nameLimit = 64

  static func quantizationText(_ q: BaseFileInfo.Quantization) -> String {
    if q.scales.count == 1 {
      return "scale \(number(Double(q.scales[0]))), zero point \(q.zeroPoints.first ?? 0)"
    }
    let lo = q.scales.min() ?? 0, hi = q.scales.max() ?? 0
    return "per-axis on dim \(q.dimension): \(q.scales.count) scales \(number(Double(lo)))…\(number(Double(hi)))"
  }

  static func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

  static func valueText(_ value: JSONValue) -> String {
    switch value {
    case .number(let n): number(n)
    case .string(let s): s
    case .array(let a): "[" + a.map(valueText).joined(separator: ", ") + "]"
    default: (try? JSONOutput.line(value).trimmingCharacters(in: .newlines)) ?? "\(value)"
    }
  }

  static func number(_ n: Double) -> String {
    if n == n.rounded() && abs(n) < 1e15 { return String(Int(n)) }
    return String(format: "%.6g", n)
  }

  /// `3,504,872`.
  static func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    var out = ""
    for (i, c) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return out
  }
}
