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
  /// `headEpochs` of Adam. Used when the head is `.linear` and features are cached; nil keeps the
  /// epoch loop everywhere.
  public var headSolver: LinearHeadSolver?
  public var quiet: Bool

  public init(head: HeadSpec = .linear, headEpochs: Int = 10, headLearningRate: Float = 1e-3, weightDecay: Float = 0,
              batchSize: Int = 32, fineTune: FineTune? = nil, earlyStopping: EarlyStopping? = nil, seed: UInt64 = 42,
              cacheFeatures: Bool = true, featureCacheMemoryBytes: Int = 512 << 20, classBalanced: Bool = false,
              headSolver: LinearHeadSolver? = nil, quiet: Bool = false) {
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
}

extension TransferRecipe {
  /// Runs the recipe. `train` and `validation` yield preprocessed inputs for
  /// `base`; `augmented` says whether `train` is random (then features are not
  /// cached). The base is frozen on return unless fine-tuning unfroze blocks.
  public func run<T: Dataset, V: Dataset>(
    base: any FeatureExtractor, classCount: Int, labelNames: [String]? = nil,
    train: T, validation: V?, augmented: Bool = false,
    collate: @escaping ([T.Element], [Int]) -> Batch, collateValidation: @escaping ([V.Element], [Int]) -> Batch
  ) throws -> TransferResult {
    precondition(classCount >= 2, "TransferRecipe: \(classCount) classes")
    base.freeze()
    let head = self.head.make(featureCount: base.featureCount, classCount: classCount, seed: seed)
    let model = Classifier(base: base, head: head)
    let labels = (0..<train.count).compactMap { train.label(at: $0) }
    let order: BatchSampler.Order = classBalanced && labels.count == train.count ? .classBalanced(labels: labels) : .shuffled
    let trainLoader = DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: batchSize, order: order, seed: seed),
                                 collate: collate)
    let validationLoader = validation.map {
      DataLoader($0, sampler: BatchSampler(count: $0.count, batchSize: batchSize, order: .sequential), collate: collateValidation)
    }
    var skipped: [SkippedItem] = []

    // Stage 1: the head alone, on cached features when possible.
    let headOptimizer = Adam(groups: [ParameterGroup(head.parameters(), names: head.namedParameters().map { "head." + $0.0 },
                                                     learningRate: headLearningRate, weightDecay: weightDecay)])
    let useCache = cacheFeatures && !augmented
    var headHistory: TrainingHistory
    var headEvaluation: Evaluation? = nil
    var headFitSummary: HeadFitSummary? = nil
    if useCache {
      base.eval()
      let trainCache = try FeatureCache.build(DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: batchSize,
                                                                                      order: .sequential), collate: collate),
                                              memoryLimitBytes: featureCacheMemoryBytes, quiet: quiet) { base.features($0.inputs) }
      let cachedValidationSet = try validationLoader.map { loader in
        try FeatureCache.build(loader, memoryLimitBytes: featureCacheMemoryBytes, quiet: true) { base.features($0.inputs) }
      }
      let cachedValidation = cachedValidationSet.map {
        $0.loader(sampler: BatchSampler(count: $0.count, batchSize: batchSize, order: .sequential))
      }
      if let headSolver, self.head == .linear, let linear = head as? Linear, trainCache.count > 0 {
        let fit = headSolver.fit(train: trainCache.matrix(), labels: trainCache.labels,
                                 validation: cachedValidationSet.map { ($0.matrix(), $0.labels) }, classCount: classCount)
        linear.weight.data.update(from: fit.weight.data, count: fit.weight.count)
        linear.bias.data.update(from: fit.bias.data, count: fit.bias.count)
        headFitSummary = HeadFitSummary(fit)
        let trainer = Trainer(model: head, optimizer: headOptimizer, options: TrainingOptions(epochs: 1, quiet: true),
                              forward: { head($0.inputs) })
        trainer.labelNames = labelNames
        headEvaluation = cachedValidation.map { trainer.evaluate($0) }
        headHistory = TrainingHistory()
        headHistory.epochs = [EpochRecord(epoch: 1, trainLoss: fit.trainLoss, trainAccuracy: fit.trainAccuracy,
                                          validationLoss: headEvaluation?.loss,
                                          validationAccuracy: headEvaluation?.metrics.accuracy,
                                          validationMacroF1: headEvaluation?.metrics.macroF1,
                                          validationROCAUC: headEvaluation?.rocAUC, learningRate: 0, seconds: 0)]
        headHistory.bestEpoch = 1
        headHistory.stopReason = headFitSummary!.description
        if !quiet { Console.writeError("head: \(headFitSummary!.description)\n") }
      } else {
        let cacheOrder: BatchSampler.Order = order == .shuffled ? .shuffled : .classBalanced(labels: trainCache.labels)
        let cachedLoader = trainCache.loader(sampler: BatchSampler(count: trainCache.count, batchSize: batchSize,
                                                                   order: cacheOrder, seed: seed))
        let trainer = Trainer(model: head, optimizer: headOptimizer,
                              options: TrainingOptions(epochs: headEpochs, earlyStopping: earlyStopping, quiet: quiet,
                                                       label: "head"), forward: { head($0.inputs) })
        trainer.labelNames = labelNames
        (headHistory, headEvaluation) = try Self.fit(trainer, cachedLoader, cachedValidation)
      }
    } else {
      let trainer = Trainer(model: model, optimizer: headOptimizer,
                            options: TrainingOptions(epochs: headEpochs, earlyStopping: earlyStopping, quiet: quiet,
                                                     label: "head"), forward: { model($0.inputs) })
      trainer.labelNames = labelNames
      (headHistory, headEvaluation) = try Self.fit(trainer, trainLoader, validationLoader)
    }
    skipped += trainLoader.skipped

    // Stage 2: fine-tune the top blocks with the head, lower per-group learning rates.
    var fineTuneHistory: TrainingHistory? = nil
    var fineTuneEvaluation: Evaluation? = nil
    if let fineTune, fineTune.topBlocks > 0, fineTune.epochs > 0 {
      base.unfreezeTop(min(fineTune.topBlocks, base.blocks.count))
      if !fineTune.trainBatchNorm {
        for (_, m) in base.namedModules() where m is BatchNorm { m.freeze() }
      }
      let baseParameters = base.namedTrainableParameters()
      let optimizer = Adam(groups: [
        ParameterGroup(head.parameters(), names: head.namedParameters().map { "head." + $0.0 },
                       learningRate: fineTune.headLearningRate, weightDecay: weightDecay),
        ParameterGroup(baseParameters.map(\.1), names: baseParameters.map { "base." + $0.0 },
                       learningRate: fineTune.baseLearningRate, weightDecay: weightDecay),
      ])
      let trainer = Trainer(model: model, optimizer: optimizer,
                            options: TrainingOptions(epochs: fineTune.epochs, earlyStopping: earlyStopping, quiet: quiet,
                                                     label: "fine-tune"), forward: { model($0.inputs) })
      trainer.labelNames = labelNames
      (fineTuneHistory, fineTuneEvaluation) = try Self.fit(trainer, trainLoader, validationLoader)
      skipped += trainLoader.skipped
    }
    var seen = Set<Int>()
    skipped = skipped.filter { seen.insert($0.index).inserted }
    model.eval()
    return TransferResult(model: model, head: self.head, classCount: classCount, headHistory: headHistory, fineTuneHistory: fineTuneHistory,
                          headEvaluation: headEvaluation, fineTuneEvaluation: fineTuneEvaluation,
                          usedFeatureCache: useCache, skipped: skipped, headFit: headFitSummary)
  }
}

extension TransferRecipe {
  /// Trains, then evaluates on the validation loader when there is one.
  static func fit<T: Dataset, V: Dataset>(_ trainer: Trainer, _ train: DataLoader<T>, _ validation: DataLoader<V>?)
    throws -> (TrainingHistory, Evaluation?) {
    guard let validation else { return (try trainer.fit(train), nil) }
    return (try trainer.fit(train, validation: validation), trainer.evaluate(validation))
  }

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
