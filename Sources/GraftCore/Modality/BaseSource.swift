import Foundation

/// Where the base network of a new classifier comes from: the one description every modality's
/// `train(base:on:recipe:…)` takes, and `load(modality:architectures:)` its one loader.
///
/// ```swift
/// let base = try BaseSource.weights("resnet18.pth", architecture: ArchitectureSpec(name: "resnet18")).load()
/// let same = try BaseSource.weights("mobilenet_v2_1.0_224_quant.tflite").load()   // the file says what it holds
/// ```
public enum BaseSource: Sendable, Equatable {
  /// The base of a trained bundle, weights included (its head is dropped).
  case bundle(String)
  /// A weights file of any format `WeightsFormat.detect` recognises by content: safetensors, a
  /// `torch.save` zip (`.pt`, `.pth`, `.bin`) or TFLite. `architecture` may be nil when the
  /// file names its own: safetensors metadata (`architecture`, a JSON `ArchitectureSpec`, or
  /// `arch`, a name, as `Tools/convert_torchvision.py` writes), or a TFLite graph that a
  /// registered `WeightsMapper` recognises.
  case weights(String, architecture: ArchitectureSpec? = nil)
  /// A registered architecture with fresh random weights (training from scratch: the
  /// `FineTunePolicy.scratch` rule applies).
  case scratch(ArchitectureSpec)

  /// Whether the weights start random.
  public var isScratch: Bool {
    if case .scratch = self { return true }
    return false
  }

  /// What errors about this source name: the bundle's or file's path, or the architecture's name.
  public var path: String {
    switch self {
    case .bundle(let path), .weights(let path, _): path
    case .scratch(let spec): spec.name
    }
  }
}

/// A base built by `BaseSource.load`, ready to train on.
public struct LoadedBase {
  /// The network, weights loaded, in inference mode.
  public let network: any FeatureExtractor
  /// The bundle it came from (`.bundle`): modalities reuse its preprocessing.
  public let bundle: ModelBundle?
  /// The detected format of a `.weights` file.
  public let format: WeightsFormat?
  /// Whether the weights are random (`.scratch`).
  public let isScratch: Bool
  /// The input preprocessing the source states, in its modality's bundle `preprocessing`
  /// vocabulary (partial: a vision base states `width`, `height`, `mean`, `std`): a registered
  /// `WeightsMapper`'s `MappedWeights.preprocessing` (the ImageNet MobileNetV2 `.tflite`: 224×224,
  /// (u8 − 128)/128), a safetensors file's `preprocessing` metadata (a JSON object), a bundle's
  /// own `preprocessing`. Empty when the source says nothing (a `.pt` state dict, random weights);
  /// the modality then uses its defaults.
  public var preprocessing: [String: JSONValue] = [:]

  /// `recipe` with its stages filled in for this base: a `FineTune` the caller set is kept as it
  /// is; otherwise `FineTunePolicy.scratch` applies to random weights and `pretrained` (the
  /// modality's policy) to the others. Under `scratch` (`jointFromStart`) the base is not frozen:
  /// every block trains with the head from the first epoch, BatchNorm on batch statistics, at
  /// `headLearningRate` for at most `headEpochs` (with the recipe's early stopping); `request`
  /// does not apply (there is no second stage).
  public func recipe(_ recipe: TransferRecipe, fineTune request: FineTuneRequest, pretrained: FineTunePolicy)
    -> TransferRecipe
  {
    guard recipe.fineTune == nil else { return recipe }
    var filled = recipe
    let policy = isScratch ? FineTunePolicy.scratch : pretrained
    if policy.jointFromStart {
      filled.freezeBase = false
      return filled
    }
    filled.fineTune = policy.fineTune(request, learningRate: recipe.headLearningRate, headEpochs: recipe.headEpochs,
                                      blockCount: network.blocks.count)
    return filled
  }
}

extension BaseSource {
  /// Builds the base this source describes.
  ///
  /// - `.bundle`: the bundle's base (its modality must be `modality` when given; nil accepts
  ///   any modality's bundle).
  /// - `.weights`: the format is detected from the file's first bytes; safetensors and PyTorch
  ///   files are state dicts, TFLite files go through the `WeightsMapper` registered for the
  ///   architecture (or, with none given, the first that recognises the graph). Then one key
  ///   rule (`baseState(_:for:)`) and a strict load.
  /// - `.scratch`: `ArchitectureRegistry.makeBase`.
  ///
  /// `architectures` limits the architectures a modality accepts (an image network on audio
  /// patches is refused by name, before anything runs); nil accepts every registered one.
  public func load(modality: String? = nil, architectures: [String]? = nil) throws -> LoadedBase {
    switch self {
    case .scratch(let spec):
      try Self.check(spec.name, path: spec.name, allowed: architectures)
      return LoadedBase(network: try ArchitectureRegistry.makeBase(spec), bundle: nil, format: nil, isScratch: true)
    case .bundle(let path):
      let bundle = try ModelBundle.read(from: path)
      if let modality, bundle.config.modality != modality {
        throw BundleError(path: path, reason: .wrongModality(expected: modality, actual: bundle.config.modality))
      }
      let base = try bundle.makeClassifier(path: path).base
      return LoadedBase(network: base, bundle: bundle, format: .bundle, isScratch: false,
                        preprocessing: bundle.config.preprocessing)
    case .weights(let path, let requested):
      guard FileManager.default.fileExists(atPath: path) else { throw BaseSourceError(path: path, reason: .missing) }
      let format = try WeightsFormat.detect(path)
      let (spec, tensors, preprocessing) = try Self.read(path, format: format, requested: requested)
      try Self.check(spec.name, path: path, allowed: architectures)
      let base = try ArchitectureRegistry.makeBase(spec)
      do {
        try base.load(Self.baseState(tensors, for: base), strict: true, source: path)
      } catch {
        throw BaseSourceError(path: path, reason: .weightsDoNotFit(architecture: spec.name, error))
      }
      base.eval()
      return LoadedBase(network: base, bundle: nil, format: format, isScratch: false, preprocessing: preprocessing)
    }
  }

