import GraftCore

/// How `SoundClassifier.train(base:on:recipe:fineTune:options:)` treats audio: front end,
/// aggregation, detector threshold, validation split, augmentation.
public struct SoundTrainingOptions {
  /// The front end; nil takes the base bundle's (for `.bundle`) or `LogMelFrontEnd()`.
  public var frontEnd: LogMelFrontEnd?
  public var aggregation: PatchAggregation
  /// Makes a binary detector: ROC-AUC and a decision threshold chosen on the validation clips.
  public var positiveLabel: String?
  public var thresholdCriterion: ThresholdCriterion
  /// Fraction of the clips (stratified by label, seeded by the recipe's seed) held out for validation.
  public var validationFraction: Double
  /// Masks training patches (then base features are not cached); a nil `fill` becomes the
  /// front end's floor (silence).
  public var augment: SpecAugment?
  public var eventHopFrames: Int?

  public init(frontEnd: LogMelFrontEnd? = nil, aggregation: PatchAggregation = .mean, positiveLabel: String? = nil,
              thresholdCriterion: ThresholdCriterion = .youden, validationFraction: Double = 0.2,
              augment: SpecAugment? = nil, eventHopFrames: Int? = nil) {
    self.frontEnd = frontEnd
    self.aggregation = aggregation
    self.positiveLabel = positiveLabel
    self.thresholdCriterion = thresholdCriterion
    self.validationFraction = validationFraction
    self.augment = augment
    self.eventHopFrames = eventHopFrames
  }
}

/// What `SoundClassifier.train` produced.
public struct SoundTrainingRun {
  public let classifier: SoundClassifier
  /// The bundle to write (`bundle.write(to:)`).
  public let bundle: ModelBundle
  public let transfer: TransferResult
  /// Clip-level metrics on the validation clips (nil without validation).
  public let validation: SoundEvaluation?
  /// Malformed rows and files that could not be decoded, each with its reason; all were skipped.
  public let skipped: [DataIssue]
  public let trainClips: Int
  public let validationClips: Int
  public let trainPatches: Int
  /// The raw-input baseline on the same split (nil without validation clips).
  public var baseline: BaselineComparison? = nil
}
