/// How the fine-tune stage finds its learning rates: a `LearningRateFinder` sweep on the
/// unfrozen model (the head stage done, the top blocks unfrozen), with the head's group held
/// at `FineTune.headToBaseRatio` × the base's rate throughout. The sweep's variable is the
/// base's rate; the suggestion is fastai's classic advice for a model whose head is already
/// trained, **a tenth of the rate where the loss starts to rise**
/// (`LearningRateFinderResult.beforeRiseOverTen`): after the head stage the loss is near its
/// floor and flat until the rate is too high, so the steepest-descent and minimum/10
/// suggestions land on noise (measured on CIFAR-10: 5e-8, a fine-tune that does nothing).
/// The head then fine-tunes at the ratio times it: fastai's `slice(lr/ratio, lr)` over the two
/// groups. The sweep's training is undone (weights, BatchNorm statistics, random generators);
/// it costs up to `steps` batches.
public struct LearningRateSearch: Sendable, Equatable {
  public var start: Float
  public var end: Float
  public var steps: Int

  public init(start: Float = 1e-7, end: Float = 1, steps: Int = 60) {
    precondition(start > 0 && end > start && steps >= 2, "LearningRateSearch: \(start)…\(end) in \(steps) steps")
    self.start = start
    self.end = end
    self.steps = steps
  }

  /// 1e-7 to 1 in 60 steps: seven decades, a step every ~0.12 of a decade.
  public static let `default` = LearningRateSearch()

  public var finder: LearningRateFinder { LearningRateFinder(start: start, end: end, steps: steps) }
}

/// The most fine-tuning the default policy runs unasked, in **image-epochs at 224×224×3**:
/// training examples × fine-tune epochs × (input values per example ÷ 150,528). A simple bound
/// on the base's forward+backward cost (Graft counts no multiply-adds per network): the cost of a
/// convolutional base grows with its input's pixels, and a 224×224 image is the unit. The default,
/// 20,000, admits CIFAR-10 at 400 labels per class (3,200 training images × 3 epochs = 9,600) and
/// keeps a MobileNetV2 fine-tune under about 10 minutes on two cores; a 96×64 log-mel patch is
/// 0.04 of a unit.
public struct FineTuneBudget: Sendable, Equatable {
  public var imageEpochs: Double

  public init(imageEpochs: Double = 20_000) {
    self.imageEpochs = imageEpochs
  }

  /// Input values of one 224×224 RGB image, the unit of the budget.
  public static let unitInputValues = 3.0 * 224 * 224

  /// The cost of `epochs` over `examples` examples of `inputValues` values each, in units.
  public static func cost(examples: Int, epochs: Int, inputValues: Int) -> Double {
    Double(examples) * Double(epochs) * Double(inputValues) / unitInputValues
  }
}

/// What the default policy does with no block count given: fine-tune the top `blocks` for
/// `epochs` (at found rates) when the cost fits `budget` and a validation split exists, and keep
/// the result only if validation improves (`FineTune.keepOnlyIfBetter`).
public struct AutomaticFineTune: Sendable, Equatable {
  public var blocks: Int
  public var epochs: Int
  public var budget: FineTuneBudget

  public init(blocks: Int = 2, epochs: Int = 3, budget: FineTuneBudget = FineTuneBudget()) {
    self.blocks = blocks
    self.epochs = epochs
    self.budget = budget
  }
}

/// What the fine-tune stage did and why: run and kept, run and discarded, or skipped.
public struct FineTuneOutcome: Sendable {
  public enum Decision: String, Sendable, Equatable {
    /// Fine-tuned; the fine-tuned model is the result (it improved validation, or keeping was not conditional).
    case kept
    /// Fine-tuned; validation did not improve, so the head-only weights were put back.
    case discarded
    /// Not run: its cost exceeds the budget of the default policy.
    case overBudget = "over_budget"
    /// Not run: the default policy keeps a fine-tune only if validation improves, and there is no validation split.
    case noValidation = "no_validation"
  }

