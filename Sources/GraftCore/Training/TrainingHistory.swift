/// Metrics of one epoch. Validation fields are nil when there is no validation set.
public struct EpochRecord: Codable, Sendable, Equatable {
  public var epoch: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  public var validationMacroF1: Double?
  /// ROC-AUC of the positive class (index 1) for binary tasks.
  public var validationROCAUC: Double?
  public var learningRate: Float
  public var seconds: Double

  public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double? = nil,
              validationAccuracy: Double? = nil, validationMacroF1: Double? = nil, validationROCAUC: Double? = nil,
              learningRate: Float, seconds: Double) {
    self.epoch = epoch
    self.trainLoss = trainLoss
    self.trainAccuracy = trainAccuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.validationMacroF1 = validationMacroF1
    self.validationROCAUC = validationROCAUC
    self.learningRate = learningRate
    self.seconds = seconds
  }

  enum CodingKeys: String, CodingKey {
    case epoch, seconds
    case trainLoss = "train_loss", trainAccuracy = "train_accuracy"
    case validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
    case validationMacroF1 = "validation_macro_f1", learningRate = "learning_rate"
    case validationROCAUC = "validation_roc_auc"
  }
}

/// Per-epoch metrics of a run, for reports and `graft summary` (JSON).
public struct TrainingHistory: Codable, Sendable, Equatable {
  public var epochs: [EpochRecord] = []
  /// The epoch whose weights the model holds at the end (early stopping restores it).
  public var bestEpoch: Int?
  public var stopReason: String?

  public init() {}

  enum CodingKeys: String, CodingKey {
    case epochs
    case bestEpoch = "best_epoch", stopReason = "stop_reason"
  }
}

/// The quantity early stopping and best-weight selection watch.
public enum Monitor: String, Codable, Sendable, CaseIterable {
  case validationLoss = "val_loss"
  case validationAccuracy = "val_accuracy"
  case validationMacroF1 = "val_macro_f1"
  case trainLoss = "train_loss"

  var higherIsBetter: Bool { self == .validationAccuracy || self == .validationMacroF1 }

  func value(_ r: EpochRecord) -> Double? {
    switch self {
    case .validationLoss: return r.validationLoss
    case .validationAccuracy: return r.validationAccuracy
    case .validationMacroF1: return r.validationMacroF1
    case .trainLoss: return r.trainLoss
    }
  }
}

/// Stops when the monitored value has not improved by `minDelta` for
/// `patience` epochs, and (with `restoreBest`) puts back the best epoch's weights,
/// as Keras' `EarlyStopping(restore_best_weights=True)`.
public struct EarlyStopping: Sendable, Equatable {
  public var monitor: Monitor
  public var patience: Int
  public var minDelta: Double
  public var restoreBest: Bool

  public init(monitor: Monitor = .validationLoss, patience: Int = 3, minDelta: Double = 0, restoreBest: Bool = true) {
    precondition(patience >= 0, "EarlyStopping: patience \(patience)")
    self.monitor = monitor
    self.patience = patience
    self.minDelta = minDelta
    self.restoreBest = restoreBest
  }

  /// Whether `value` improves on `best`.
  func improves(_ value: Double, on best: Double?) -> Bool {
    guard let best else { return true }
    return monitor.higherIsBetter ? value > best + minDelta : value < best - minDelta
  }
}

/// Why training stopped before its last epoch.
public struct TrainingError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float, learningRate: Float)
    case noTrainingData
  }
  public var reason: Reason

  public var description: String {
    switch reason {
    case .nonFiniteLoss(let epoch, let batch, let value, let lr):
      return "loss became \(value) at epoch \(epoch), batch \(batch) (learning rate \(lr)); "
        + "training stopped: lower the learning rate, clip gradients, or check the inputs for NaN/Inf"
    case .noTrainingData:
      return "no training examples could be loaded"
    }
  }
}
