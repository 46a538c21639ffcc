import ArgumentParser
import Foundation
import GraftCore
import GraftVision

extension NormalizationChoice: ExpressibleByArgument {}

/// The augmentations `vision train --augment` names (`Augmentation.Step.named`).
enum AugmentChoice {
  static var names: [String] { Augmentation.Step.names }

  /// The steps of a comma-separated `--augment` list, in order; a usage error names an unknown one.
  static func steps(_ list: String, size: Int) throws -> [Augmentation.Step] {
    try list.split(separator: ",").map { part in
      let name = part.trimmingCharacters(in: .whitespaces)
      guard let step = Augmentation.Step.named(name, size: size) else {
        throw ValidationError("unknown --augment \"\(name)\" (one of \(names.joined(separator: ", ")))")
      }
      return step
    }
  }
}

struct VisionTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an image classifier on a class-per-folder directory by transfer learning; write a bundle.",
    discussion: """
      BASE is a vision bundle (NAME.graft: its base and weights are reused), a weights file — \
      safetensors (Tools/convert_torchvision.py writes the architecture into it), a torch.save \
      .pt/.pth state dict (with --arch) or a TFLite MobileNetV2 (recognised from its graph) — or \
      `none` with --arch for a randomly initialised base. Fine-tuning rates follow the vision \
      policy (ImageClassifier.fineTunePolicy). With a pretrained base and no --fine-tune-blocks, \
      the default decides: the top 2 blocks for 3 epochs when training images × epochs fit \
      20,000 at 224×224 and a validation split exists, at rates a learning-rate sweep finds \
      (--fine-tune-lr auto; --lr-find prints it), kept only if the validation loss falls \
      with accuracy no lower; both evaluations are printed. Small images (longer side at most a \
      third of the base's input, e.g. 32×32 for 224) also get a scratch check: smallcnn trained \
      from scratch at their own size, kept instead when more than a point better on validation \
      (--no-scratch-check). --checkpoint FILE writes a checkpoint every epoch; --resume FILE \
      continues one. A stratified --validation fraction is held out; its metrics are printed at \
      the end.

      The head trains to convergence by default: a linear head on cached base features is \
      fitted exactly (--head-solver auto: L-BFGS on the standardised features, the L2 strength \
      chosen on the validation split — by 3-fold cross-validation over the training and \
      validation images when it has under 10 per class, or over the training images with \
      --validation 0 — classes weighted when imbalanced); a head that cannot use cached \
      features (--augment) trains by Adam with early stopping on validation loss, --epochs \
      being the cap. With none, every block trains with the head from the first epoch (BatchNorm \
      on batch statistics) at --lr 3e-3 for at most 30 epochs, with the same early stopping.

      --report DIR also writes DIR/index.html, one self-contained page (inline CSS and SVG, \
      thumbnails as data: URIs, nothing fetched from the network): the run's facts, loss and \
      accuracy curves per epoch (head, then fine-tune), and for the validation split the \
      confusion matrix, per-class precision/recall/F1 and a grid of up to 48 thumbnails, \
      mistakes first (most confident first). With --validation 0 it holds the facts and curves.

      Examples:
        graft vision train --data pets/train --base resnet18.safetensors --out pets.graft
        graft vision train --data pets/train --base mobilenet_v2_1.0_224_quant.tflite --out pets.graft
        graft vision train --data pets/train --base pets.graft --out pets2.graft --fine-tune-blocks 1 --augment flip,crop
        graft vision train --data pets/train --base resnet18.pth --arch resnet18 --out pets.graft --report pets-report
        graft vision train --data digits --base none --arch smallcnn --widths 16,32 --size 28 --out digits.graft
      """)

  @Option(help: ArgumentHelp("The training images: one sub-directory per class.", valueName: "dir"))
  var data: String

  @OptionGroup var baseOptions: BaseOptions

  @OptionGroup var cacheOptions: FeatureCacheOptions

  @Option(help: ArgumentHelp("The bundle to write.", valueName: "name.graft"))
  var out: String

  @Option(help: "Input width and height in pixels (default: the base's own when it states one, as a .tflite or a bundle does; from scratch (--base none), the training images' own — their most common longer side, 16 to 224; else 224). Images of other sizes are resized to it.")
  var size: Int?

  @Option(help: ArgumentHelp("Input normalization: base (the base's own when it states one, e.g. (u8−128)/128 for a quantized .tflite; else imagenet), imagenet (torchvision's mean/std) or none ([0, 1]).", valueName: "base|imagenet|none"))
  var normalize: NormalizationChoice = .base

  @Option(name: .customLong("head-solver"), help: HeadSolverChoice.help)
  var headSolver: HeadSolverChoice = .auto

  @Flag(name: .customLong("no-head-refit"), help: HeadSolverChoice.noRefitHelp)
  var noHeadRefit = false

  /// Measurement knob for the tiny-validation rule (docs/BENCHMARKS.md): the validation images
  /// per class below which λ is chosen by cross-validation over training and validation images.
  @Option(name: .customLong("head-cv-below"), help: .hidden)
  var headCVBelow: Int?

  @Option(name: .customLong("resize-shorter-side"), help: "Resize the shorter side to this, then centre-crop to --size (e.g. 256 for 224).")
  var resizeShorterSide: Int?

  @Option(help: TrainingHelp.epochs)
  var epochs: Int?

  @Option(name: .customLong("fine-tune-blocks"), help: "Top base blocks to fine-tune after the head (0: none; not with none, which trains every block; default: decided — the top 2 for 3 epochs when the training images × epochs fit the budget of 20,000 at 224×224 and a validation split exists, kept only if the validation loss falls with accuracy no lower).")
  var fineTuneBlocks: Int?

  @OptionGroup var control: TrainingControlOptions

  @Flag(name: .customLong("compare-scratch"), help: ArgumentHelp(ScratchComparison.help))
  var compareScratch = false

  @Flag(inversion: .prefixedNo, help: "With a pretrained base and the defaults (no --size, no --fine-tune-blocks, a validation split): when the images are small (their longer side at most a third of the base's input, e.g. 32×32 for 224) and few enough (training images × their pixels ≤ 20,000 × 32²), also train smallcnn from scratch at the images' own size, and keep it instead of the transfer when its validation accuracy is more than a point higher.")
  var scratchCheck = true

  @Option(name: .customLong("fine-tune-epochs"), help: "Fine-tuning epochs (default 3).")
  var fineTuneEpochs: Int?

  @Option(name: .customLong("batch-size"), help: "Batch size.")
  var batchSize: Int = 32

  @Option(help: TrainingHelp.lr)
  var lr: Float?

  @Option(help: "Random augmentations, comma-separated: flip, crop, rotate, jitter (disables feature caching).")
  var augment: String?

  @Option(help: "Fraction of each class held out for validation.")
  var validation: Double = 0.2

  @Option(help: "Random seed (split, shuffling, head initialisation, augmentation).")
  var seed: UInt64 = 42

  @Option(help: ArgumentHelp("Also write an HTML report to DIR/index.html (facts, curves, confusion matrix, per-class table, thumbnail grid).", valueName: "dir"))
  var report: String?

  @Flag(help: "Print JSON: {\"bundle\", \"report\" (with --report), \"accuracy\", \"macro_f1\", \"labels\", \"confusion\", \"per_class\", \"count\", \"classes\", \"skipped\", \"feature_cache\", \"head_fit\" (the exact fit: l2, selection, trials; null for Adam), \"epochs\", \"stopped\", \"preprocessing\", \"world_size\"} (metrics null without validation).")
  var json = false

  @Flag(help: "No per-epoch progress on stderr.")
  var quiet = false

  var base: String { baseOptions.base }
  var arch: String? { baseOptions.arch }

  func validate() throws {
    try baseOptions.validate(architectures: ImageClassifier.architectures)
    if baseOptions.isBundle && arch != nil {
      throw ValidationError("--arch is not used with a bundle base (its architecture is in the bundle)")
    }
    _ = try source()
    if let size, size < 1 { throw ValidationError("--size must be positive") }
    if let size, let r = resizeShorterSide, r < size { throw ValidationError("--resize-shorter-side must be at least --size") }
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be positive") }
    if let headCVBelow, headCVBelow < 0 { throw ValidationError("--head-cv-below must not be negative") }
    if (fineTuneBlocks ?? 0) < 0 || (fineTuneEpochs ?? 0) < 0 {
      throw ValidationError("--fine-tune-blocks and --fine-tune-epochs must not be negative")
    }
    if batchSize < 1 { throw ValidationError("--batch-size must be positive") }
    if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
    try baseOptions.validateScratchRules(fineTuneBlocks: fineTuneBlocks, fineTuneEpochs: fineTuneEpochs,
                                         compareScratch: compareScratch)
    if !(validation >= 0 && validation < 1) { throw ValidationError("--validation must lie in [0, 1)") }
    _ = try augmentation(size: size ?? 224)
    if headSolver == .lbfgs, augment != nil || baseOptions.isScratch {
      throw ValidationError("--head-solver lbfgs fits cached features: it does not combine with --augment or --base none")
    }
  }

  /// `--base` and the architecture flags, through `VisionBases.architecture`.
  func source() throws -> BaseSource {
    try baseOptions.source { name in
      try VisionBases.architecture(name: name, widths: try baseOptions.widthList(), widthMultiplier: baseOptions.multiplier)
    }
  }

  /// The `--augment` steps for inputs of `size` pixels (a random crop's output side).
  func augmentation(size: Int) throws -> Augmentation? {
    guard let augment else { return nil }
    return Augmentation(try AugmentChoice.steps(augment, size: size))
  }

  func run() throws {
    let source = try source()
    var recipe = transferRecipe(for: source, epochs: epochs, lr: lr, headSolver: headSolver,
                                minimumValidationPerClass: headCVBelow, refitsTinyValidation: !noHeadRefit,
                                batchSize: batchSize, seed: seed, quiet: quiet)
    recipe.featureStore = try cacheOptions.store()
    recipe.checkpoints = control.checkpoints
    var fineTune = FineTuneRequest(blocks: fineTuneBlocks, epochs: fineTuneEpochs)
    fineTune.baseLearningRate = control.baseLearningRate
    let started = Date()
    let base = try ImageClassifier.load(source)
    // From scratch there is no stated input size: the images' own, not an ImageNet network's 224.
    let side = size ?? (baseOptions.isScratch && resizeShorterSide == nil ? ImageFolder.nativeSide(root: data) : nil)
    let preprocessing = try ImageClassifier.preprocessing(for: base, source: source, size: side,
                                                          resizeShorterSide: resizeShorterSide, normalization: normalize)
    if size == nil, let side, !quiet, !json {
      Console.writeError("input \(side)×\(side): the training images' own size (--size to change)\n")
    }
    var training = try ImageClassifier.train(base: base, on: data, recipe: recipe, fineTune: fineTune,
                                             preprocessing: preprocessing,
                                             augmentation: try augmentation(size: preprocessing.width),
                                             validationFraction: validation)
    let check = try smallImageScratchCheck(transfer: training)
    if let check, check.kept { training = check.scratch }
    try training.bundle.write(to: out)
    if !quiet && !json, let line = FeatureCacheOptions.summary(recipe.featureStore) { Console.writeError(line + "\n") }
    let baseline = ImageBaseline.compare(train: training.trainItems, validation: training.validationItems,
                                         labels: training.bundle.config.labels, layout: training.preprocessing.layout)
    let transferAccuracy = training.metrics?.accuracy
    let seconds = Date().timeIntervalSince(started)
    let health = try HealthOutput.visionTraining(root: data, report: training.report)
    HealthOutput.warn(health)
    let scratch = compareScratch ? try scratchComparison(base.network, preprocessing: training.preprocessing) : nil
    var comparisons = [BaselineOutput.fact(baseline, transferAccuracy: transferAccuracy)]
    if let scratch { comparisons.append(scratch.fact(transferAccuracy: transferAccuracy)) }
    let reportPath = try report.map { try reportPage(training, to: $0, seconds: seconds, comparisons: comparisons) }

    let skipped = training.report.skipped.map { Skipped(path: $0.path, reason: $0.reason.description) }
      + training.skipped.map { Skipped(path: nil, reason: $0.description) }
    if json {
      var object: [String: JSONValue] = [:]
      if let m = training.metrics, case .object(let fields) = try JSONValue(encoding: m) { object = fields }
      else { for key in ["accuracy", "macro_f1", "labels", "confusion", "per_class", "count"] { object[key] = .null } }
      object["bundle"] = .string(out)
      object["classes"] = .array(training.report.classCounts.map { ["name": .string($0.name), "count": .number(Double($0.count))] })
      object["skipped"] = try JSONValue(encoding: skipped)
      object["feature_cache"] = .bool(training.result.usedFeatureCache)
      object["feature_store"] = FeatureCacheOptions.json(recipe.featureStore)
      object["health"] = health.json
      object["head_fit"] = try training.result.headFit.map { try JSONValue(encoding: $0) } ?? .null
      object["epochs"] = .number(Double(training.result.headHistory.epochs.count))
      object["stopped"] = (training.result.fineTuneHistory?.stopReason ?? training.result.headHistory.stopReason)
        .map { .string($0) } ?? .null
      object["world_size"] = .number(Double(ProcessGroups.current.size))
      object["preprocessing"] = .object(training.preprocessing.json)
      object["baseline"] = try BaselineOutput.json(baseline, transferAccuracy: transferAccuracy)
      if let scratch { object["scratch"] = try scratch.json(transferAccuracy: transferAccuracy) }
      object["scratch_check"] = check?.json ?? .null
      if let reportPath { object["report"] = .string(reportPath) }
      object.merge(FineTuneOutput.json(training.result)) { $1 }
      try printJSON(JSONValue.object(object))
    } else {
      var text = "\(data): \(training.report)\n"
      text += "input: \(inputText(training.preprocessing))\n"
      for s in training.skipped { text += "skipped during training: \(s)\n" }
      if let m = training.metrics {
        text += "validation: \(metricsText(m))\n"
      } else {
        text += "no validation split (--validation 0)\n"
      }
      text += BaselineOutput.text(baseline, transferAccuracy: transferAccuracy) + "\n"
      if let scratch { text += scratch.text(transferAccuracy: transferAccuracy) + "\n" }
      if let check { text += check.text + "\n" }
      text += training.result.usedFeatureCache ? "head trained on cached base features\n"
        : baseOptions.isScratch || check?.kept == true ? "every block trained with the head (from scratch)\n"
        : "base features recomputed every batch (augmentation)\n"
      if let fit = training.result.headFit { text += "head: \(fit)\n" }
      else if let stop = training.result.headHistory.stopReason { text += "head: stopped: \(stop)\n" }
      text += FineTuneOutput.text(training.result, plot: control.lrFind, unit: "images")
      text += "wrote \(out)\n"
      if let reportPath { text += "wrote report \(reportPath)\n" }
      Console.writeOutput(text)
    }
  }

  /// Writes `dir/index.html`: the facts of this run, its curves and the validation split's
  /// metrics and thumbnails. Returns the page's path.
  func reportPage(_ training: ImageClassifier.Training, to dir: String, seconds: Double, comparisons: [ReportFact]) throws -> String {
    let baseText = baseOptions.description
    let fineTuned = training.result.fineTuneHistory.map(\.epochs.count) ?? 0
    var facts = [
      ReportFact("data", data),
      ReportFact("base", baseText),
      ReportFact("classes", training.report.classCounts.map { "\($0.name) \($0.count)" }.joined(separator: ", ")),
      ReportFact("images", "\(training.report.total) (validation \(training.validationItems.count), fraction \(validation))"),
      ReportFact("input", inputText(training.preprocessing)),
      ReportFact("augmentation", augment ?? "none"),
      ReportFact("feature cache", training.result.usedFeatureCache
        ? "used (head trained on cached base features)" : "not used (features recomputed every batch)"),
      ReportFact("epochs", "head \(training.result.headHistory.epochs.count)" + (fineTuned > 0
        ? ", fine-tune \(fineTuned) (top \(outcomeBlocks(training)) block\(outcomeBlocks(training) == 1 ? "" : "s"))" : "")),
      ReportFact("seconds", String(format: "%.1f", seconds)),
      ReportFact("seed", "\(seed)"),
      ReportFact("bundle", out),
    ] + comparisons
    if let stop = training.result.fineTuneHistory?.stopReason ?? training.result.headHistory.stopReason {
      facts.append(ReportFact("stopped", stop))
    }
    var section = training.reportSection(heading: "Validation", facts: facts, batchSize: batchSize)
    FineTuneOutput.decorate(&section, training.result)
    return try writeReport([section], title: "\((out as NSString).lastPathComponent): training report", to: dir)
  }

  /// `--compare-scratch`: `network`'s architecture from random weights with the `--base none`
  /// defaults, on the same data, split (seed, fraction) and preprocessing as the transfer run.
  func scratchComparison(_ network: any FeatureExtractor, preprocessing: ImageFolder.Preprocessing) throws -> ScratchComparison {
    let started = Date()
    let spec = ScratchComparison.spec(of: network)
    let source = BaseSource.scratch(spec)
    if !quiet { Console.writeError("--compare-scratch: training \(spec.name) from random weights\n") }
    let recipe = transferRecipe(for: source, epochs: nil, lr: nil, headSolver: .auto, minimumValidationPerClass: nil,
                                batchSize: batchSize, seed: seed, quiet: quiet)
    let training = try ImageClassifier.train(base: try ImageClassifier.load(source), on: data, recipe: recipe,
                                             fineTune: FineTuneRequest(blocks: nil, epochs: nil), preprocessing: preprocessing,
                                             augmentation: try augmentation(size: preprocessing.width),
                                             validationFraction: validation)
    return ScratchComparison(architecture: spec.name, accuracy: training.metrics?.accuracy, macroF1: training.metrics?.macroF1,
                             validationCount: training.validationItems.count,
                             epochs: training.result.headHistory.epochs.count + (training.result.fineTuneHistory?.epochs.count ?? 0),
                             seconds: Date().timeIntervalSince(started))
  }

  /// The blocks the fine-tune stage unfroze (the request's, or the default policy's).
  func outcomeBlocks(_ training: ImageClassifier.Training) -> Int {
    training.result.fineTuneOutcome?.blocks ?? fineTuneBlocks ?? 0
  }

  /// The preprocessing in one line: `224×224, mean 0.502 0.502 0.502, std 0.502 0.502 0.502`.
  func inputText(_ p: ImageFolder.Preprocessing) -> String {
    func list(_ v: [Float]) -> String { v.prefix(p.layout.rawValue).map { String(format: "%.3f", $0) }.joined(separator: " ") }
    return "\(p.width)×\(p.height)" + (p.resizeShorterSide.map { " (shorter side \($0), centre crop)" } ?? "")
      + ", mean \(list(p.normalization.mean)), std \(list(p.normalization.std))"
  }

  struct Skipped: Encodable {
    var path: String?
    var reason: String
  }
}
