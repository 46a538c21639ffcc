import GraftCore
import Synchronization

/// The vision bases GraftVision adds to `ArchitectureRegistry`, the TFLite `WeightsMapper` of
/// MobileNetV2, and the architecture a user's choices describe.
public enum VisionBases {
  /// Registered architecture names: `resnet18`, `resnet34`, `resnet50`, `mobilenet_v2`.
  public static let names = ResNet.Depth.allCases.map(\.rawValue) + ["mobilenet_v2"]

  private static let registered = Mutex(false)

  /// Registers the builders of `names` with `ArchitectureRegistry`, MobileNetV2's TFLite
  /// `WeightsMapper` and `ImageClassifier` with `ModalityRegistry` (idempotent; the CLI calls it
  /// at start, and `ImageClassifier` calls it before it builds or loads a model).
  public static func register() {
    registered.withLock { done in
      guard !done else { return }
      for depth in ResNet.Depth.allCases { ArchitectureRegistry.register(depth.rawValue, buildResNet) }
      ArchitectureRegistry.register("mobilenet_v2", buildMobileNetV2)
      WeightsMapper.register(WeightsMapper(architecture: "mobilenet_v2", format: .tflite, map: mapMobileNetV2))
      ModalityRegistry.register(ImageClassifier.self)
      done = true
    }
  }

  /// A TFLite MobileNetV2 (`MobileNetV2.tfliteWeights`) as `mobilenet_v2` with TF SAME padding
  /// and the file's width multiplier; the requested spec's other entries (`classes`) are kept.
  /// The input the graph states becomes the mapped preprocessing: its side (`width`, `height`)
  /// and, for a quantized input, the `mean`/`std` its quantization implies ((u8 − 128)/128 for
  /// the ImageNet file: 128/255 both).
  @Sendable static func mapMobileNetV2(_ path: String, _ requested: ArchitectureSpec?) throws -> MappedWeights {
    let multiplier = requested?.hyperparameters["width_mult"]?.double ?? 1
    let weights = try MobileNetV2.tfliteWeights(path: path, widthMultiplier: multiplier)
    var hyperparameters = requested?.hyperparameters ?? [:]
    hyperparameters["width_mult"] = .number(weights.widthMultiplier)
    hyperparameters["padding"] = .string((weights.padding == .same ? MobileNetV2.Padding.same : .symmetric).rawValue)
    var preprocessing: [String: JSONValue] = ["width": .number(Double(weights.inputWidth)),
                                              "height": .number(Double(weights.inputHeight))]
    if let n = weights.normalization {
      preprocessing["mean"] = .array(n.mean.map { .number(Double($0)) })
      preprocessing["std"] = .array(n.std.map { .number(Double($0)) })
    }
    return MappedWeights(architecture: ArchitectureSpec(name: "mobilenet_v2", hyperparameters: hyperparameters),
                         stateDict: weights.stateDict, preprocessing: preprocessing)
  }

  /// The architecture a user's choices describe: `widths` are smallcnn's block widths (default
  /// 32, 64, 128) or a ResNet's first stage width (one value; default 64); `widthMultiplier`
  /// scales every width (MobileNetV2's `width_mult`). Combinations an architecture has no use
  /// for are errors.
  public static func architecture(name: String, widths: [Int]? = nil, widthMultiplier: Double? = nil)
    throws(ArchitectureError) -> ArchitectureSpec
  {
    register()
    guard ImageClassifier.architectures.contains(name) else { throw ArchitectureError(.unknown(name)) }
    if let widthMultiplier, !(widthMultiplier > 0 && widthMultiplier <= 16) {
      throw ArchitectureError(.invalidHyperparameter("the width multiplier must lie in (0, 16]"))
    }
    if let widths, widths.isEmpty || !widths.allSatisfy({ $0 >= 1 && $0 <= 4096 }) {
      throw ArchitectureError(.invalidHyperparameter("widths must be integers in 1…4096"))
    }
    let scale = widthMultiplier ?? 1
    func scaled(_ w: Int) -> JSONValue { .number(Double(max(1, Int((Double(w) * scale).rounded())))) }
    switch name {
    case "smallcnn":
      return ArchitectureSpec(name: name, hyperparameters: ["input_channels": 3,
                                                            "widths": .array((widths ?? [32, 64, 128]).map(scaled))])
    case "mobilenet_v2":
      if widths != nil { throw ArchitectureError(.invalidHyperparameter("mobilenet_v2 takes a width multiplier, not widths")) }
      return ArchitectureSpec(name: name, hyperparameters: widthMultiplier.map { ["width_mult": .number($0)] } ?? [:])
    default:
      if let widths, widths.count != 1 {
        throw ArchitectureError(.invalidHyperparameter("\(name) takes one width (its first stage's)"))
      }
      guard widths != nil || widthMultiplier != nil else { return ArchitectureSpec(name: name) }
      return ArchitectureSpec(name: name, hyperparameters: ["width": scaled(widths?.first ?? 64)])
    }
  }

  /// `{"name": "resnet18" | "resnet34" | "resnet50", "hyperparameters": {"width": 64, "classes": 1000}}`
  /// (each optional; `classes`: torchvision's `fc` of that many classes, default none).
  @Sendable static func buildResNet(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    guard let depth = ResNet.Depth(rawValue: spec.name) else { throw ArchitectureError(.unknown(spec.name)) }
    let width = try positiveInt(spec, "width", default: 64)
    let classes = spec.hyperparameters["classes"] == nil ? nil : try positiveInt(spec, "classes", default: 1, upTo: 100_000)
    var g = Generator(seed: 0)
    return ResNet(depth, width: width, classCount: classes, using: &g)
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
}

/// Registers GraftVision's bases with `ArchitectureRegistry`, its weights mappers and
/// `ImageClassifier` with `ModalityRegistry` (idempotent). Call it module-qualified,
/// `GraftVision.registerArchitectures()`, beside other modalities' functions of the same name.
public func registerArchitectures() { VisionBases.register() }
