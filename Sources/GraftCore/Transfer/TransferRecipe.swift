/// The head grafted onto a base.
public enum HeadSpec: Sendable, Equatable {
  /// One Linear layer from the features to the classes.
  case linear
  /// Linear → ReLU → Dropout → Linear.
  case mlp(hidden: Int, dropout: Float)

  /// As JSON for a bundle: `{"kind": "linear"}` or `{"kind": "mlp", "hidden": H, "dropout": p}`.
  public var json: JSONValue {
    switch self {
    case .linear: return ["kind": "linear"]
    case .mlp(let hidden, let p): return ["kind": "mlp", "hidden": .number(Double(hidden)), "dropout": .number(Double(p))]
    }
  }

  public init?(json: JSONValue) {
    switch json["kind"]?.string {
    case "linear": self = .linear
    case "mlp":
      // Bounded, so a damaged bundle cannot size a layer without limit.
      guard let hidden = json["hidden"]?.int, hidden > 0, hidden <= 1 << 16, let p = json["dropout"]?.double, p >= 0, p < 1
      else { return nil }
      self = .mlp(hidden: hidden, dropout: Float(p))
    default: return nil
    }
  }

  /// Builds the head for flat features of `featureCount` values.
  public func make(featureCount: Int, classCount: Int, seed: UInt64) -> Layer {
    var g = Generator(seed: seed)
    switch self {
    case .linear:
      return Linear(featureCount, classCount, using: &g)
    case .mlp(let hidden, let p):
      return Sequential(Linear(featureCount, hidden, using: &g), ReLU(), Dropout(p, seed: seed &+ 1),
                        Linear(hidden, classCount, using: &g))
    }
  }
}

/// The optional second stage: unfreeze the top blocks of the base and train
/// them with the head at lower, per-group learning rates.
public struct FineTune: Sendable, Equatable {
  public var topBlocks: Int
  public var epochs: Int
  /// Learning rate of the unfrozen base blocks.
  public var baseLearningRate: Float
  /// Learning rate of the head during fine-tuning.
  public var headLearningRate: Float
  /// Let BatchNorm layers of the unfrozen blocks use batch statistics and train
  /// their affine parameters. Off by default: they stay in inference mode
  /// (running statistics), which small target sets need.
  public var trainBatchNorm: Bool
  /// Find the rates by a sweep (`LearningRateSearch`): the base's becomes the found rate, the
  /// head's `headToBaseRatio` times it. nil: the rates as given.
  public var learningRateSearch: LearningRateSearch? = nil
  /// The head's rate over the base's when the rates are found.
  public var headToBaseRatio: Float = 10
  /// Keep the fine-tuned model only if validation improves (`TransferRecipe.improves`), else put
  /// the head-only weights back; with no validation split the stage is skipped (nothing decides).
  public var keepOnlyIfBetter = false
  /// Skip the stage when it would cost more than this (`FineTuneBudget.cost`); nil: no limit.
  public var budget: FineTuneBudget? = nil

  public init(topBlocks: Int = 1, epochs: Int = 3, baseLearningRate: Float = 1e-4, headLearningRate: Float = 1e-4,
              trainBatchNorm: Bool = false) {
    self.topBlocks = topBlocks
    self.epochs = epochs
    self.baseLearningRate = baseLearningRate
    self.headLearningRate = headLearningRate
    self.trainBatchNorm = trainBatchNorm
  }
}

