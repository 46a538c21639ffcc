import Foundation
import GraftCore

extension SoundClassifier {
  /// Trains a classifier on `data` with the shared `TransferRecipe`.
  ///
  /// The base comes from any `BaseSource` (a bundle of any modality lends its base; an audio
  /// bundle also its front end). Unless `recipe` has its own `FineTune`, `fineTune` (the user's
  /// block and epoch counts) becomes one by `fineTunePolicy` for a pretrained base; random
  /// weights follow `FineTunePolicy.scratch` (every block with the head from the first epoch).
  /// Without a `recipe`, `TransferRecipe.defaults(for: base)`: the head trained to convergence.
  ///
  /// Every clip is decoded and cut into patches first; a clip that fails (corrupt, empty,
  /// unsupported) is reported in `skipped` with its reason and left out. Clips, not patches, are
  /// split into training and validation (stratified), so no clip is on both sides. **Each patch of
  /// a training clip is one training example carrying the clip's label** (a weak label: a 5 s
  /// "cough" clip may hold one cough and four quiet patches, which `max` aggregation tolerates
  /// better than `mean`). The recipe trains the head on cached base features (unless `augment`
  /// makes the patches random), optionally fine-tunes the top blocks, and reports patch-level
  /// metrics; then the validation clips are scored the way `predict` scores a clip (patch
  /// probabilities aggregated per clip), giving the clip-level metrics, the ROC-AUC of a binary
  /// task and, with a positive label, the threshold that maximises the criterion on them
  /// (`chooseThreshold`; 0.5 when there is no validation clip of each class).
  public static func train(base: BaseSource, on data: SoundDataSource, recipe: TransferRecipe? = nil,
                           fineTune: FineTuneRequest = FineTuneRequest(), options: SoundTrainingOptions = .init())
    throws -> SoundTrainingRun {
    registerArchitectures()
    let labels = data.labels
    guard labels.count >= 2 else { throw SoundDataError(path: data.source, reason: .tooFewLabels(labels)) }
    if let positive = options.positiveLabel, labels.count != 2 || !labels.contains(positive) {
      throw SoundDataError(path: data.source, reason: .invalidPositiveLabel(positive, labels: labels))
    }
    let (loaded, bundleFrontEnd) = try makeBase(base)
    let extractor = loaded.network
    let recipe = loaded.recipe(recipe ?? .defaults(for: base), fineTune: fineTune, pretrained: fineTunePolicy)
    // A base's own front end unless one is given: YAMNet and mn04 were trained on their exact log-mel.
    let frontEnd = options.frontEnd ?? bundleFrontEnd ?? defaultFrontEnd(for: extractor)
    if let problem = mismatch(extractor, frontEnd) {
      throw SoundDataError(path: data.source, reason: .baseMismatch(problem))
    }
    if case .weights(let path, _) = base, let problem = pretrainedFrontEndProblem(extractor, frontEnd) {
      throw SoundDataError(path: path, reason: .baseMismatch(problem))
    }
    // Patches run frames × mel bands; EfficientAT's MN reads them transposed (recorded in the bundle).
    (extractor as? MN)?.inputLayout = .framesByMels

    // Decode every clip once; failures are reported and skipped.
    let (clips, failures) = prepare(data.clips, labels: labels, frontEnd: frontEnd)
    let skipped = data.issues + failures
    guard !clips.isEmpty else {
      throw SoundDataError(path: data.source, reason: .nothingToTrainOn("no clip could be decoded (\(failures.count) failed)"))
    }
    let split = trainValidationSplit(ClipLabels(labels: clips.map(\.label)), validationFraction: options.validationFraction,
                                     seed: recipe.seed)
    let trainClips = split.train.indices.map { clips[$0] }
    let validationClips = split.validation.indices.map { clips[$0] }
    let missing = labels.indices.filter { c in !trainClips.contains { $0.label == c } }
    guard missing.isEmpty else {
      throw SoundDataError(path: data.source, reason: .nothingToTrainOn(
        "no decodable training clip for \(missing.map { labels[$0] }.joined(separator: ", "))"))
    }
    // Masks fill with this front end's silence unless the caller chose a value.
    let frontEndKey = PatchDataset.key(frontEnd)
    let train = PatchDataset(trainClips, augment: options.augment.map { ($0.filled(floor: frontEnd.floor), recipe.seed) },
                             frontEndKey: frontEndKey)
    let validation = validationClips.isEmpty ? nil : PatchDataset(validationClips, augment: nil, frontEndKey: frontEndKey)
    let result = try recipe.run(base: extractor, classCount: labels.count, labelNames: labels, train: train,
                                validation: validation, augmented: options.augment != nil)

    // Clip-level validation: probabilities first, then the threshold, then the decisions.
    let hop = options.eventHopFrames ?? max(1, frontEnd.patchFrames / 4)
    let scorer = SoundClassifier(model: result.model, labels: labels, frontEnd: frontEnd, aggregation: options.aggregation,
                                 positiveLabel: options.positiveLabel, threshold: 0.5, eventHopFrames: hop)
    let clipProbabilities = validationClips.map { options.aggregation(scorer.probabilities($0.patches)) }
    var threshold: Float? = nil
    if let positive = scorer.positiveIndex {
      threshold = Self.chooseThreshold(scores: clipProbabilities.map { $0[positive] },
                                       positives: validationClips.map { $0.label == positive },
                                       criterion: options.thresholdCriterion)
    }
    let classifier = SoundClassifier(model: result.model, labels: labels, frontEnd: frontEnd,
                                     aggregation: options.aggregation, positiveLabel: options.positiveLabel,
                                     threshold: threshold, eventHopFrames: hop)
    let evaluation = validationClips.isEmpty ? nil
      : classifier.evaluation(clipProbabilities: clipProbabilities, clips: validationClips.map(\.facts), skipped: [])

    var preprocessing = classifier.preprocessing
    if options.positiveLabel != nil { preprocessing.thresholdCriterion = options.thresholdCriterion }
    var bundle = ModelBundle(transfer: result, modality: modality, labels: labels, preprocessing: preprocessing.json)
    if let evaluation { bundle.config.training["clip_validation"] = evaluation.json(includePredictions: false) }
    bundle.config.training["data"] = [
      "train_clips": .number(Double(trainClips.count)), "validation_clips": .number(Double(validationClips.count)),
      "train_patches": .number(Double(train.count)), "skipped": .number(Double(skipped.count)),
      "each_patch_inherits_its_clip_label": true,
    ]
    var run = SoundTrainingRun(classifier: classifier, bundle: bundle, transfer: result, validation: evaluation,
                               skipped: skipped, trainClips: trainClips.count, validationClips: validationClips.count,
                               trainPatches: train.count)
    run.baseline = SoundBaseline.compare(train: trainClips, validation: validationClips, labels: labels)
    return run
  }

