import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

extension PatchAggregation: ExpressibleByArgument {}
extension ThresholdCriterion: ExpressibleByArgument {}

/// `COLUMN=VALUE` filters of CSV rows.
func parseFilters(_ filters: [String]) throws -> [(column: String, value: String)] {
  try filters.map { text in
    guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
      throw ValidationError("--where takes COLUMN=VALUE, got \"\(text)\"")
    }
    return (String(text[..<eq]), String(text[text.index(after: eq)...]))
  }
}

func fixed(_ value: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", value) }

struct AudioTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a sound classifier on log-mel patches and write a .graft bundle.",
    discussion: """
      DATA is a folder with one sub-folder of audio files per label, or a CSV with file and label \
      columns (header optional; --where split=train keeps matching rows). Every clip is decoded, \
      resampled to 16 kHz and cut into 0.96 s log-mel patches (VGGish's front end, or the base's \
      own: a bundle's, YAMNet's); each patch is a training example with its clip's label. Files that cannot be decoded and malformed CSV \
      rows are reported and skipped. 20 % of the clips (stratified) are held out to report \
      clip-level metrics; with --positive, the decision threshold is chosen on them.

      BASE is a trained bundle (its base and front end are reused), a weights file of the \
      --arch base (.safetensors, a torch.save .pt/.pth state dict, .tflite; told apart by \
      content; --arch may be left out when the file names its network), or `none` to train \
      --arch from scratch: every block with the head from the first epoch, BatchNorm on batch \
      statistics, at --lr 3e-3 for at most 30 epochs. Fine-tuning rates follow the audio policy \
      (SoundClassifier.fineTunePolicy: --lr/10).

      The head trains to convergence by default: a linear head on cached base features is \
      fitted exactly (--head-solver auto: L-BFGS on the standardised features, the L2 strength \
      chosen on the validation patches — by 3-fold cross-validation over training and \
      validation patches when those have under 10 per class, or over the training patches \
      with --validation-fraction 0 — classes weighted when imbalanced); otherwise (--spec-augment, \
      none) Adam with early stopping on validation loss (patience 5, best weights restored), \
      --epochs being the cap.

      With a pretrained base and no --fine-tune-blocks, the default decides: the top 2 blocks \
      for 3 epochs when it fits the budget and validation clips exist, at a rate a \
      learning-rate sweep finds (--fine-tune-lr auto; --lr-find prints it), kept only if \
      patch-level validation loss falls with accuracy no lower; both evaluations are printed. --checkpoint FILE \
      writes a checkpoint every epoch; --resume FILE continues one.

      Examples:
        graft audio train --data coughs/ --base none --arch audio_resnet --positive cough --out cough.graft
        graft audio train --data labels.csv --where split=train --base cough.graft --out mine.graft --json
        graft audio train --data coughs/ --base none --arch smallcnn --positive cough --out cough.graft --report cough-report/
      """)

  @Option(help: ArgumentHelp("A class-per-folder directory or a CSV of file,label.", valueName: "dir-or-csv"))
  var data: String

  @OptionGroup var baseOptions: BaseOptions

  @OptionGroup var cacheOptions: FeatureCacheOptions

  @Option(help: ArgumentHelp("The bundle to write.", valueName: "name.graft"))
  var out: String

  @Option(help: "Make a binary detector for this label: ROC-AUC and a validation-chosen threshold.")
  var positive: String?

  @Option(help: TrainingHelp.epochs)
  var epochs: Int?

  @Option(name: .customLong("head-solver"), help: HeadSolverChoice.help)
  var headSolver: HeadSolverChoice = .auto

  @Flag(name: .customLong("no-head-refit"), help: HeadSolverChoice.noRefitHelp)
  var noHeadRefit = false

  @Option(help: "Fine-tune the top N blocks of the base after the head (0: none; not with none, which trains every block; default for a pretrained base: decided — the top 2 for 3 epochs when the training patches × epochs fit the budget, kept only if the validation loss on patches falls with accuracy no lower).")
  var fineTuneBlocks: Int?

  @OptionGroup var control: TrainingControlOptions

  @Flag(name: .customLong("compare-scratch"), help: ArgumentHelp(ScratchComparison.help))
  var compareScratch = false

  @Option(help: "Epochs of fine-tuning (default: --epochs).")
  var fineTuneEpochs: Int?

  @Option(help: "Patches per batch.")
  var batchSize = 32

  @Option(help: TrainingHelp.lr)
  var lr: Float?

  @Option(help: "Seed of the split, the batch order and the head's initialisation.")
  var seed: UInt64 = 42

  @Option(help: "Fraction of the clips held out for validation (0 for none).")
  var validationFraction = 0.2

  @Option(help: "How patch probabilities become a clip's: mean or max.")
  var aggregation: PatchAggregation = .mean

  @Option(help: "How --positive picks its threshold: youden or f1.")
  var thresholdCriterion: ThresholdCriterion = .youden

  @Flag(help: "Mask random time and mel stripes of training patches (SpecAugment; disables the feature cache).")
  var specAugment = false

  @Option(name: .customLong("where"), help: ArgumentHelp("Keep CSV rows whose COLUMN equals VALUE (repeatable).",
                                                         valueName: "column=value"))
  var filters: [String] = []

  @Option(help: ArgumentHelp("Directory that relative paths in the CSV start from (default: the CSV's).", valueName: "dir"))
  var audioRoot: String?

  @Option(help: ArgumentHelp("The CSV column holding the labels (default: label, class or category).", valueName: "name"))
  var labelColumn: String?

  @Option(help: ArgumentHelp("Write an HTML report to DIR/index.html: training curves, validation metrics, spectrograms of the validation clips (mistakes first).",
                             valueName: "dir"))
  var report: String?

  @Flag(help: "Print a JSON summary.")
  var json = false

  @Flag(help: "Print no progress.")
  var quiet = false

  func validate() throws {
    if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    if let lr, !(lr > 0) { throw ValidationError("--lr must be positive") }
    try baseOptions.validateScratchRules(fineTuneBlocks: fineTuneBlocks, fineTuneEpochs: fineTuneEpochs,
                                         compareScratch: compareScratch)
    if headSolver == .lbfgs, specAugment || baseOptions.isScratch {
      throw ValidationError("--head-solver lbfgs fits cached features: it does not combine with --spec-augment or --base none")
    }
    if let fineTuneBlocks, fineTuneBlocks < 0 { throw ValidationError("--fine-tune-blocks must not be negative") }
    if let fineTuneEpochs, fineTuneEpochs < 1 { throw ValidationError("--fine-tune-epochs must be at least 1") }
    if !(validationFraction >= 0 && validationFraction < 1) { throw ValidationError("--validation-fraction must lie in [0, 1)") }
    try baseOptions.validate(architectures: SoundClassifier.architectures)
    _ = try baseSource()
    _ = try parseFilters(filters)
  }

  /// `--base` and the architecture flags, through `SoundClassifier.architecture`.
  func baseSource() throws -> BaseSource {
    try baseOptions.source { name in
      try SoundClassifier.architecture(name: name, widths: try baseOptions.widthList(),
                                       widthMultiplier: baseOptions.multiplier)
    }
  }

  func run() throws {
    let source = try SoundDataSource.load(data, filters: try parseFilters(filters), root: audioRoot, labelColumn: labelColumn)
    if baseOptions.isBundle && baseOptions.arch != nil {
      throw CLIError("\(baseOptions.base): a bundle brings its own base; --arch applies to none and weights files")
    }
    let base = try baseSource()
    // A missing base file is the one line printed, before any progress.
    if case .weights(let path, _) = base, !FileManager.default.fileExists(atPath: path) {
      throw BaseSourceError(path: path, reason: .missing)
    }
    var recipe = transferRecipe(for: base, epochs: epochs, lr: lr, headSolver: headSolver, minimumValidationPerClass: nil,
                                refitsTinyValidation: !noHeadRefit, batchSize: batchSize, seed: seed, quiet: quiet || json)
    recipe.featureStore = try cacheOptions.store()
    recipe.checkpoints = control.checkpoints
    var fineTune = FineTuneRequest(blocks: fineTuneBlocks, epochs: fineTuneEpochs)
    fineTune.baseLearningRate = control.baseLearningRate
    let options = SoundTrainingOptions(aggregation: aggregation, positiveLabel: positive, thresholdCriterion: thresholdCriterion,
                                       validationFraction: validationFraction,
                                       augment: specAugment ? SpecAugment() : nil)  // masks: the front end's silence
    if !json && !quiet {
      let counts = source.counts.map { "\($0.label) \($0.count)" }.joined(separator: ", ")
      Console.writeError("data: \(source.clips.count) clips (\(counts))\n")
    }
    let run = try SoundClassifier.train(base: base, on: source, recipe: recipe,
                                        fineTune: fineTune,
                                        options: options)
    try run.bundle.write(to: out)
    let health = HealthOutput.audio(source.clips, unreadable: run.skipped.filter { issue in
      issue.line == nil && source.clips.contains { $0.path == issue.path }
    })
    HealthOutput.warn(health)
    if !quiet && !json, let line = FeatureCacheOptions.summary(recipe.featureStore) { Console.writeError(line + "\n") }
    let transferAccuracy = run.validation?.metrics.accuracy
    var scratch: ScratchComparison? = nil
    if compareScratch {
      // The same architecture and front end from random weights, the same clips and split.
      let started = Date()
      let spec = ScratchComparison.spec(of: run.classifier.model.base)
      if !quiet && !json { Console.writeError("--compare-scratch: training \(spec.name) from random weights\n") }
      let scratchBase = BaseSource.scratch(spec)
      var scratchOptions = options
      scratchOptions.frontEnd = run.classifier.frontEnd
      let scratchRecipe = transferRecipe(for: scratchBase, epochs: nil, lr: nil, headSolver: .auto, minimumValidationPerClass: nil,
                                         batchSize: batchSize, seed: seed, quiet: quiet || json)
      let other = try SoundClassifier.train(base: scratchBase, on: source, recipe: scratchRecipe,
                                            fineTune: FineTuneRequest(blocks: nil, epochs: nil), options: scratchOptions)
      scratch = ScratchComparison(architecture: spec.name, accuracy: other.validation?.metrics.accuracy,
                                  macroF1: other.validation?.metrics.macroF1, validationCount: other.validationClips,
                                  epochs: other.transfer.headHistory.epochs.count + (other.transfer.fineTuneHistory?.epochs.count ?? 0),
                                  seconds: Date().timeIntervalSince(started))
    }
    var reportPath: String? = nil
    if let report {
      var facts = [ReportFact("data", data), ReportFact("bundle", out), BaselineOutput.fact(run.baseline, transferAccuracy: transferAccuracy)]
      if let scratch { facts.append(scratch.fact(transferAccuracy: transferAccuracy)) }
      var section = run.reportSection(facts: facts)
      FineTuneOutput.decorate(&section, run.transfer)
      reportPath = try writeReport([section], title: "\((out as NSString).lastPathComponent): training report", to: report)
    }

    if json {
      var object: [String: JSONValue] = [
        "out": .string(out), "labels": .array(run.classifier.labels.map { .string($0) }),
        "counts": .object(Dictionary(uniqueKeysWithValues: source.counts.map { ($0.label, .number(Double($0.count))) })),
        "train_clips": .number(Double(run.trainClips)), "validation_clips": .number(Double(run.validationClips)),
        "train_patches": .number(Double(run.trainPatches)), "skipped": try JSONValue(encoding: run.skipped),
        "base": .string(run.classifier.model.base.architecture.name),
        "validation": run.validation?.json(includePredictions: false) ?? .null,
        "feature_cache": .bool(run.transfer.usedFeatureCache),
        "feature_store": FeatureCacheOptions.json(recipe.featureStore),
        "health": health.json,
        "head_fit": try run.transfer.headFit.map { try JSONValue(encoding: $0) } ?? .null,
        "epochs": .number(Double(run.transfer.headHistory.epochs.count)),
        "stopped": (run.transfer.fineTuneHistory?.stopReason ?? run.transfer.headHistory.stopReason).map { .string($0) } ?? .null,
        "world_size": .number(Double(ProcessGroups.current.size)),
        "baseline": try BaselineOutput.json(run.baseline, transferAccuracy: transferAccuracy),
      ]
      if let scratch { object["scratch"] = try scratch.json(transferAccuracy: transferAccuracy) }
      if let p = run.classifier.positiveLabel { object["positive_label"] = .string(p) }
      if let t = run.classifier.threshold { object["threshold"] = .number(Double(t)) }
      if let reportPath { object["report"] = .string(reportPath) }
      object.merge(FineTuneOutput.json(run.transfer)) { $1 }
      try printJSON(JSONValue.object(object))
      return
    }
    for issue in run.skipped { Console.writeError("graft: warning: skipped \(issue)\n") }
    var lines = ["trained on \(run.trainClips) clips (\(run.trainPatches) patches), validated on \(run.validationClips) clips"]
    if let v = run.validation {
      lines.append("validation: " + metricsText(v.metrics, unit: "clips", rocAUC: v.rocAUC, threshold: v.threshold,
                                                positiveLabel: v.positiveLabel))
    }
    lines.append(BaselineOutput.text(run.baseline, transferAccuracy: transferAccuracy))
    if let scratch { lines.append(scratch.text(transferAccuracy: transferAccuracy)) }
    let fineTuneText = FineTuneOutput.text(run.transfer, plot: control.lrFind, unit: "patches")
    if !fineTuneText.isEmpty { lines.append(String(fineTuneText.dropLast())) }
    lines.append("wrote \(out)")
    if let reportPath { lines.append("wrote report \(reportPath)") }
    Console.writeOutput(lines.joined(separator: "\n") + "\n")
  }
}
