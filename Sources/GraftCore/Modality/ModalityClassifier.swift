import Synchronization

/// One label with its probability.
public struct LabelScore: Codable, Equatable, Sendable {
  public var label: String
  public var probability: Double

  public init(label: String, probability: Double) {
    self.label = label
    self.probability = probability
  }
}

/// The prediction for one input (a file, or a text): its labels, most probable first, or why the
/// input could not be read (one input's failure never stops the others). Codable as
/// `{"input", "predictions"}` or `{"input", "error": DataIssue}` (how ranks of a data-parallel
/// job send their shares to each other).
public struct InputPrediction: Sendable, Codable {
  /// The file path, or the text itself.
  public var input: String
  public var result: Result<[LabelScore], DataIssue>

  public init(input: String, result: Result<[LabelScore], DataIssue>) {
    self.input = input
    self.result = result
  }

  enum CodingKeys: String, CodingKey { case input, predictions, error }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    input = try c.decode(String.self, forKey: .input)
    if let issue = try c.decodeIfPresent(DataIssue.self, forKey: .error) {
      result = .failure(issue)
    } else {
      result = .success(try c.decode([LabelScore].self, forKey: .predictions))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(input, forKey: .input)
    switch result {
    case .success(let scores): try c.encode(scores, forKey: .predictions)
    case .failure(let issue): try c.encode(issue, forKey: .error)
    }
  }
}

/// What evaluating a trained classifier on labelled data gives the CLI: the metrics, what was
/// skipped, modality-specific extra figures (`roc_auc`, …) and the HTML report section, built
/// only when asked for.
public struct ClassifierEvaluation {
  public var metrics: ClassificationMetrics
  /// Mean loss, where the modality computes one.
  public var loss: Double?
  public var skipped: [DataIssue]
  /// Extra figures for `--json` and the text summary, keyed as printed.
  public var extra: [String: JSONValue]
  /// Builds the report section (facts are the CLI's: bundle, data).
  public var reportSection: (_ facts: [ReportFact]) throws -> ReportSection

  public init(metrics: ClassificationMetrics, loss: Double? = nil, skipped: [DataIssue] = [],
              extra: [String: JSONValue] = [:], reportSection: @escaping ([ReportFact]) throws -> ReportSection) {
    self.metrics = metrics
    self.loss = loss
    self.skipped = skipped
    self.extra = extra
    self.reportSection = reportSection
  }
}

/// The shape every modality's trained classifier takes (`ImageClassifier`, `TextClassifier`,
/// `SoundClassifier`, all final classes): rebuilt from a bundle of its modality, it predicts
/// inputs named by strings and evaluates on a labelled data source named by a path. `graft
/// predict` and `graft evaluate` go through this protocol only (see `ModalityRegistry`).
///
/// Beside the requirements, every conforming type spells the rest the same way, with its own
/// data and option types: `static func train(base: BaseSource, on: …, recipe: TransferRecipe, …)`
/// (text: its embedding table is the base), `convenience init(bundlePath:)`, `static let
/// fineTunePolicy` (`FineTunePolicy`; vision and audio so far), and `reportSection(for: <its
/// evaluation>, heading:, facts:)`.
public protocol ModalityClassifier: AnyObject {
  /// The bundle `modality` this type reads and writes ("vision", "text", "audio").
  static var modality: String { get }
  var labels: [String] { get }
  /// The whole trained network (base and head), for summaries.
  var network: Module { get }
  /// Rebuilds the classifier a bundle of `modality` describes; `path` names it in errors.
  init(bundle: ModelBundle, path: String) throws(BundleError)
  /// The `top` most probable labels of each input (a file path; a text for text classifiers).
  func predict(inputs: [String], top: Int) -> [InputPrediction]
  /// Metrics on the labelled data at `data` (its labels matched to this classifier's by name).
  func evaluate(data: String, batchSize: Int) throws -> ClassifierEvaluation
}

/// Maps a bundle's `modality` to the classifier type that reads it. Modality modules register
/// their type (`GraftVision.registerArchitectures()` and its siblings do); the CLI looks up.
public enum ModalityRegistry {
  typealias Reader = @Sendable (ModelBundle, String) throws -> any ModalityClassifier
  static let readers = Mutex<[String: Reader]>([:])

  public static func register<T: ModalityClassifier>(_ type: T.Type) {
    let modality = T.modality
    readers.withLock { $0[modality] = { bundle, path in try T(bundle: bundle, path: path) } }
  }

  public static var modalities: [String] { readers.withLock { $0.keys.sorted() } }

  /// Whether a classifier type is registered for `modality`.
  public static func knows(_ modality: String) -> Bool { readers.withLock { $0[modality] != nil } }

  /// Reads the bundle at `path` and rebuilds its classifier through the registered type.
  public static func classifier(bundleAt path: String, expecting modality: String? = nil) throws
    -> any ModalityClassifier
  {
    try classifier(bundle: try ModelBundle.read(from: path), path: path, expecting: modality)
  }

  /// Rebuilds the classifier of a bundle already read, through the type registered for its
  /// modality (`path` names it in errors); `expecting` restricts the modality.
  public static func classifier(bundle: ModelBundle, path: String, expecting modality: String? = nil) throws
    -> any ModalityClassifier
  {
    if let modality, bundle.config.modality != modality {
      throw BundleError(path: path, reason: .wrongModality(expected: modality, actual: bundle.config.modality))
    }
    guard let read = readers.withLock({ $0[bundle.config.modality] }) else {
      throw BundleError(path: path, reason: .unsupportedModality(bundle.config.modality))
    }
    return try read(bundle, path)
  }
}
