/// Options of a training run.
public struct TrainingOptions {
  public var epochs: Int
  /// Clip the global gradient norm to this value before each step.
  public var gradientClipNorm: Float?
  public var earlyStopping: EarlyStopping?
  /// Applied before every optimizer step with the global step count.
  public var schedule: (any LearningRateSchedule)?
  /// Written (atomically) after every epoch when set; `Trainer.resume(from:)` continues from it.
  public var checkpointPath: String?
  /// Stop after this many epochs of this call even if `epochs` is larger (for
  /// splitting a run; the checkpoint then resumes it).
  public var stopAfterEpochs: Int?
  /// A checkpoint to continue from before the first epoch of the next `fit`, when a trainer
  /// with the same `label` wrote it (`Trainer.checkpointStage(at:)`); otherwise `fit` starts
  /// fresh. Used once: `fit` clears it.
  public var resumeFrom: String? = nil
  public var quiet: Bool
  public var label: String

  public init(epochs: Int, gradientClipNorm: Float? = nil, earlyStopping: EarlyStopping? = nil,
              schedule: (any LearningRateSchedule)? = nil, checkpointPath: String? = nil,
              stopAfterEpochs: Int? = nil, quiet: Bool = false, label: String = "epoch") {
    precondition(epochs >= 1, "TrainingOptions: epochs \(epochs)")
    self.epochs = epochs
    self.gradientClipNorm = gradientClipNorm
    self.earlyStopping = earlyStopping
    self.schedule = schedule
    self.checkpointPath = checkpointPath
    self.stopAfterEpochs = stopAfterEpochs
    self.quiet = quiet
    self.label = label
  }
}

/// The result of running a model over a loader without training.
public struct Evaluation {
  public var loss: Double
  public var metrics: ClassificationMetrics
  /// Softmax probabilities [N, C] in loader order.
  public var probabilities: Tensor
  public var labels: [Int]
  /// Dataset indices in loader order.
  public var indices: [Int]

  /// ROC-AUC of class 1 against class 0 for a binary task (nil otherwise, or when one class is absent).
  public var rocAUC: Double? {
    guard probabilities.rank == 2, probabilities.shape[1] == 2, !labels.isEmpty else { return nil }
    let scores = (0..<labels.count).map { probabilities.data[$0 * 2 + 1] }
    return GraftCore.rocAUC(scores: scores, positives: labels.map { $0 == 1 })
  }
}

/// The epoch loop of a classification task: forward, loss, backward into the
/// trainable parameters, gradient reduction, clipping, optimizer step; then
/// validation, history, early stopping with best-weight restore, NaN/Inf
/// detection and atomic checkpoints.
public final class Trainer {
  public let model: Module
  public let optimizer: any Optimizer
  public var options: TrainingOptions
  /// Logits [B, C] of a batch.
  public let forward: (Batch) -> Tensor
  /// The loss of a batch's logits (default: mean cross-entropy).
  public var lossFunction: (Tensor, Batch) -> Tensor = { crossEntropy(logits: $0, labels: $1.labels) }
  /// The seam between `backward()` and the optimizer step where gradients are
  /// reduced across processes (identity on one process). Data-parallel
  /// training plugs an all-reduce in here without touching layers or optimizers.
  public var reduceGradients: ([Tensor]) -> Void = { _ in }
  /// Label names for metrics (optional).
  public var labelNames: [String]?

  public internal(set) var history = TrainingHistory()
  /// Index of the next epoch to run (advanced by `fit`, restored by `resume`).
  public internal(set) var nextEpoch = 0
  var bestValue: Double?
  var bestState: [String: Tensor]?
  var epochsWithoutImprovement = 0

  public init(model: Module, optimizer: any Optimizer, options: TrainingOptions, forward: @escaping (Batch) -> Tensor) {
    self.model = model
    self.optimizer = optimizer
    self.options = options
    self.forward = forward
  }

  /// Trains without a validation set.
  @discardableResult
  public func fit<T: Dataset>(_ train: DataLoader<T>) throws -> TrainingHistory {
    try run(train, validate: nil)
  }

  /// Trains, validating after every epoch.
  @discardableResult
  public func fit<T: Dataset, V: Dataset>(_ train: DataLoader<T>, validation: DataLoader<V>) throws -> TrainingHistory {
    try run(train, validate: { self.evaluate(validation) })
  }

  func run<T: Dataset>(_ train: DataLoader<T>, validate: (() -> Evaluation)?) throws -> TrainingHistory {
    if let path = options.resumeFrom {
      options.resumeFrom = nil
      if try Self.checkpointStage(at: path) == options.label { try resume(from: path) }
    }
    let lastEpoch = min(options.epochs, options.stopAfterEpochs.map { nextEpoch + $0 } ?? options.epochs)
    // A run resumed after early stopping has nothing left to do.
    while nextEpoch < lastEpoch && history.stopReason == nil {
      let epoch = nextEpoch
      let start = Stopwatch.now()
      let train = try trainEpoch(train, epoch: epoch)
      var record = EpochRecord(epoch: epoch + 1, trainLoss: train.meanLoss, trainAccuracy: train.accuracy,
                               learningRate: optimizer.groups.first?.learningRate ?? 0, seconds: 0)
      if let validate {
        let v = validate()
        record.validationLoss = v.loss
        record.validationAccuracy = v.metrics.accuracy
        record.validationMacroF1 = v.metrics.macroF1
        record.validationROCAUC = v.rocAUC
      }
      record.seconds = Stopwatch.now() - start
      history.epochs.append(record)
      nextEpoch = epoch + 1
      report(record)
      let stop = updateEarlyStopping(record)
      if let path = options.checkpointPath { try saveCheckpoint(to: path) }
      if stop { break }
    }
    // Restore the best weights when the run is over (not when it only pauses for a later resume).
    let finished = nextEpoch >= options.epochs || history.stopReason != nil
    if finished, let stopping = options.earlyStopping, stopping.restoreBest, let best = bestState {
      try? model.load(best)  // taken from this model: keys and shapes match
    }
    return history
  }

