import Foundation

/// What a base file holds, read without building anything from it when it does not say its
/// architecture: its format, every tensor as the file stores it (name, shape, the file's own
/// dtype name — safetensors `F16`, PyTorch `int64`, TFLite `UINT8` — and a TFLite tensor's
/// quantization), the architecture (stated, recognised or given, checked against the tensors),
/// the input it states and its classifier's class count. `graft base info` prints it.
///
/// ```swift
/// let info = try BaseFileInfo.read("mobilenet_v2_1.0_224_quant.tflite")
/// info.architecture?.name   // "mobilenet_v2" (recognised from the graph)
/// info.classes              // 1001
/// ```
public struct BaseFileInfo: Sendable {
  /// A tensor's quantization (TFLite): one scale and zero point for the tensor, or one per
  /// slice along `dimension`.
  public struct Quantization: Equatable, Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var dimension: Int
  }

  /// One tensor of the file.
  public struct Entry: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    /// The element type as the format names it.
    public var dtype: String
    public var quantization: Quantization?

    /// Elements (saturating at `Int.max`; shapes come from the file).
    public var count: Int { BaseFileInfo.elementCount(shape) }
  }

  /// Where the architecture came from.
  public enum ArchitectureOrigin: String, Sendable {
    /// Given by the caller (`--arch`).
    case given
    /// Named by safetensors metadata (`architecture` or `arch`).
    case metadata
    /// Recognised from a TFLite graph by a registered `WeightsMapper`.
    case graph
    /// A bundle's `config.json`.
    case bundle
  }

  public var path: String
  public var format: WeightsFormat
  /// The architecture, when stated, recognised or given; nil otherwise (`problem` says why).
  public var architecture: ArchitectureSpec?
  public var origin: ArchitectureOrigin?
  /// Why the tensors cannot be used as `architecture` (they do not fit it), or why there is no
  /// architecture (the file does not say, no mapper recognises the graph, metadata conflicts).
  public var problem: String?
  /// Every tensor, in the file's order (safetensors: by offset; PyTorch: state-dict order;
  /// TFLite: the constant tensors, in the graph's order; a bundle: its `model.safetensors`).
  public var tensors: [Entry]
  /// The graph's input tensors (TFLite; empty for state dicts).
  public var inputs: [Entry]
  /// The input the file states, in the modality's bundle `preprocessing` vocabulary.
  public var preprocessing: [String: JSONValue]
  /// The class count of the network's own classifier (its output layer's rows), or of a
  /// bundle's head; nil when it has none.
  public var classes: Int?
  /// A bundle's class names.
  public var labels: [String]?
  /// safetensors `__metadata__`.
  public var metadata: [String: String]
  /// PyTorch entries that are not tensors (`PyTorchCheckpoint.skipped`).
  public var skipped: [PyTorchCheckpoint.SkippedEntry]

  /// The elements of every tensor (saturating).
  public var parameterCount: Int {
    tensors.reduce(0) { total, entry in
      let (sum, overflow) = total.addingReportingOverflow(entry.count)
      return overflow ? Int.max : sum
    }
  }

  /// The output layers whose rows are a network's classes, in the order they are looked for:
  /// torchvision's ResNet `fc` and MobileNetV2 `classifier.1`, EfficientAT MN's `classifier.5`,
  /// YAMNet's `logits`.
  public static let classifierWeights = ["fc.weight", "classifier.1.weight", "classifier.5.weight", "logits.weight"]

  /// Reads the file at `path` (format detected from its content). `requested` is the
  /// architecture to check the tensors against (it must agree by name with one the file names);
  /// without it, the file's own. A file that cannot be read is an error; an architecture that is
  /// unknown or does not fit is `problem`.
  public static func read(_ path: String, requested: ArchitectureSpec? = nil) throws -> BaseFileInfo {
    guard FileManager.default.fileExists(atPath: path) else { throw BaseSourceError(path: path, reason: .missing) }
    let format = try WeightsFormat.detect(path)
    var info = BaseFileInfo(path: path, format: format, architecture: nil, origin: nil, problem: nil, tensors: [],
                            inputs: [], preprocessing: [:], classes: nil, labels: nil, metadata: [:], skipped: [])
    switch format {
    case .bundle:
      let bundle = try ModelBundle.read(from: path)
      let header = try SafeTensors.readHeader((path as NSString).appendingPathComponent(ModelBundle.weightsFile))
      info.tensors = header.entries.map { Entry(name: $0.name, shape: $0.shape, dtype: $0.dtype.rawValue) }
      info.metadata = header.metadata
      info.preprocessing = bundle.config.preprocessing
      info.labels = bundle.config.labels
      info.classes = bundle.config.labels.count
      info.resolve(requested: requested, named: bundle.baseArchitecture, origin: .bundle)
      if info.architecture != nil { info.check(BaseSource.unprefixed(bundle.weights)) }
    case .safetensors:
      let file = try SafeTensors.read(path)
      info.tensors = file.header.entries.sorted { $0.dataOffsets.lowerBound < $1.dataOffsets.lowerBound }
        .map { Entry(name: $0.name, shape: $0.shape, dtype: $0.dtype.rawValue) }
      info.metadata = file.metadata
      do {
        info.preprocessing = try BaseSource.preprocessing(in: file.metadata, path: path)
        info.resolve(requested: requested, named: try BaseSource.named(in: file.metadata, path: path), origin: .metadata)
      } catch {
        info.problem = error.description
      }
      info.classes = classCount(file.tensors.mapValues(\.shape))
      if info.architecture != nil { info.check(BaseSource.unprefixed(file.tensors)) }
    case .pytorch:
      let file = try PyTorchCheckpoint.read(path)
      info.tensors = file.entries.map { Entry(name: $0.name, shape: $0.shape, dtype: $0.dtype.rawValue) }
      info.skipped = file.skipped
      info.classes = classCount(file.tensors.mapValues(\.shape))
      info.resolve(requested: requested, named: nil, origin: .metadata)
      if info.architecture != nil { info.check(file.tensors) }
    case .tflite:
      let model = try TFLiteModel.read(path)
      info.tensors = model.tensors.filter { model.data(of: $0) != nil }.map(entry)
      info.inputs = model.inputs.compactMap { $0 >= 0 && $0 < model.tensors.count ? entry(model.tensors[$0]) : nil }
      do {
        let mapped = try WeightsMapper.map(path, format: format, requested: requested)
        info.architecture = mapped.architecture
        info.origin = requested == nil ? .graph : .given
        info.preprocessing = mapped.preprocessing
        info.classes = classCount(mapped.stateDict.mapValues(\.shape))
      } catch {
        info.problem = String(describing: error)
      }
    }
    return info
  }

  /// The architecture `requested` or `named`, or the reason there is none.
  mutating func resolve(requested: ArchitectureSpec?, named: ArchitectureSpec?, origin: ArchitectureOrigin) {
    do {
      architecture = try BaseSource.resolve(requested: requested, named: named, format: format, path: path)
      self.origin = requested == nil ? origin : .given
    } catch {
      problem = error.description
    }
  }

  /// Builds `architecture` and loads `tensors` strictly (as `BaseSource.load` does); a failure
  /// becomes `problem`.
  mutating func check(_ tensors: [String: Tensor]) {
    guard let spec = architecture else { return }
    do {
      let base = try ArchitectureRegistry.makeBase(spec)
      do {
        try base.load(BaseSource.baseState(tensors, for: base), strict: true, source: path)
      } catch {
        throw BaseSourceError(path: path, reason: .weightsDoNotFit(architecture: spec.name, error))
      }
    } catch {
      problem = String(describing: error)
    }
  }

  /// The rows of the first of `classifierWeights` present as a matrix.
  static func classCount(_ shapes: [String: [Int]]) -> Int? {
    for key in classifierWeights {
      if let shape = shapes[key], shape.count == 2 { return shape[0] }
    }
    return nil
  }

  static func entry(_ tensor: TFLiteTensor) -> Entry {
    let q = tensor.quantization.flatMap { q in
      q.scales.isEmpty ? nil : Quantization(scales: q.scales, zeroPoints: q.zeroPoints, dimension: q.quantizedDimension)
    }
    return Entry(name: tensor.name, shape: tensor.shape, dtype: tensor.type.description, quantization: q)
  }

  /// The product of `shape`, saturating at `Int.max` (0 for a negative dimension).
  static func elementCount(_ shape: [Int]) -> Int {
    var count = 1
    for d in shape {
      guard d >= 0 else { return 0 }
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      if overflow { return Int.max }
      count = product
    }
    return count
  }
}
