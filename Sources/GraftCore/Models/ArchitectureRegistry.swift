import Synchronization

/// Rebuilds feature extractors from their `ArchitectureSpec`. GraftCore
/// registers its own bases (`smallcnn`); modality modules register theirs
/// (ResNet, audio CNNs, …) with `register`. A bundle names its base, and
/// loading it needs nothing else.
public enum ArchitectureRegistry {
  public typealias Builder = @Sendable (ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor

  static let builders = Mutex<[String: Builder]>(["smallcnn": SmallCNN.build])

  /// Adds (or replaces) the builder for `name`.
  public static func register(_ name: String, _ builder: @escaping Builder) {
    builders.withLock { $0[name] = builder }
  }

  public static var names: [String] { builders.withLock { $0.keys.sorted() } }

  /// A new base with freshly initialised weights, shaped as `spec` says.
  public static func makeBase(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    guard let builder = builders.withLock({ $0[spec.name] }) else { throw ArchitectureError(.unknown(spec.name)) }
    return try builder(spec)
  }
}

extension SmallCNN {
  /// `{"name": "smallcnn", "hyperparameters": {"input_channels": C, "widths": [...]}}`
  @Sendable static func build(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    guard let channels = spec.hyperparameters["input_channels"]?.int, channels >= 1 else {
      throw ArchitectureError(.invalidHyperparameter("smallcnn needs input_channels ≥ 1"))
    }
    guard let widths = spec.hyperparameters["widths"]?.array?.compactMap(\.int), !widths.isEmpty,
          widths.allSatisfy({ $0 >= 1 }) else {
      throw ArchitectureError(.invalidHyperparameter("smallcnn needs widths, a non-empty list of positive integers"))
    }
    var g = Generator(seed: 0)
    return SmallCNN(inputChannels: channels, widths: widths, using: &g)
  }
}