  func trainEpoch<T: Dataset>(_ loader: DataLoader<T>, epoch: Int) throws -> RunningMetrics {
    model.train()
    var running = RunningMetrics()
    let bar = ProgressBar("\(options.label) \(epoch + 1)/\(options.epochs)", total: loader.batchCount, quiet: options.quiet)
    var seen = 0
    let group = ProcessGroups.current
    if group.size > 1 { return try trainEpochDataParallel(loader, epoch: epoch, group: group, bar: bar) }
    for (b, batch) in loader.batches(epoch: epoch).enumerated() {
      if let schedule = options.schedule {
        schedule.apply(to: optimizer, step: epoch * loader.batchCount + b)
      }
      let logits = forward(batch)
      let loss = lossFunction(logits, batch)
      let value = loss.item
      guard value.isFinite else {
        throw TrainingError(reason: .nonFiniteLoss(epoch: epoch + 1, batch: b + 1, value: value,
                                                   learningRate: optimizer.groups.first?.learningRate ?? 0))
      }
      optimizer.zeroGradients()
      loss.backward()
      let parameters = optimizer.parameters
      reduceGradients(parameters)
      if let maxNorm = options.gradientClipNorm { _ = clipGradientNorm(parameters, maxNorm: maxNorm) }
      optimizer.step()
      running.add(loss: value, logits: logits, actual: batch.labels)
      seen += batch.size
      bar.advance(fields: running.progressFields)
    }
    if seen == 0 { throw TrainingError(reason: .noTrainingData) }
    return running
  }

  /// Runs the model in inference mode over `loader` (no tape, BatchNorm on running statistics).
  public func evaluate<D: Dataset>(_ loader: DataLoader<D>) -> Evaluation {
    let wasTraining = model.isTraining
    model.eval()
    defer { model.train(wasTraining) }
    return Trainer.evaluate(loader, labelNames: labelNames, forward: forward, lossFunction: lossFunction)
  }

  /// Runs `forward` over every batch without recording gradients. The caller
  /// sets the model's mode.
  public static func evaluate<D: Dataset>(
    _ loader: DataLoader<D>, labelNames: [String]? = nil, forward: (Batch) -> Tensor,
    lossFunction: (Tensor, Batch) -> Tensor = { crossEntropy(logits: $0, labels: $1.labels) }
  ) -> Evaluation {
    var lossSum = 0.0
    var rows: [Tensor] = [], labels: [Int] = [], indices: [Int] = []
    withoutGradients {
      for batch in loader.batches(epoch: 0) {
        let logits = forward(batch)
        lossSum += Double(lossFunction(logits, batch).item) * Double(batch.size)
        rows.append(softmax(logits, axis: 1))
        labels += batch.labels
        indices += batch.indices
      }
    }
    let classCount = rows.first?.shape[1] ?? max(labelNames?.count ?? 0, 1)
    let probabilities = rows.isEmpty ? Tensor.zeros([0, classCount]) : Tensor.concat(rows, axis: 0)
    let predicted = rows.isEmpty ? [] : probabilities.argmax(axis: 1)
    let metrics = ClassificationMetrics(predicted: predicted, actual: labels, classCount: classCount, labels: labelNames)
    return Evaluation(loss: labels.isEmpty ? 0 : lossSum / Double(labels.count), metrics: metrics,
                      probabilities: probabilities, labels: labels, indices: indices)
  }

  /// Updates best weights and patience; returns true when training should stop.
  func updateEarlyStopping(_ record: EpochRecord) -> Bool {
    guard let stopping = options.earlyStopping, let value = stopping.monitor.value(record) else { return false }
    if stopping.improves(value, on: bestValue) {
      bestValue = value
      history.bestEpoch = record.epoch
      epochsWithoutImprovement = 0
      if stopping.restoreBest {
        bestState = Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1.copy()) })
      }
      return false
    }
    epochsWithoutImprovement += 1
    if epochsWithoutImprovement > stopping.patience {
      history.stopReason = "no improvement in \(stopping.monitor.rawValue) for \(epochsWithoutImprovement) epochs; best epoch \(history.bestEpoch ?? 0)"
      return true
    }
    return false
  }

  func report(_ r: EpochRecord) {
    guard !options.quiet, ProcessGroups.isLeader else { return }
    var line = "\(options.label) \(r.epoch)/\(options.epochs): loss \(Trainer.fixed(r.trainLoss, 4)) acc \(Trainer.fixed(r.trainAccuracy * 100, 1))%"
    if let vl = r.validationLoss, let va = r.validationAccuracy, let vf = r.validationMacroF1 {
      line += " · val loss \(Trainer.fixed(vl, 4)) acc \(Trainer.fixed(va * 100, 1))% macro-F1 \(Trainer.fixed(vf, 3))"
      if let auc = r.validationROCAUC { line += " AUC \(Trainer.fixed(auc, 3))" }
    }
    line += " · \(Trainer.fixed(r.seconds, 1))s\n"
    Console.writeError(line)
  }

  static func fixed(_ v: Double, _ digits: Int) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let scaled = (v * p).rounded()
    let whole = Int(scaled / p)
    let frac = Int(abs(scaled).truncatingRemainder(dividingBy: p))
    if digits == 0 { return String(whole) }
    let f = String(frac)
    let sign = scaled < 0 && whole == 0 ? "-" : ""
    return "\(sign)\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
  }
}
