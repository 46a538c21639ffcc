import GraftCore

/// Where `TextClassifier.train` keeps its training state between runs.
public struct TextCheckpointing: Sendable, Equatable {
  /// Written atomically after every epoch of either stage (`Trainer.saveCheckpoint`): weights,
  /// Adam state, dropout generators, history and early-stopping state.
  public var path: String?
  /// A checkpoint of the same data, options and recipe to continue from, in whichever stage it
  /// was written; the run then ends with the weights an uninterrupted run would have, bit for bit.
  public var resume: String?
  /// Stop after this many epochs of this call, both stages counted (to split a run; the
  /// checkpoint then resumes it). The returned model is the one of that moment. nil: no limit.
  public var stopAfterEpochs: Int?

  public init(path: String? = nil, resume: String? = nil, stopAfterEpochs: Int? = nil) {
    if let stopAfterEpochs { precondition(stopAfterEpochs >= 1, "TextCheckpointing: stopAfterEpochs \(stopAfterEpochs)") }
    self.path = path
    self.resume = resume
    self.stopAfterEpochs = stopAfterEpochs
  }

  /// Where to write: `path`, else the file resumed from.
  var writePath: String? { path ?? resume }
}

/// What `TextTrainingStages` produced: each stage's history and validation metrics.
struct TextStageResults {
  var headHistory: TrainingHistory
  var fineTuneHistory: TrainingHistory?
  var headEvaluation: Evaluation?
  var fineTuneEvaluation: Evaluation?

  /// The validation metrics of the returned model: after fine-tuning when it ran.
  var finalEvaluation: Evaluation? { fineTuneEvaluation ?? headEvaluation }
}

/// The two stages of `TransferRecipe.run(_:…)` for `LSTMClassifier`, with checkpoints:
///
/// 1. `head`: the embedding frozen (unless `recipe.freezeBase` is false), everything else —
///    the trainable rows for words the vectors lack, the LSTM, the head — in one Adam group at
///    `recipe.headLearningRate`;
/// 2. `fine-tune` (with `recipe.fineTune`): the embedding unfrozen in a second group at
///    `fineTune.baseLearningRate`, the rest at `fineTune.headLearningRate`.
///
/// Batches, class balance, weight decay, early stopping (best weights restored), clipping and
/// `reduceGradients` are the recipe's, as in `TransferRecipe`. A checkpoint of the first stage
/// has no optimizer state for the embedding; resuming tries it as one of the first stage, then
/// of the second.
struct TextTrainingStages {
  let recipe: TransferRecipe
  let checkpointing: TextCheckpointing
  /// The word-logit table's learning rate as a multiple of the rest of the head's (its rows
  /// see one gradient per text they occur in, divided by the text's length).
  var wordLogitsLearningRateScale: Float = 1