  /// The decision threshold for validation clip scores. 0.5 — the head's own decision, a
  /// probability fitted on the training clips (classes weighted when imbalanced) — whenever it
  /// scores as well on validation as the best threshold does (exactly equal `criterion`);
  /// otherwise `bestThreshold`'s choice (one of the scores, the highest among equally good ones),
  /// moved down to the midpoint between it and the next lower score, so every validation clip
  /// gets the same decision but a new clip scoring a little below the lowest accepted positive is
  /// not rejected (with confident models the chosen score is often 1.0 itself). A small
  /// validation split that separates the classes leaves a wide interval of equally good
  /// thresholds; any point of it fits those few clips, and the fitted 0.5 generalises better
  /// (mn04 coughs: 0.869 test accuracy at the interval's midpoint, 0.967 at 0.5, docs/audio.md).
  /// 0.5 when the scores lack a class.
  static func chooseThreshold(scores: [Float], positives: [Bool], criterion: ThresholdCriterion) -> Float {
    guard let best = bestThreshold(scores: scores, positives: positives, criterion: criterion) else { return 0.5 }
    let half = BinaryMetrics(scores: scores, positives: positives, threshold: 0.5)
    if criterion.ties(half, best) { return 0.5 }
    guard let below = scores.filter({ $0 < best.threshold }).max() else { return best.threshold }
    return below + (best.threshold - below) / 2
  }

