import Foundation
import GraftCore

/// Image classification by transfer learning: the shared `TransferRecipe` fed from an
/// `ImageFolder`, and the trained model loaded back from its bundle for prediction and evaluation.
///
/// ```swift
/// let training = try ImageClassifier.train(
///   base: .weights(ArchitectureSpec(name: "resnet18"), path: "resnet18.safetensors"),
///   on: "data/train", recipe: TransferRecipe(headEpochs: 5, seed: 42),
///   preprocessing: .init(width: 224, height: 224, resizeShorterSide: 256))
/// try training.bundle.write(to: "pets.graft")
/// let classifier = try ImageClassifier(bundleAt: "pets.graft")
/// let top = try classifier.predict(file: "cat.png", top: 3)   // [(label, probability)]
/// ```
public struct ImageClassifier {
  /// Where the base network comes from.
  public enum Base: Sendable, Equatable {
    /// The base of a trained bundle (any modality "vision" bundle), weights included.
    case bundle(String)
    /// A registered architecture with weights from a safetensors file
    /// (`Tools/convert_torchvision.py` output, or `smallcnn` state dicts); a classifier in the
    /// file (`fc.*`, `classifier.*`) is dropped.
    case weights(ArchitectureSpec, path: String)
    /// A registered architecture with fresh random weights (training from scratch: give the
    /// recipe a `FineTune` over all blocks, or only the head learns).
    case scratch(ArchitectureSpec)
  }

  /// One prediction: a label and its probability.
  public struct Prediction: Equatable, Sendable, Codable {
    public var label: String
    public var probability: Double
  }

  /// What `train` produced.
  public struct Training {
    public var result: TransferResult
    /// The bundle to write: modality "vision", the labels, every preprocessing parameter.
    public var bundle: ModelBundle
    /// The folder scan: class counts and the files skipped as unreadable.
    public var report: ImageFolder.Report
    /// Items that failed to decode during training (after passing the scan).
    public var skipped: [SkippedItem]
    /// The preprocessing the model was trained with (also in `bundle`).
    public var preprocessing: ImageFolder.Preprocessing
    /// The files held out for validation, in path order (empty without a validation split);
    /// `validationEvaluation()` predicts them one by one.
    public var validationItems: [ImageFolder.Item]
    /// Validation metrics after the last stage (nil without a validation split).
    public var metrics: ClassificationMetrics? {
      (result.fineTuneEvaluation ?? result.headEvaluation)?.metrics
    }
  }

  public static let modality = "vision"

  public let model: Classifier
  public let labels: [String]
  public let preprocessing: ImageFolder.Preprocessing

  public init(model: Classifier, labels: [String], preprocessing: ImageFolder.Preprocessing) {
    self.model = model
    self.labels = labels
    self.preprocessing = preprocessing
  }

  /// Rebuilds the classifier and its preprocessing from a vision bundle.
  public init(bundle: ModelBundle, path: String) throws(BundleError) {
    guard bundle.config.modality == Self.modality else {
      throw BundleError(path: path, reason: .wrongModality(expected: Self.modality, actual: bundle.config.modality))
    }
    VisionBases.register()
    let preprocessing: ImageFolder.Preprocessing
    do {
      preprocessing = try ImageFolder.Preprocessing(json: bundle.config.preprocessing)
    } catch {
      throw BundleError(path: path, reason: .invalidConfig("preprocessing: \(error.message)"))
    }
    self.init(model: try bundle.makeClassifier(path: path), labels: bundle.config.labels, preprocessing: preprocessing)
  }

  /// Reads a vision bundle directory.
  public init(bundleAt path: String) throws(BundleError) {
    try self.init(bundle: try ModelBundle.read(from: path), path: path)
  }

  // MARK: Prediction

  /// Class probabilities of one decoded image, in label order.
  public func probabilities(_ image: Image) -> [Double] {
    let x = preprocessing.apply(to: image).unsqueezed(0)
    model.eval()
    let p = withoutGradients { softmax(model(x), axis: 1) }
    return p.scalars.map(Double.init)
  }