  public var decision: Decision
  /// One line for people: what happened and, when skipped, how to ask for it.
  public var reason: String
  public var blocks: Int
  public var epochs: Int
  /// The rates used (or that would have been: the policy's when skipped before a sweep).
  public var baseLearningRate: Float
  public var headLearningRate: Float
  /// The sweep, when the rates were found.
  public var search: LearningRateFinderResult?
  /// The cost in image-epochs at 224×224×3 (`FineTuneBudget.cost`), and the budget it was held to.
  public var cost: Double
  public var budget: Double?

  /// Whether the returned model is the fine-tuned one.
  public var kept: Bool { decision == .kept }
  /// Whether the stage trained.
  public var ran: Bool { decision == .kept || decision == .discarded }
}

extension LearningRateFinderResult {
  /// A smoothed loss above this multiple of the lowest one before it counts as rising…
  public static let riseFactor: Float = 1.5
  /// …and above the lowest by at least this much (nats of mean cross-entropy). After a head
  /// that fits its training data almost perfectly the sweep's loss sits near zero, where noise
  /// alone exceeds 1.5× (mn04 on coughs: lowest 0.024, flat 0.03–0.04 up to 5e-3, rising only at
  /// 1e-2); a relative rule alone then takes the noise for the edge and fine-tunes at 5e-7, which
  /// changes nothing.
  public static let riseMargin: Float = 0.05

  /// The largest learning rate before the smoothed loss first exceeds both `riseFactor` × its
  /// lowest value so far and that value + `riseMargin` (nil when it never does: no edge was found).
  public var riseEdge: Float? {
    var lowest = Float.infinity
    var previous: Float? = nil
    for point in points {
      if point.smoothedLoss > Swift.max(Self.riseFactor * lowest, lowest + Self.riseMargin) { return previous }
      lowest = Swift.min(lowest, point.smoothedLoss)
      previous = point.learningRate
    }
    return nil
  }

  /// The fine-tune suggestion: a tenth of `riseEdge`; without an edge (the loss never rose),
  /// `cautious`.
  public var beforeRiseOverTen: Float? { riseEdge.map { $0 / 10 } ?? cautious }

  /// The more cautious of fastai's two suggestions: `min(steepest, minimumOverTen)` (either
  /// alone when the other is nil).
  public var cautious: Float? {
    switch (steepest, minimumOverTen) {
    case let (s?, m?): return Swift.min(s, m)
    case let (s, m): return s ?? m
    }
  }
}

extension TransferResult {
  /// Validation metrics of the returned model: after fine-tuning when it was kept, else after the head.
  public var finalEvaluation: Evaluation? {
    fineTuneOutcome?.kept == false ? headEvaluation : (fineTuneEvaluation ?? headEvaluation)
  }
}

extension FineTunePolicy {
  /// The default policy's stage (`automatic`): its blocks (at most the base's) and epochs unless
  /// the request names epochs, its budget, kept only if validation improves.
  func automaticFineTune(_ automatic: AutomaticFineTune, _ request: FineTuneRequest, learningRate: Float,
                         blockCount: Int) -> FineTune? {
    let blocks = min(automatic.blocks, blockCount)
    guard blocks > 0 else { return nil }
    var stage = rates(FineTune(topBlocks: blocks, epochs: request.epochs ?? automatic.epochs,
                               baseLearningRate: learningRate * baseLearningRateScale,
                               headLearningRate: learningRate * headLearningRateScale, trainBatchNorm: trainBatchNorm),
                      request)
    stage.keepOnlyIfBetter = true
    stage.budget = automatic.budget
    return stage
  }

  /// `stage` with the request's base rate (the head's at the policy's ratio), or else the
  /// policy's sweep.
  func rates(_ stage: FineTune, _ request: FineTuneRequest) -> FineTune {
    var stage = stage
    let ratio = headLearningRateScale / baseLearningRateScale
    if let rate = request.baseLearningRate {
      (stage.baseLearningRate, stage.headLearningRate) = (rate, rate * ratio)
    } else if let learningRateSearch {
      stage.learningRateSearch = learningRateSearch
      stage.headToBaseRatio = ratio
    }
    return stage
  }
}