  /// Loads the base (`BaseSource.load`: any bundle's base; audio architectures only), and the
  /// front end an audio base bundle was trained with.
  static func makeBase(_ base: BaseSource) throws -> (LoadedBase, LogMelFrontEnd?) {
    let loaded = try base.load(architectures: architectures)
    guard let bundle = loaded.bundle, bundle.config.modality == modality,
          bundle.config.preprocessing["front_end"] != nil, case .bundle(let path) = base else { return (loaded, nil) }
    let settings = try SettingsDecoder.decode(bundle.config.preprocessing, path: path) { try Preprocessing(json: $0.json) }
    return (loaded, settings.frontEnd)
  }

  /// Why patches of `frontEnd` cannot go through `base`, or nil when they can.
  static func mismatch(_ base: any FeatureExtractor, _ frontEnd: LogMelFrontEnd) -> String? {
    let (h, w) = (frontEnd.patchFrames, frontEnd.nMels)
    if base is YAMNet, (h, w) != (96, 64) {
      return "the yamnet base takes 96×64 patches, the front end makes \(h)×\(w)"
    }
    if let v = base as? VGGish, v.inputHeight != h || v.inputWidth != w {
      return "the vggish base takes \(v.inputHeight)×\(v.inputWidth) patches, the front end makes \(h)×\(w)"
    }
    if let r = base as? AudioResNet {
      if r.inputChannels != 1 { return "the audio_resnet base takes \(r.inputChannels) channels, patches have 1" }
      let least = 2 << (r.layers.count - 1)
      if h < least || w < least { return "patches of \(h)×\(w) are too small for audio_resnet (at least \(least)×\(least))" }
    }
    if let s = base as? SmallCNN {
      if s.inputChannels != 1 { return "the smallcnn base takes \(s.inputChannels) channels, patches have 1" }
      let least = 1 << s.widths.count
      if h < least || w < least { return "patches of \(h)×\(w) are too small for smallcnn (at least \(least)×\(least))" }
    }
    return nil
  }

  /// The front end a base was pretrained on: YAMNet's (`LogMelFrontEnd.yamnet`), EfficientAT's for
  /// `MN` (`LogMelFrontEnd.efficientAT()`), else the VGGish-style default.
  static func defaultFrontEnd(for base: any FeatureExtractor) -> LogMelFrontEnd {
    if base is YAMNet { return .yamnet }
    if base is MN { return .efficientAT() }
    return LogMelFrontEnd()
  }

  /// Why weights loaded from a file into `base` cannot go with `frontEnd`'s patches, or nil.
  /// EfficientAT's `MN` (mn04) was trained on `EfficientATFrontEnd`; being fully convolutional it
  /// would accept any patch and train a head on inputs its weights never saw (measured on the
  /// cough set with 96×64 VGGish-style patches: 0.73 accuracy, ROC-AUC 0.85), so pretrained MN
  /// weights need that front end. From scratch (random weights) the front end is free.
  static func pretrainedFrontEndProblem(_ base: any FeatureExtractor, _ frontEnd: LogMelFrontEnd) -> String? {
    guard base is MN, frontEnd.efficientAT == nil else { return nil }
    return "pretrained \(base.architecture.name) weights need EfficientAT's front end (32 kHz, 128 Kaldi mel bands); "
      + "leave the front end to the base"
  }

  /// Decodes and patches `clips`; a clip that fails becomes an issue naming the file and the reason.
  static func prepare(_ clips: [SoundClip], labels: [String], frontEnd: LogMelFrontEnd)
    -> (clips: [PreparedClip], failures: [DataIssue]) {
    var prepared: [PreparedClip] = [], failures: [DataIssue] = []
    for clip in clips {
      guard let label = labels.firstIndex(where: { $0.utf8.elementsEqual(clip.label.utf8) }) else {
        failures.append(DataIssue(path: clip.path, reason: "label \"\(clip.label)\" is not one of \(labels.joined(separator: ", "))"))
        continue
      }
      do {
        prepared.append(PreparedClip(path: clip.path, label: label, patches: try frontEnd.patches(file: clip.path)))
      } catch {
        failures.append(DataIssue(path: clip.path, reason: error.reason.description))
      }
    }
    return (prepared, failures)
  }
}
