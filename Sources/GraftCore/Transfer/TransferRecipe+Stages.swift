/// What the recipe's stages produced for a network it did not build (`run(_:…)`).
public struct TransferStages {
  public var headHistory: TrainingHistory
  public var fineTuneHistory: TrainingHistory?
  /// Validation metrics after the head stage and after fine-tuning (nil without a validation set).
  public var headEvaluation: Evaluation?
  public var fineTuneEvaluation: Evaluation?
  /// Items that could not be decoded, with the reason (reported, then skipped), each once.
  public var skipped: [SkippedItem]
  /// What the fine-tune stage did (nil: none was asked for).
  public var fineTuneOutcome: FineTuneOutcome? = nil

  /// The validation metrics of the returned model: after fine-tuning when it ran and was kept.
  public var finalEvaluation: Evaluation? {
    fineTuneOutcome?.kept == false ? headEvaluation : (fineTuneEvaluation ?? headEvaluation)
  }
}

extension TransferRecipe {
  /// Runs the recipe on a network the caller built: the base frozen (unless `freezeBase` is
  /// false) while the rest of the model trains for `headEpochs` at `headLearningRate`, then,
  /// with `fineTune`, its top blocks unfrozen and trained with the head in a second parameter
  /// group. The forward pass sees the whole batch, so a base whose output is not a flat vector
  /// (sequences with `Batch.lengths`) fits; features are never cached. `head`, `headSolver` and
  /// `cacheFeatures` belong to `run(base:…)`, which builds the head itself, and are not used.
  /// Every other option (batches, seed, class balance, weight decay, early stopping, clipping,
  /// `reduceGradients`) applies. The base is frozen on return unless fine-tuning unfroze blocks.
  public func run<T: Dataset, V: Dataset>(
    _ network: GraftedNetwork, labelNames: [String]? = nil, train: T, validation: V?,
    collate: @escaping ([T.Element], [Int]) -> Batch, collateValidation: @escaping ([V.Element], [Int]) -> Batch
  ) throws -> TransferStages {
    try checkpoints.check(fineTunes: fineTune != nil)
    if freezeBase { network.base.freeze() } else { network.base.unfreeze() }
    let loaders = Loaders(recipe: self, train: train, validation: validation, collate: collate,
                          collateValidation: collateValidation, batchStatistics: trainsBatchStatistics(network.base))
    let (headHistory, headEvaluation) = try trainHeadStage(network, labelNames: labelNames, loaders)
    return try fineTuneStage(network, labelNames: labelNames, loaders, after: (headHistory, headEvaluation))
  }

  /// Whether a stage of this recipe normalizes `base`'s BatchNorm layers by batch statistics
  /// (an unfrozen base, or fine-tuning with `trainBatchNorm`).
  func trainsBatchStatistics(_ base: Module) -> Bool {
    (!freezeBase || fineTune?.trainBatchNorm == true) && base.namedModules().contains { $0.1 is BatchNorm }
  }

  /// The loaders both stages share: training batches in the recipe's order and seed, validation
  /// batches in order. When BatchNorm trains on batch statistics, a last batch of one example
  /// (which has no batch statistics; PyTorch refuses it too) is left out of that epoch — a
  /// different example each shuffled epoch, as `drop_last` does.
  struct Loaders<T: Dataset, V: Dataset> {
    let order: BatchSampler.Order
    let train: DataLoader<T>
    let validation: DataLoader<V>?

    init(recipe: TransferRecipe, train: T, validation: V?, collate: @escaping ([T.Element], [Int]) -> Batch,
         collateValidation: @escaping ([V.Element], [Int]) -> Batch, batchStatistics: Bool = false) {
      let labels = (0..<train.count).compactMap { train.label(at: $0) }
      order = recipe.classBalanced && labels.count == train.count ? .classBalanced(labels: labels) : .shuffled
      let dropLast = batchStatistics && train.count > recipe.batchSize && train.count % recipe.batchSize == 1
      self.train = DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: recipe.batchSize, order: order,
                                                           dropLast: dropLast, seed: recipe.seed), collate: collate)
      self.validation = validation.map {
        DataLoader($0, sampler: BatchSampler(count: $0.count, batchSize: recipe.validationBatchSize ?? recipe.batchSize,
                                             order: .sequential), collate: collateValidation)
      }
    }
  }

  /// A trainer with the recipe's epoch-loop options: early stopping, gradient clipping, the
  /// gradient-reduction seam, quietness.
  func trainer(_ model: Module, _ optimizer: any Optimizer, epochs: Int, label: String, labelNames: [String]?,
               forward: @escaping (Batch) -> Tensor) -> Trainer {
    let trainer = Trainer(model: model, optimizer: optimizer, options: TrainingOptions(
      epochs: epochs, gradientClipNorm: gradientClipNorm, earlyStopping: earlyStopping,
      checkpointPath: checkpoints.writePath(stage: label), quiet: quiet, label: label), forward: forward)
    trainer.options.resumeFrom = checkpoints.resume
    trainer.labelNames = labelNames
    if let reduceGradients { trainer.reduceGradients = reduceGradients }
    return trainer
  }

  /// Stage 1 on the whole network: every trainable parameter (the head's, and the base's when it
  /// is not frozen) in one group at `headLearningRate`.
  func trainHeadStage<T: Dataset, V: Dataset>(_ network: GraftedNetwork, labelNames: [String]?, _ loaders: Loaders<T, V>)
    throws -> (TrainingHistory, Evaluation?) {
    let named = network.model.namedTrainableParameters()
    let optimizer = Adam(groups: [ParameterGroup(named.map(\.1), names: named.map(\.0), learningRate: headLearningRate,
                                                 weightDecay: weightDecay)])
    let trainer = self.trainer(network.model, optimizer, epochs: headEpochs, label: "head", labelNames: labelNames,
                               forward: network.forward)
    return try Self.fit(trainer, loaders.train, loaders.validation)
  }

  /// Stage 2 when `fineTune` asks for it: the top blocks unfrozen, the head at
  /// `FineTune.headLearningRate` and the unfrozen base parameters at `FineTune.baseLearningRate`.
  /// Collects the skipped items of both stages (each once).
  func fineTuneStage<T: Dataset, V: Dataset>(_ network: GraftedNetwork, labelNames: [String]?, _ loaders: Loaders<T, V>,
                                        after head: (TrainingHistory, Evaluation?)) throws -> TransferStages {
    var stages = TransferStages(headHistory: head.0, fineTuneHistory: nil, headEvaluation: head.1, fineTuneEvaluation: nil,
                                skipped: loaders.train.skipped)
    if let fineTune, fineTune.topBlocks > 0, fineTune.epochs > 0 {
      try decideFineTune(fineTune, network, labelNames: labelNames, loaders, into: &stages)
    }
    var seen = Set<Int>()
    stages.skipped = stages.skipped.filter { seen.insert($0.index).inserted }
    network.model.eval()
    return stages
  }

  /// Trains, then evaluates on the validation loader when there is one.
  static func fit<T: Dataset, V: Dataset>(_ trainer: Trainer, _ train: DataLoader<T>, _ validation: DataLoader<V>?)
    throws -> (TrainingHistory, Evaluation?) {
    guard let validation else { return (try trainer.fit(train), nil) }
    return (try trainer.fit(train, validation: validation), trainer.evaluate(validation))
  }
}