/// The transfer recipe every modality shares: freeze the base, graft a new head
/// sized to the labels, train the head (on cached features when nothing random
/// precedes the base), optionally fine-tune the top blocks, evaluate.
///
/// Its defaults train the head to convergence, the same rule for every modality:
/// - a linear head on cached features is fitted exactly (`headSolver`, `LinearHeadSolver`:
///   standardised features, L-BFGS to convergence, the L2 strength chosen on validation or by
///   cross-validation), with no epochs or learning rate to pick;
/// - any other head stage (an mlp head, augmentation, an unfrozen base) runs Adam at
///   `headLearningRate` with early stopping on validation loss (`EarlyStopping.recipeDefault`:
///   patience 5, the best epoch's weights restored), `headEpochs` being a cap
///   (`defaultEpochCap`, 50). Without a validation split nothing monitors the run, and the cap
///   is what stops it.
/// A base of random weights trains jointly with its head from the first epoch
/// (`LoadedBase.recipe`, `FineTunePolicy.scratch`; `scratchLearningRate`, `scratchEpochCap`).
///
/// Two entry points run the same two stages: `run(base:…)` for a `FeatureExtractor` base (flat
/// features [N, F]), which builds the head from `head` and can cache features or fit the head
/// exactly; and `run(_:…)` for a network the caller built (`GraftedNetwork`: any base, any head,
/// a forward over the whole batch), without a cache.
public struct TransferRecipe: Sendable {
  public var head: HeadSpec
  public var headEpochs: Int
  public var headLearningRate: Float
  public var weightDecay: Float
  public var batchSize: Int
  public var fineTune: FineTune?
  public var earlyStopping: EarlyStopping?
  public var seed: UInt64
  /// Train the head on cached base features when the inputs are deterministic.
  public var cacheFeatures: Bool
  public var featureCacheMemoryBytes: Int
  public var classBalanced: Bool
  /// Fit a linear head exactly on cached features (L-BFGS, λ chosen on validation) instead of
  /// `headEpochs` of Adam. Used when the head is `.linear` and features are cached (the default,
  /// `--head-solver auto`); any other head stage runs the epoch loop. nil keeps the epoch loop
  /// everywhere (`--head-solver adam`).
  public var headSolver: LinearHeadSolver?
  public var quiet: Bool
  /// Freeze the base for the first stage (transfer). `false` trains it with the head from the
  /// first epoch, in the head's parameter group, as a base of random weights needs; features are
  /// then not cached.
  public var freezeBase: Bool
  /// Clip the global gradient norm to this value before every optimizer step, in both stages.
  public var gradientClipNorm: Float?
  /// Batch size of the validation passes; nil: `batchSize`.
  public var validationBatchSize: Int?
  /// The training seam between `backward()` and the optimizer step of every trainer the recipe
  /// builds (`Trainer.reduceGradients`): data-parallel training all-reduces there the gradients
  /// of the parameters it is given. nil: one process, nothing to reduce.
  public var reduceGradients: (@Sendable ([Tensor]) -> Void)?
  /// Keep cached features on disk across runs (`FeatureStore`), for datasets whose items have
  /// content keys (`ContentKeyedDataset`); nil: features live for this run only.
  public var featureStore: FeatureStore? = nil
  /// Examples per forward pass of the frozen base when features are cached (`features(_:chunk:)`):
  /// bounds the base's activation memory whatever `batchSize` is.
  public var featureChunk = 4
  /// Where the epoch-trained stages write their checkpoints, and the one to resume from.
  public var checkpoints = TrainingCheckpoints()

  public init(head: HeadSpec = .linear, headEpochs: Int = TransferRecipe.defaultEpochCap,
              headLearningRate: Float = TransferRecipe.defaultLearningRate, weightDecay: Float = 0,
              batchSize: Int = 32, fineTune: FineTune? = nil, earlyStopping: EarlyStopping? = .recipeDefault,
              seed: UInt64 = 42, cacheFeatures: Bool = true, featureCacheMemoryBytes: Int = 512 << 20,
              classBalanced: Bool = false, headSolver: LinearHeadSolver? = LinearHeadSolver(), quiet: Bool = false,
              freezeBase: Bool = true,
              gradientClipNorm: Float? = nil, validationBatchSize: Int? = nil,
              reduceGradients: (@Sendable ([Tensor]) -> Void)? = nil) {
    self.head = head
    self.headEpochs = headEpochs
    self.headLearningRate = headLearningRate
    self.weightDecay = weightDecay
    self.batchSize = batchSize
    self.fineTune = fineTune
    self.earlyStopping = earlyStopping
    self.seed = seed
    self.cacheFeatures = cacheFeatures
    self.featureCacheMemoryBytes = featureCacheMemoryBytes
    self.classBalanced = classBalanced
    self.headSolver = headSolver
    self.quiet = quiet
    self.freezeBase = freezeBase
    self.gradientClipNorm = gradientClipNorm
    self.validationBatchSize = validationBatchSize
    self.reduceGradients = reduceGradients
  }
}

