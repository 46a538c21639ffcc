import GraftCore
import Synchronization

/// The vision bases GraftVision adds to `ArchitectureRegistry`, and loading their weights.
public enum VisionBases {
  /// Registered architecture names: `resnet18`, `resnet34`, `resnet50`, `mobilenet_v2`.
  public static let names = ResNet.Depth.allCases.map(\.rawValue) + ["mobilenet_v2"]

  private static let registered = Mutex(false)

  /// Registers the builders of `names` with `ArchitectureRegistry` (idempotent; the CLI calls it
  /// at start, and `ImageClassifier` calls it before it builds or loads a model).
  public static func register() {
    registered.withLock { done in
      guard !done else { return }
      for depth in ResNet.Depth.allCases { ArchitectureRegistry.register(depth.rawValue, buildResNet) }
      ArchitectureRegistry.register("mobilenet_v2", buildMobileNetV2)
      done = true
    }
  }

  /// `{"name": "resnet18" | "resnet34" | "resnet50", "hyperparameters": {"width": 64}}` (width optional).
  @Sendable static func buildResNet(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    guard let depth = ResNet.Depth(rawValue: spec.name) else { throw ArchitectureError(.unknown(spec.name)) }
    let width = try positiveInt(spec, "width", default: 64)
    var g = Generator(seed: 0)
    return ResNet(depth, width: width, using: &g)
  }

  /// `{"name": "mobilenet_v2", "hyperparameters": {"width_mult": 1.0, "padding": "same", "classes": 1001}}`,
  /// every entry optional: `width_mult` (default 1), `padding` (`"symmetric"`, torchvision's and the
  /// default, or `"same"`, TensorFlow's), `classes` (a `classifier` of that many classes, as the
  /// TF-slim ImageNet file's 1001; default none).
  @Sendable static func buildMobileNetV2(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    let multiplier: Double
    if let value = spec.hyperparameters["width_mult"] {
      guard let m = value.double, m > 0, m <= 4 else {
        throw ArchitectureError(.invalidHyperparameter("mobilenet_v2 needs 0 < width_mult ≤ 4"))
      }
      multiplier = m
    } else {
      multiplier = 1
    }
    var padding = MobileNetV2.Padding.symmetric
    if let value = spec.hyperparameters["padding"] {
      guard let name = value.string, let p = MobileNetV2.Padding(rawValue: name) else {
        let names = MobileNetV2.Padding.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
        throw ArchitectureError(.invalidHyperparameter("mobilenet_v2 needs padding \(names)"))
      }
      padding = p
    }
    let classes = spec.hyperparameters["classes"] == nil ? nil : try positiveInt(spec, "classes", default: 1, upTo: 100_000)
    var g = Generator(seed: 0)
    return MobileNetV2(widthMultiplier: multiplier, classCount: classes, padding: padding, using: &g)
  }

  static func positiveInt(_ spec: ArchitectureSpec, _ key: String, default value: Int,
                          upTo limit: Int = 4096) throws(ArchitectureError) -> Int {
    guard let json = spec.hyperparameters[key] else { return value }
    guard let n = json.int, n >= 1, n <= limit else {
      throw ArchitectureError(.invalidHyperparameter("\(spec.name) needs \(key), an integer in 1…\(limit)"))
    }
    return n
  }

  /// Key prefixes of the torchvision classifiers a base built without classes does not have.
  static let classifierPrefixes = ["fc.", "classifier."]

  /// Builds the base `spec` describes and loads its weights from a safetensors file (as
  /// `Tools/convert_torchvision.py` writes). The source network's classifier (`fc.*` for ResNet,
  /// `classifier.*` for MobileNetV2) is dropped unless the spec builds one (`"classes"`), and then
  /// it is loaded like every other key; every key kept must match exactly, or the error lists
  /// every missing, unexpected and mis-shaped key.
  public static func loadBase(_ spec: ArchitectureSpec, weights path: String) throws -> any FeatureExtractor {
    register()
    let base = try ArchitectureRegistry.makeBase(spec)
    let file = try SafeTensors.read(path)
    let own = Set(base.stateDict().map(\.0))
    let state = file.tensors.filter { key, _ in
      own.contains(key) || !classifierPrefixes.contains { key.hasPrefix($0) }
    }
    try base.load(state, strict: true, source: path)
    base.eval()
    return base
  }
}

/// Registers GraftVision's bases with `ArchitectureRegistry` (idempotent). Call it module-qualified,
/// `GraftVision.registerArchitectures()`, beside other modalities' functions of the same name.
public func registerArchitectures() { VisionBases.register() }
