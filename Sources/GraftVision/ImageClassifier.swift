import Foundation
import GraftCore

/// Image classification by transfer learning: the shared `TransferRecipe` fed from an
/// `ImageFolder`, and the trained model loaded back from its bundle for prediction and evaluation.
///
/// ```swift
/// let training = try ImageClassifier.train(
///   base: .weights("resnet18.pth", architecture: ArchitectureSpec(name: "resnet18")),
///   on: "data/train", recipe: TransferRecipe(headEpochs: 5, seed: 42),
///   preprocessing: .init(width: 224, height: 224, resizeShorterSide: 256))
/// try training.bundle.write(to: "pets.graft")
/// let classifier = try ImageClassifier(bundlePath: "pets.graft")
/// let top = try classifier.predict(file: "cat.png", top: 3)   // [(label, probability)]
/// ```
public final class ImageClassifier: ModalityClassifier {
  /// One prediction: a label and its probability.
  public typealias Prediction = LabelScore

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
    /// The files of the training split, in path order (for the raw-input baseline).
    public var trainItems: [ImageFolder.Item] = []
    /// Validation metrics after the last stage (nil without a validation split).
    public var metrics: ClassificationMetrics? {
      result.finalEvaluation?.metrics
    }
  }

  public static let modality = "vision"

  /// Fine-tuning a pretrained base: BatchNorm on its running statistics, 3 epochs, the head at
  /// 10× the unfrozen blocks' rate, which a sweep finds (`LearningRateSearch`) unless given
  /// (explicit rates without a sweep: the blocks at a hundredth of the head stage's rate, the
  /// head at a tenth). With no block count given, the default decides (`AutomaticFineTune`): the
  /// top 2 blocks for 3 epochs when that fits the budget and a validation split exists, kept
  /// only if validation improves. (Random weights follow `FineTunePolicy.scratch`.)
  public static let fineTunePolicy: FineTunePolicy = {
    var policy = FineTunePolicy(name: "vision", baseLearningRateScale: 0.01, headLearningRateScale: 0.1, defaultEpochs: 3)
    policy.learningRateSearch = .default
    policy.automatic = AutomaticFineTune(blocks: 2, epochs: 3)
    return policy
  }()

  /// The architectures a vision base can be: GraftVision's and GraftCore's `smallcnn`.
  public static var architectures: [String] { VisionBases.names + ["smallcnn"] }

  public let model: Classifier
  public let labels: [String]
  public let preprocessing: ImageFolder.Preprocessing

  public init(model: Classifier, labels: [String], preprocessing: ImageFolder.Preprocessing) {
    self.model = model
    self.labels = labels
    self.preprocessing = preprocessing
  }

  /// Rebuilds the classifier and its preprocessing from a vision bundle.
  public convenience init(bundle: ModelBundle, path: String) throws(BundleError) {
    guard bundle.config.modality == Self.modality else {
      throw BundleError(path: path, reason: .wrongModality(expected: Self.modality, actual: bundle.config.modality))
    }
    VisionBases.register()
    let preprocessing = try SettingsDecoder.decode(bundle.config.preprocessing, path: path) {
      try ImageFolder.Preprocessing(settings: $0)
    }
    self.init(model: try bundle.makeClassifier(path: path), labels: bundle.config.labels, preprocessing: preprocessing)
  }

  /// Reads a vision bundle directory.
  public convenience init(bundlePath path: String) throws(BundleError) {
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
  /// The base comes from any `BaseSource` (a bundle must be a vision bundle). Unless the recipe
  /// has its own `FineTune`, `fineTune` (the user's block and epoch counts; by default none, the
  /// head only) becomes one by `fineTunePolicy` for a pretrained base; random weights follow
  /// `FineTunePolicy.scratch` (every block with the head from the first epoch, `fineTune` unused).
  /// `TransferRecipe.defaults(for: base)` is the converging recipe the CLI starts from.
  ///
  /// A stratified `validationFraction` of the images is held out (seeded by `recipe.seed`).
  /// Without augmentation (or a deterministic one) the base's features are computed once and
  /// cached; with a random `augmentation`, every epoch sees new draws (see `AugmentedImageFolder`)
  /// and features are recomputed. `augmentation` runs on the decoded 8-bit image before
  /// `preprocessing` (resize/crop to the input size, normalize).
  public static func train(
    base: BaseSource, on root: String, recipe: TransferRecipe, fineTune: FineTuneRequest = .headOnly,
    preprocessing: ImageFolder.Preprocessing, augmentation: Augmentation? = nil, validationFraction: Double = 0.2,
    verify: ImageFolder.Verification = .header
  ) throws -> Training {
    try train(base: try load(base), on: root, recipe: recipe, fineTune: fineTune, preprocessing: preprocessing,
              augmentation: augmentation, validationFraction: validationFraction, verify: verify)
  }

  /// Trains as `train(base:on:recipe:…preprocessing:…)` with the preprocessing the base states
  /// (`preprocessing(for:size:resizeShorterSide:normalization:)`): the ImageNet MobileNetV2
  /// `.tflite` trains at 224×224 on (u8 − 128)/128 with no option given; a base that states
  /// nothing, at 224×224 with ImageNet's statistics. The bundle records what was used.
  public static func train(
    base: BaseSource, on root: String, recipe: TransferRecipe, fineTune: FineTuneRequest = .headOnly,
    size: Int? = nil, resizeShorterSide: Int? = nil, normalization: NormalizationChoice = .base,
    augmentation: Augmentation? = nil, validationFraction: Double = 0.2, verify: ImageFolder.Verification = .header
  ) throws -> Training {
    let loaded = try load(base)
    let preprocessing = try preprocessing(for: loaded, source: base, size: size, resizeShorterSide: resizeShorterSide,
                                          normalization: normalization)
    return try train(base: loaded, on: root, recipe: recipe, fineTune: fineTune, preprocessing: preprocessing,
                     augmentation: augmentation, validationFraction: validationFraction, verify: verify)
  }

  /// Loads a vision base (`BaseSource.load` limited to the vision architectures).
  public static func load(_ base: BaseSource) throws -> LoadedBase {
    VisionBases.register()
    return try base.load(modality: modality, architectures: architectures)
  }

  /// The preprocessing for `loaded` (`ImageFolder.Preprocessing.forBase`: the user's `size`,
  /// else the base's stated side, else 224; `normalization`'s choice). A stated value that is
  /// not a preprocessing is an `ImageClassifierError` naming `source`'s file.
  public static func preprocessing(for loaded: LoadedBase, source: BaseSource, size: Int? = nil,
                                   resizeShorterSide: Int? = nil, normalization: NormalizationChoice = .base)
    throws(ImageClassifierError) -> ImageFolder.Preprocessing
  {
    do {
      return try .forBase(loaded.preprocessing, size: size, resizeShorterSide: resizeShorterSide,
                          normalization: normalization)
    } catch {
      throw ImageClassifierError(path: source.path, reason: .invalidBasePreprocessing(error))
    }
  }

  /// Trains on an already loaded base (`load(_:)`) with `preprocessing`; see
  /// `train(base:on:recipe:…preprocessing:…)`.
  public static func train(
    base loaded: LoadedBase, on root: String, recipe: TransferRecipe, fineTune: FineTuneRequest = .headOnly,
    preprocessing: ImageFolder.Preprocessing, augmentation: Augmentation? = nil, validationFraction: Double = 0.2,
    verify: ImageFolder.Verification = .header
  ) throws -> Training {
    VisionBases.register()
    let baseNetwork = loaded.network
    let recipe = loaded.recipe(recipe, fineTune: fineTune, pretrained: fineTunePolicy)
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
                    preprocessing: preprocessing, validationItems: validationItems,
                    trainItems: split.train.indices.map { folder.items[$0] })
  }
}