/// What a transfer run produced.
public struct TransferResult {
  public var model: Classifier
  /// The head that was grafted (recorded in bundles).
  public var head: HeadSpec
  public var classCount: Int
  public var headHistory: TrainingHistory
  public var fineTuneHistory: TrainingHistory?
  /// Validation metrics after the head stage and after fine-tuning.
  public var headEvaluation: Evaluation?
  public var fineTuneEvaluation: Evaluation?
  /// Whether the head trained on cached features.
  public var usedFeatureCache: Bool
  /// Items that could not be decoded, with the reason (reported, then skipped).
  public var skipped: [SkippedItem]
  /// The exact head fit, when `TransferRecipe.headSolver` trained the head.
  public var headFit: HeadFitSummary? = nil
  /// What the fine-tune stage did (nil: none was asked for).
  public var fineTuneOutcome: FineTuneOutcome? = nil
}

extension TransferRecipe {
  /// Runs the recipe on a `FeatureExtractor` base with a head built from `head`. `train` and
  /// `validation` yield preprocessed inputs for `base`; `augmented` says whether `train` is
  /// random. The head trains on cached features when the base is frozen and nothing random
  /// precedes it (an exact fit with `headSolver` and a linear head), otherwise as in `run(_:…)`.
  /// The base is frozen on return unless fine-tuning (or `freezeBase: false`) unfroze blocks.
  public func run<T: Dataset, V: Dataset>(
    base: any FeatureExtractor, classCount: Int, labelNames: [String]? = nil,
    train: T, validation: V?, augmented: Bool = false,
    collate: @escaping ([T.Element], [Int]) -> Batch, collateValidation: @escaping ([V.Element], [Int]) -> Batch
  ) throws -> TransferResult {
    precondition(classCount >= 2, "TransferRecipe: \(classCount) classes")
    try checkpoints.check(fineTunes: fineTune != nil)
    if freezeBase { base.freeze() } else { base.unfreeze() }
    let head = self.head.make(featureCount: base.featureCount, classCount: classCount, seed: seed)
    let model = Classifier(base: base, head: head)
    let network = GraftedNetwork(model)
    let loaders = Loaders(recipe: self, train: train, validation: validation, collate: collate,
                          collateValidation: collateValidation, batchStatistics: trainsBatchStatistics(base))

    // Stage 1: the head, on cached features when possible.
    let useCache = freezeBase && cacheFeatures && !augmented
    var headFit: HeadFitSummary? = nil
    var refitHead: (() -> HeadFitSummary)? = nil
    let stage1: (TrainingHistory, Evaluation?)
    if useCache {
      (stage1, headFit, refitHead) = try trainHeadOnCachedFeatures(base: base, head: head, classCount: classCount,
                                                        labelNames: labelNames, train: train, collate: collate,
                                                        loaders: loaders)
    } else {
      stage1 = try trainHeadStage(network, labelNames: labelNames, loaders)
    }

    // Stage 2: fine-tune the top blocks with the head, lower per-group learning rates.
    let stages = try fineTuneStage(network, labelNames: labelNames, loaders, after: stage1)
    // A tiny validation split has served every decision (λ, fine-tune or not): a head-only model
    // is refitted on the training and validation rows together (`LinearHeadSolver.refit`).
    if let refitHead, !(stages.fineTuneOutcome?.kept ?? false) {
      headFit = refitHead()
      if !quiet, let rows = headFit?.refittedOn {
        Console.writeError("head: refitted on all \(rows) training and validation items with the chosen L2 (the "
                           + "validation split has too few per class to be worth holding out; the validation "
                           + "metrics are those of the head before the refit)\n")
      }
    }
    return TransferResult(model: model, head: self.head, classCount: classCount, headHistory: stages.headHistory,
                          fineTuneHistory: stages.fineTuneHistory, headEvaluation: stages.headEvaluation,
                          fineTuneEvaluation: stages.fineTuneEvaluation, usedFeatureCache: useCache,
                          skipped: stages.skipped, headFit: headFit, fineTuneOutcome: stages.fineTuneOutcome)
  }

