/// The user's fine-tuning numbers, before a policy turns them into a `FineTune`: how many top
/// blocks and for how many epochs (nil: the policy's default).
public struct FineTuneRequest: Sendable, Equatable {
  public var blocks: Int?
  public var epochs: Int?
  /// The base's fine-tuning rate (the head's follows the policy's ratio); nil: the policy's
  /// (found by a sweep when it has a `learningRateSearch`, else its fractions of the head stage's).
  public var baseLearningRate: Float? = nil

  public init(blocks: Int? = nil, epochs: Int? = nil) {
    self.blocks = blocks
    self.epochs = epochs
  }

  /// No fine-tuning: the head only, whatever the policy's default.
  public static let headOnly = FineTuneRequest(blocks: 0)
}

/// A named rule that turns a `FineTuneRequest` and the head's learning rate into a `FineTune`:
/// the base's and the head's learning rates as fractions of the head stage's, whether BatchNorm
/// trains, and how many blocks to fine-tune when the user names none. Modalities own their
/// pretrained policy (`ImageClassifier.fineTunePolicy`, `SoundClassifier.fineTunePolicy`);
/// `scratch`, the rule for random weights, is written once, here.
public struct FineTunePolicy: Sendable, Equatable {
  public var name: String
  /// Learning rate of the unfrozen base blocks, as a fraction of the head stage's.
  public var baseLearningRateScale: Float
  /// Learning rate of the head while fine-tuning, as a fraction of the head stage's.
  public var headLearningRateScale: Float
  public var trainBatchNorm: Bool
  /// With no block count given: every block (true) or none, the head only (false).
  public var allBlocksByDefault: Bool
  /// Fine-tuning epochs with no count given; nil: as many as the head stage.
  public var defaultEpochs: Int?
  /// Train the base with the head from the first epoch, in one stage (`TransferRecipe.freezeBase`
  /// false), instead of a head stage on the frozen base followed by a fine-tune stage. Only
  /// meaningful with every block, the head's rate and BatchNorm training: `scratch`.
  public var jointFromStart: Bool
  /// Find the fine-tune rates by a sweep unless the request gives one (`FineTune.learningRateSearch`).
  public var learningRateSearch: LearningRateSearch? = nil
  /// With no block count given: fine-tune as this says, within its budget, kept only if
  /// validation improves (`automaticFineTune`). nil: `allBlocksByDefault` decides.
  public var automatic: AutomaticFineTune? = nil

  public init(name: String, baseLearningRateScale: Float, headLearningRateScale: Float, trainBatchNorm: Bool = false,
              allBlocksByDefault: Bool = false, defaultEpochs: Int? = nil, jointFromStart: Bool = false) {
    self.name = name
    self.baseLearningRateScale = baseLearningRateScale
    self.headLearningRateScale = headLearningRateScale
    self.trainBatchNorm = trainBatchNorm
    self.allBlocksByDefault = allBlocksByDefault
    self.defaultEpochs = defaultEpochs
    self.jointFromStart = jointFromStart
  }

  /// Random weights: every block trains with the head from the first epoch, at the head's rate,
  /// with batch statistics (there are no running statistics worth keeping) — one stage, no head
  /// stage on random features first. A random base is not a pretrained one: training its head
  /// alone first, or its blocks at a fraction of the rate, wastes the epochs (issue 15: 0.567
  /// that way against 0.983 trained jointly at 3e-3 on a real 10-class 32×32 set).
  public static let scratch = FineTunePolicy(name: "scratch", baseLearningRateScale: 1, headLearningRateScale: 1,
                                             trainBatchNorm: true, allBlocksByDefault: true, jointFromStart: true)

  /// The fine-tune stage for `request` on a base of `blockCount` blocks, the head stage having
  /// run `headEpochs` at `learningRate`; nil for none (no blocks asked for, none by default).
  public func fineTune(_ request: FineTuneRequest, learningRate: Float, headEpochs: Int, blockCount: Int) -> FineTune? {
    if request.blocks == nil, let automatic {
      return automaticFineTune(automatic, request, learningRate: learningRate, blockCount: blockCount)
    }
    let blocks = request.blocks ?? (allBlocksByDefault ? blockCount : 0)
    guard blocks > 0 else { return nil }
    return rates(FineTune(topBlocks: min(blocks, blockCount), epochs: request.epochs ?? defaultEpochs ?? headEpochs,
                          baseLearningRate: learningRate * baseLearningRateScale,
                          headLearningRate: learningRate * headLearningRateScale, trainBatchNorm: trainBatchNorm),
                 request)
  }
}