  /// The `k` most probable labels for `image`, most probable first.
  public func predict(_ image: Image, top k: Int = 1) -> [Prediction] {
    precondition(k >= 1, "predict: top \(k)")
    let p = probabilities(image)
    return p.indices.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }.prefix(k)
      .map { Prediction(label: labels[$0], probability: p[$0]) }
  }

  /// Decodes a PNG file and predicts it.
  public func predict(file path: String, top k: Int = 1) throws(PNGError) -> [Prediction] {
    predict(try PNGDecoder.decode(at: path), top: k)
  }

  // MARK: Evaluation

  /// Metrics on a class-per-folder directory, with the folder's scan report and the items that
  /// failed to decode. Folder classes are matched to the bundle's labels by name; a class the
  /// model does not know is an error.
  public func evaluate(on root: String, batchSize: Int = 32, verify: ImageFolder.Verification = .header)
    throws -> (evaluation: Evaluation, report: ImageFolder.Report, skipped: [SkippedItem])
  {
    let result = try evaluateFolder(on: root, batchSize: batchSize, verify: verify)
    return (result.evaluation, result.report, result.skipped)
  }

  // MARK: Training

  /// Trains a classifier on `root` (one sub-directory per class) with `recipe`.
  ///
  /// A stratified `validationFraction` of the images is held out (seeded by `recipe.seed`).
  /// Without augmentation (or a deterministic one) the base's features are computed once and
  /// cached; with a random `augmentation`, every epoch sees new draws (see `AugmentedImageFolder`)
  /// and features are recomputed. `augmentation` runs on the decoded 8-bit image before
  /// `preprocessing` (resize/crop to the input size, normalize).
  public static func train(
    base: Base, on root: String, recipe: TransferRecipe, preprocessing: ImageFolder.Preprocessing,
    augmentation: Augmentation? = nil, validationFraction: Double = 0.2, verify: ImageFolder.Verification = .header
  ) throws -> Training {
    VisionBases.register()
    let baseNetwork = try makeBase(base)
    let folder = try ImageFolder(root: root, preprocessing: preprocessing, verify: verify)
    guard folder.classes.count >= 2 else {
      throw ImageClassifierError(path: root, reason: .tooFewClasses(folder.classes.count))
    }
    let split = trainValidationSplit(folder, validationFraction: validationFraction, seed: recipe.seed)
    let validation = validationFraction > 0 && split.validation.count > 0 ? split.validation : nil
    let result: TransferResult
    if let augmentation, !augmentation.isDeterministic {
      let train = AugmentedImageFolder(folder: folder, indices: split.train.indices, augmentation: augmentation,
                                       seed: recipe.seed)
      result = try recipe.run(base: baseNetwork, classCount: folder.classes.count, labelNames: folder.classes,
                              train: train, validation: validation, augmented: true)
    } else {
      // A deterministic augmentation (resizes, centre crops) is part of every item's preprocessing.
      let train = AugmentedImageFolder(folder: folder, indices: split.train.indices,
                                       augmentation: augmentation ?? Augmentation(), seed: recipe.seed)
      result = try recipe.run(base: baseNetwork, classCount: folder.classes.count, labelNames: folder.classes,
                              train: train, validation: validation, augmented: false)
    }
    var parameters = preprocessing.json
    if let augmentation { parameters["train_augmentation"] = .array(augmentation.steps.map { .string("\($0)") }) }
    parameters["validation_fraction"] = .number(validationFraction)
    let bundle = ModelBundle(transfer: result, modality: modality, labels: folder.classes, preprocessing: parameters)
    let validationItems = validation.map { $0.indices.map { folder.items[$0] } } ?? []
    return Training(result: result, bundle: bundle, report: folder.report, skipped: result.skipped,
                    preprocessing: preprocessing, validationItems: validationItems)
  }

  static func makeBase(_ base: Base) throws -> any FeatureExtractor {
    switch base {
    case .bundle(let path):
      let bundle = try ModelBundle.read(from: path)
      guard bundle.config.modality == modality else {
        throw BundleError(path: path, reason: .wrongModality(expected: modality, actual: bundle.config.modality))
      }
      return try bundle.makeClassifier(path: path).base
    case .weights(let spec, let path):
      return try VisionBases.loadBase(spec, weights: path)
    case .scratch(let spec):
      return try ArchitectureRegistry.makeBase(spec)
    }
  }
}