  /// Stage 1 on features the frozen base computes once: `headEpochs` of Adam on the head, or an
  /// exact fit of a linear head (`headSolver`).
  func trainHeadOnCachedFeatures<T: Dataset, V: Dataset>(
    base: any FeatureExtractor, head: Layer, classCount: Int, labelNames: [String]?, train: T,
    collate: @escaping ([T.Element], [Int]) -> Batch, loaders: Loaders<T, V>
  ) throws -> ((TrainingHistory, Evaluation?), HeadFitSummary?, (() -> HeadFitSummary)?) {
    let headOptimizer = Adam(groups: [ParameterGroup(head.parameters(), names: head.namedParameters().map { "head." + $0.0 },
                                                     learningRate: headLearningRate, weightDecay: weightDecay)])
    base.eval()
    let session = featureStore.map { FeatureStoreSession(store: $0, base: base) }
    let trainCache = try FeatureCache.build(DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: batchSize,
                                                                                    order: .sequential), collate: collate),
                                            store: session, featureShape: [base.featureCount],
                                            memoryLimitBytes: featureCacheMemoryBytes, quiet: quiet) {
      base.features($0.inputs, chunk: featureChunk)
    }
    let cachedValidationSet = try loaders.validation.map { loader in
      try FeatureCache.build(loader, store: session, featureShape: [base.featureCount],
                             memoryLimitBytes: featureCacheMemoryBytes, quiet: true) {
        base.features($0.inputs, chunk: featureChunk)
      }
    }
    let cachedValidation = cachedValidationSet.map {
      $0.loader(sampler: BatchSampler(count: $0.count, batchSize: validationBatchSize ?? batchSize, order: .sequential))
    }
    guard let headSolver, self.head == .linear, let linear = head as? Linear, trainCache.count > 0 else {
      let cacheOrder: BatchSampler.Order = loaders.order == .shuffled ? .shuffled : .classBalanced(labels: trainCache.labels)
      let cachedLoader = trainCache.loader(sampler: BatchSampler(count: trainCache.count, batchSize: batchSize,
                                                                 order: cacheOrder, seed: seed))
      let trainer = self.trainer(head, headOptimizer, epochs: headEpochs, label: "head", labelNames: labelNames) {
        head($0.inputs)
      }
      return (try Self.fit(trainer, cachedLoader, cachedValidation), nil, nil)
    }
    let fit = headSolver.fit(train: trainCache.matrix(), labels: trainCache.labels,
                             validation: cachedValidationSet.map { ($0.matrix(), $0.labels) }, classCount: classCount)
    linear.weight.data.update(from: fit.weight.data, count: fit.weight.count)
    linear.bias.data.update(from: fit.bias.data, count: fit.bias.count)
    let summary = HeadFitSummary(fit)
    let trainer = Trainer(model: head, optimizer: headOptimizer, options: TrainingOptions(epochs: 1, quiet: true),
                          forward: { head($0.inputs) })
    trainer.labelNames = labelNames
    let evaluation = cachedValidation.map { trainer.evaluate($0) }
    var history = TrainingHistory()
    history.epochs = [EpochRecord(epoch: 1, trainLoss: fit.trainLoss, trainAccuracy: fit.trainAccuracy,
                                  validationLoss: evaluation?.loss, validationAccuracy: evaluation?.metrics.accuracy,
                                  validationMacroF1: evaluation?.metrics.macroF1, validationROCAUC: evaluation?.rocAUC,
                                  learningRate: 0, seconds: 0)]
    history.bestEpoch = 1
    history.stopReason = summary.description
    if !quiet { Console.writeError("head: \(summary.description)\n") }
    var refit: (() -> HeadFitSummary)? = nil
    if headSolver.refitsTinyValidation, fit.choseOverBothSplits, let validationSet = cachedValidationSet {
      refit = {
        let refitted = headSolver.refit(fit, train: trainCache.matrix(), labels: trainCache.labels,
                                        validation: (validationSet.matrix(), validationSet.labels), classCount: classCount)
        linear.weight.data.update(from: refitted.weight.data, count: refitted.weight.count)
        linear.bias.data.update(from: refitted.bias.data, count: refitted.bias.count)
        return HeadFitSummary(refitted)
      }
    }
    return ((history, evaluation), summary, refit)
  }
}

extension TransferRecipe {
  /// `run` for datasets of `LabeledTensor` (inputs already preprocessed).
  public func run<T: Dataset, V: Dataset>(
    base: any FeatureExtractor, classCount: Int, labelNames: [String]? = nil, train: T, validation: V?,
    augmented: Bool = false
  ) throws -> TransferResult where T.Element == LabeledTensor, V.Element == LabeledTensor {
    try run(base: base, classCount: classCount, labelNames: labelNames, train: train, validation: validation,
            augmented: augmented, collate: TransferRecipe.stack, collateValidation: TransferRecipe.stack)
  }

  static func stack(_ examples: [LabeledTensor], _ indices: [Int]) -> Batch {
    Batch(inputs: stackInputs(examples.map(\.input)), labels: examples.map(\.label), indices: indices)
  }
}
