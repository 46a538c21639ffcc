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
  /// Find the fine-tune rates by a sweep unless the request gives one (`FineTune.learningRateSearch`).
  public var learningRateSearch: LearningRateSearch? = nil
  /// With no block count given: fine-tune as this says, within its budget, kept only if
  /// validation improves (`automaticFineTune`). nil: `allBlocksByDefault` decides.
  public var automatic: AutomaticFineTune? = nil

  public init(name: String, baseLearningRateScale: Float, headLearningRateScale: Float, trainBatchNorm: Bool = false,
              allBlocksByDefault: Bool = false, defaultEpochs: Int? = nil) {
    self.name = name
    self.baseLearningRateScale = baseLearningRateScale
    self.headLearningRateScale = headLearningRateScale
    self.trainBatchNorm = trainBatchNorm
    self.allBlocksByDefault = allBlocksByDefault
    self.defaultEpochs = defaultEpochs
  }

  /// Random weights: every block trains by default, at the head's rate, with batch statistics
  /// (there are no running statistics worth keeping), for as many epochs as the head.
  public static let scratch = FineTunePolicy(name: "scratch", baseLearningRateScale: 1, headLearningRateScale: 1,
                                             trainBatchNorm: true, allBlocksByDefault: true)

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