  func run(_ model: LSTMClassifier, labelNames: [String], train: EncodedTexts, validation: EncodedTexts?) throws
    -> TextStageResults {
    let labels = train.labels
    let order: BatchSampler.Order = recipe.classBalanced ? .classBalanced(labels: labels) : .shuffled
    let trainLoader = DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: recipe.batchSize, order: order,
                                                              seed: recipe.seed), collate: EncodedTexts.collate)
    let validationLoader = validation.map {
      DataLoader($0, sampler: BatchSampler(count: $0.count, batchSize: recipe.validationBatchSize ?? recipe.batchSize,
                                           order: .sequential), collate: EncodedTexts.collate)
    }
    var budget = checkpointing.stopAfterEpochs

    if recipe.freezeBase { model.embedding.freeze() } else { model.embedding.unfreeze() }
    let head = trainer(model, groups: headGroups(model, model.namedTrainableParameters(), recipe.headLearningRate),
                       epochs: recipe.headEpochs, label: "head", budget: budget, labelNames: labelNames)
    var resumedFineTune: Trainer?
    if let path = checkpointing.resume {
      do {
        try head.resume(from: path)
      } catch let error as CheckpointError {
        guard case .incompatible = error.reason, recipe.fineTune != nil, let fineTune = fineTuneTrainer(model, budget: budget,
                                                                                                       labelNames: labelNames),
              (try? fineTune.resume(from: path)) != nil else { throw error }
        resumedFineTune = fineTune
      }
    }

    var stages: TextStageResults
    if let resumedFineTune {
      // The head stage is over; its history is not in a checkpoint of the second stage.
      let evaluation = validationLoader.map { resumedFineTune.evaluate($0) }
      stages = TextStageResults(headHistory: TrainingHistory(), headEvaluation: evaluation)
    } else {
      let before = head.nextEpoch
      let (history, evaluation) = try fit(head, trainLoader, validationLoader)
      stages = TextStageResults(headHistory: history, headEvaluation: evaluation)
      if let b = budget {
        budget = b - (head.nextEpoch - before)
        if budget! <= 0 || (head.nextEpoch < recipe.headEpochs && history.stopReason == nil) {
          model.eval()
          return stages
        }
      }
    }

    if recipe.fineTune != nil, let fineTune = resumedFineTune ?? fineTuneTrainer(model, budget: budget, labelNames: labelNames) {
      (stages.fineTuneHistory, stages.fineTuneEvaluation) = try fit(fineTune, trainLoader, validationLoader)
    }
    model.embedding.freeze()
    model.eval()
    return stages
  }

  /// The second stage's trainer: the embedding unfrozen in its own group; nil when the recipe
  /// has no fine-tuning.
  private func fineTuneTrainer(_ model: LSTMClassifier, budget: Int?, labelNames: [String]) -> Trainer? {
    guard let fineTune = recipe.fineTune, fineTune.topBlocks > 0, fineTune.epochs > 0 else { return nil }
    model.embedding.unfreeze()
    let inBase = Set(model.embedding.parameters().map(ObjectIdentifier.init))
    let trainable = model.namedTrainableParameters()
    return trainer(model, groups: headGroups(model, trainable.filter { !inBase.contains(ObjectIdentifier($0.1)) },
                                             fineTune.headLearningRate)
                     + [group(trainable.filter { inBase.contains(ObjectIdentifier($0.1)) }, fineTune.baseLearningRate)],
                   epochs: fineTune.epochs, label: "fine-tune", budget: budget, labelNames: labelNames)
  }

  /// `named` at `learningRate`, the word-logit table (when there is one) in a group of its own
  /// at `wordLogitsLearningRateScale` times that.
  private func headGroups(_ model: LSTMClassifier, _ named: [(String, Tensor)], _ learningRate: Float) -> [ParameterGroup] {
    guard let table = model.wordLogits?.weight else { return [group(named, learningRate)] }
    return [group(named.filter { $0.1 !== table }, learningRate),
            group(named.filter { $0.1 === table }, learningRate * wordLogitsLearningRateScale)]
  }

  private func group(_ named: [(String, Tensor)], _ learningRate: Float) -> ParameterGroup {
    ParameterGroup(named.map(\.1), names: named.map(\.0), learningRate: learningRate, weightDecay: recipe.weightDecay)
  }

  private func trainer(_ model: LSTMClassifier, groups: [ParameterGroup], epochs: Int, label: String, budget: Int?,
                       labelNames: [String]) -> Trainer {
    let options = TrainingOptions(epochs: epochs, gradientClipNorm: recipe.gradientClipNorm, earlyStopping: recipe.earlyStopping,
                                  checkpointPath: checkpointing.writePath, stopAfterEpochs: budget, quiet: recipe.quiet,
                                  label: label)
    let trainer = Trainer(model: model, optimizer: Adam(groups: groups), options: options) { model($0) }
    trainer.labelNames = labelNames
    if let reduceGradients = recipe.reduceGradients { trainer.reduceGradients = reduceGradients }
    return trainer
  }

  /// Trains (nothing more when a resumed stage had already stopped early, only its best weights
  /// restored), then evaluates on the validation loader when there is one.
  private func fit(_ trainer: Trainer, _ train: DataLoader<EncodedTexts>, _ validation: DataLoader<EncodedTexts>?) throws
    -> (TrainingHistory, Evaluation?) {
    if trainer.history.stopReason != nil { trainer.options.epochs = max(1, trainer.nextEpoch) }
    guard let validation else { return (try trainer.fit(train), nil) }
    return (try trainer.fit(train, validation: validation), trainer.evaluate(validation))
  }
}