  /// The one key rule, for every format: a Graft classifier's state dict (every key under
  /// `base.` or `head.`, as in a bundle's `model.safetensors`) gives its `base.` keys without the
  /// prefix; then keys the base does not have under `fc.` or `classifier.` — the source network's
  /// classifier, by PyTorch's naming — are dropped (a base built with a classifier keeps and
  /// loads them). Everything else must match the base exactly (the load is strict).
  public static func baseState(_ tensors: [String: Tensor], for base: any FeatureExtractor) -> [String: Tensor] {
    let state = unprefixed(tensors)
    let own = Set(base.stateDict().map(\.0))
    return state.filter { key, _ in own.contains(key) || !classifierPrefixes.contains { key.hasPrefix($0) } }
  }

  /// `tensors` without a Graft classifier's prefixes: when every key lies under `base.` or
  /// `head.` (a bundle's `model.safetensors`), the `base.` keys without the prefix and no head;
  /// any other state dict as it is.
  public static func unprefixed(_ tensors: [String: Tensor]) -> [String: Tensor] {
    guard tensors.keys.contains(where: { $0.hasPrefix("base.") }),
          tensors.keys.allSatisfy({ $0.hasPrefix("base.") || $0.hasPrefix("head.") }) else { return tensors }
    return Dictionary(uniqueKeysWithValues: tensors.compactMap { key, value in
      key.hasPrefix("base.") ? (String(key.dropFirst(5)), value) : nil
    })
  }

  /// Key prefixes of a source network's classifier (torchvision's ResNet `fc.`, MobileNet
  /// `classifier.`, YAMNet's `logits.`), dropped when the base has no such keys.
  public static let classifierPrefixes = ["fc.", "classifier.", "logits."]

  /// The architecture (`requested`, or the one the file names or its graph shows), every tensor
  /// (a source network's classifier included) and the stated preprocessing of a weights file,
  /// its format detected from its content.
  public static func readWeights(_ path: String, requested: ArchitectureSpec? = nil) throws
    -> (architecture: ArchitectureSpec, tensors: [String: Tensor], preprocessing: [String: JSONValue])
  {
    guard FileManager.default.fileExists(atPath: path) else { throw BaseSourceError(path: path, reason: .missing) }
    return try read(path, format: try WeightsFormat.detect(path), requested: requested)
  }

  /// The architecture, tensors and stated preprocessing of a weights file.
  static func read(_ path: String, format: WeightsFormat, requested: ArchitectureSpec?) throws
    -> (ArchitectureSpec, [String: Tensor], [String: JSONValue])
  {
    switch format {
    case .bundle:
      throw BaseSourceError(path: path, reason: .notAWeightsFile)
    case .safetensors:
      let file = try SafeTensors.read(path)
      let named = try named(in: file.metadata, path: path)
      return (try resolve(requested: requested, named: named, format: format, path: path), file.tensors,
              try preprocessing(in: file.metadata, path: path))
    case .pytorch:
      let file = try PyTorchCheckpoint.read(path)
      return (try resolve(requested: requested, named: nil, format: format, path: path), file.tensors, [:])
    case .tflite:
      let mapped = try WeightsMapper.map(path, format: format, requested: requested)
      return (mapped.architecture, mapped.stateDict, mapped.preprocessing)
    }
  }

  /// The architecture a safetensors file's metadata names: `architecture` (a JSON
  /// `ArchitectureSpec`, hyper-parameters included) or `arch` (a registered name).
  static func named(in metadata: [String: String], path: String) throws(BaseSourceError) -> ArchitectureSpec? {
    if let text = metadata["architecture"] {
      guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), let spec = ArchitectureSpec(json: json) else {
        throw BaseSourceError(path: path, reason: .invalidMetadata("architecture is not {\"name\", \"hyperparameters\"}"))
      }
      return spec
    }
    return metadata["arch"].map { ArchitectureSpec(name: $0) }
  }

  /// The input a safetensors file's `preprocessing` metadata states (a JSON object in the
  /// modality's bundle vocabulary, e.g. `{"width": 224, "height": 224, "mean": [...], "std": [...]}`);
  /// empty without one. The modality checks the values when it uses them.
  static func preprocessing(in metadata: [String: String], path: String) throws(BaseSourceError) -> [String: JSONValue] {
    guard let text = metadata["preprocessing"] else { return [:] }
    guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)), case .object(let fields) = json else {
      throw BaseSourceError(path: path, reason: .invalidMetadata("preprocessing is not a JSON object"))
    }
    return fields
  }

  /// The architecture to build: the one asked for, which must agree by name with the one the
  /// file names; or the file's.
  static func resolve(requested: ArchitectureSpec?, named: ArchitectureSpec?, format: WeightsFormat,
                      path: String) throws(BaseSourceError) -> ArchitectureSpec {
    switch (requested, named) {
    case (let r?, let n?) where r.name != n.name:
      throw BaseSourceError(path: path, reason: .architectureConflict(file: n.name, given: r.name))
    case (let r?, _): return r
    case (nil, let n?): return n
    case (nil, nil): throw BaseSourceError(path: path, reason: .needsArchitecture(format))
    }
  }

  public static func check(_ name: String, path: String, allowed: [String]?) throws(BaseSourceError) {
    guard let allowed, !allowed.contains(name) else { return }
    throw BaseSourceError(path: path, reason: .notForThisModality(name, allowed: allowed))
  }
}
