import Foundation

/// Bundles of a `Classifier` (a registered base + a `HeadSpec` head), the shape
/// every modality's transfer result takes. The architecture entry reads
/// `{"name": "classifier", "hyperparameters": {"base": {...}, "head": {...}, "classes": N}}`.
extension ModelBundle {
  /// A bundle of a transfer result: weights, architecture, labels, the
  /// modality's preprocessing parameters and the training histories.
  public init(transfer result: TransferResult, modality: String, labels: [String],
              preprocessing: [String: JSONValue] = [:]) {
    precondition(labels.count == result.classCount, "ModelBundle: \(labels.count) labels for \(result.classCount) classes")
    var training: [String: JSONValue] = [:]
    training["head"] = try? JSONValue(encoding: result.headHistory)
    if let fine = result.fineTuneHistory { training["fine_tune"] = try? JSONValue(encoding: fine) }
    if let e = result.finalEvaluation { training["validation"] = try? JSONValue(encoding: e.metrics) }
    training["feature_cache"] = .bool(result.usedFeatureCache)
    let architecture = ArchitectureSpec(name: "classifier", hyperparameters: [
      "base": result.model.base.architecture.json, "head": result.head.json,
      "classes": .number(Double(result.classCount)),
    ])
    self.init(config: Config(modality: modality, architecture: architecture, labels: labels,
                             preprocessing: preprocessing, training: training),
              model: result.model)
  }

  /// The architecture of the classifier's base (`architecture.hyperparameters.base`), or nil
  /// when the config does not describe a classifier.
  public var baseArchitecture: ArchitectureSpec? {
    guard config.architecture.name == "classifier", let json = config.architecture.hyperparameters["base"] else { return nil }
    return ArchitectureSpec(json: json)
  }

  /// Rebuilds the classifier this bundle describes and loads its weights
  /// (strictly), in inference mode. `path` names the bundle in errors.
  public func makeClassifier(path: String) throws(BundleError) -> Classifier {
    let spec = config.architecture
    guard spec.name == "classifier" else { throw BundleError(path: path, reason: .unknownArchitecture(spec.name)) }
    guard let baseJSON = spec.hyperparameters["base"], let baseSpec = ArchitectureSpec(json: baseJSON) else {
      throw BundleError(path: path, reason: .invalidConfig("architecture.hyperparameters.base is missing"))
    }
    guard let headJSON = spec.hyperparameters["head"], let head = HeadSpec(json: headJSON) else {
      throw BundleError(path: path, reason: .invalidConfig("architecture.hyperparameters.head is missing or invalid"))
    }
    guard let classes = spec.hyperparameters["classes"]?.int, classes >= 2, classes == config.labels.count else {
      throw BundleError(path: path, reason: .invalidConfig("classes must equal the number of labels (\(config.labels.count))"))
    }
    let base: any FeatureExtractor
    do {
      base = try ArchitectureRegistry.makeBase(baseSpec)
    } catch {
      if case .unknown(let name) = error.reason { throw BundleError(path: path, reason: .unknownArchitecture(name)) }
      throw BundleError(path: path, reason: .invalidConfig(error.description))
    }
    let model = Classifier(base: base, head: head.make(featureCount: base.featureCount, classCount: classes, seed: 0))
    try load(into: model, path: path)
    model.eval()
    return model
  }
}
