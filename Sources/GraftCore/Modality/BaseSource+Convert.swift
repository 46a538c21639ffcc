import Foundation

extension BaseSource {
  /// What `convert` wrote.
  public struct Conversion: Sendable {
    /// The detected format of the source.
    public var format: WeightsFormat
    /// The architecture recorded in the output's `architecture` metadata.
    public var architecture: ArchitectureSpec
    /// The input recorded in the output's `preprocessing` metadata (empty: none written).
    public var preprocessing: [String: JSONValue]
    /// Tensor names written, sorted (the base's keys and, when the source has one, its
    /// classifier's `fc.`/`classifier.`/`logits.` keys).
    public var names: [String]
  }

  /// Writes the base in `path` (any `WeightsFormat`: safetensors, a `torch.save` zip, TFLite or
  /// a bundle, whose head is dropped) to `out` as plain Float32 safetensors whose metadata names
  /// its architecture and input (`metadata(architecture:preprocessing:)`), so that
  /// `.weights(out)` loads it with no architecture given.
  ///
  /// The architecture is `architecture`, else the one the file names or its graph shows; the
  /// preprocessing is `preprocessing`, else the one the source states. The tensors must fit the
  /// architecture exactly (the strict load of `load`) before anything is written; a source
  /// network's classifier is kept (`graft predict` reads it), a Graft classifier's `base.` prefix
  /// dropped. A source safetensors file's other metadata entries are carried over. The file is
  /// written atomically: `out` may be `path` itself.
  public static func convert(_ path: String, architecture requested: ArchitectureSpec? = nil,
                             preprocessing override: [String: JSONValue]? = nil, to out: String) throws -> Conversion
  {
    guard FileManager.default.fileExists(atPath: path) else { throw BaseSourceError(path: path, reason: .missing) }
    let format = try WeightsFormat.detect(path)
    var spec: ArchitectureSpec
    var tensors: [String: Tensor]
    var stated: [String: JSONValue]
    var carried: [String: String] = [:]
    switch format {
    case .bundle:
      let bundle = try ModelBundle.read(from: path)
      guard let named = bundle.baseArchitecture else {
        throw BundleError(path: path, reason: .invalidConfig("architecture.hyperparameters.base is missing"))
      }
      spec = try resolve(requested: requested, named: named, format: format, path: path)
      tensors = unprefixed(bundle.weights)
      stated = bundle.config.preprocessing
    case .safetensors:
      carried = try SafeTensors.readHeader(path).metadata
      (spec, tensors, stated) = try read(path, format: format, requested: requested)
      tensors = unprefixed(tensors)
    case .pytorch, .tflite:
      (spec, tensors, stated) = try read(path, format: format, requested: requested)
      tensors = unprefixed(tensors)
    }
    let base = try ArchitectureRegistry.makeBase(spec)
    do {
      try base.load(baseState(tensors, for: base), strict: true, source: path)
    } catch {
      throw BaseSourceError(path: path, reason: .weightsDoNotFit(architecture: spec.name, error))
    }
    let preprocessing = override ?? stated
    for key in ["architecture", "arch", "preprocessing"] { carried[key] = nil }
    if carried["format"] == nil { carried["format"] = "pt" }
    let metadata = carried.merging(try Self.metadata(architecture: spec, preprocessing: preprocessing)) { $1 }
    try SafeTensors.write(tensors, metadata: metadata, to: out)
    return Conversion(format: format, architecture: spec, preprocessing: preprocessing, names: tensors.keys.sorted())
  }

  /// The safetensors metadata that makes a weights file name its architecture and input, as
  /// `.weights` reads them: `architecture` (the spec as compact JSON, keys sorted) and, when
  /// `preprocessing` is not empty, `preprocessing` (likewise). Graft's own base files and
  /// `convert` write exactly these strings.
  public static func metadata(architecture: ArchitectureSpec, preprocessing: [String: JSONValue] = [:]) throws
    -> [String: String]
  {
    var metadata = ["architecture": try compactJSON(architecture.json)]
    if !preprocessing.isEmpty { metadata["preprocessing"] = try compactJSON(.object(preprocessing)) }
    return metadata
  }

  static func compactJSON(_ value: JSONValue) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }
}
