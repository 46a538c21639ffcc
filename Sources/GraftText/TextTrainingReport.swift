import Foundation
import GraftCore

/// What a training run did and how well it ended on the validation split.
public struct TextTrainingReport {
  public var labels: [String]
  public var trainCount: Int
  public var validationCount: Int
  public var vocabularySize: Int
  /// How much of the vocabulary the embedding file covers.
  public var coverage: EmbeddingCoverage
  /// Share of the training split's tokens (not types) that have a vector.
  public var tokenCoverage: Double
  /// Validation metrics of the final model (the training split when there is no validation split).
  public var validation: ClassificationMetrics
  /// One prediction per text of the split `validation` was measured on, in split order.
  public var validationPredictions: [TextExamplePrediction]
  /// ROC-AUC on that split for two labels (nil otherwise).
  public var validationROCAUC: Double?
  public var history: TrainingHistory
  public var fineTuneHistory: TrainingHistory?
  /// Rows or files of the dataset that were skipped.
  public var issues: [DataIssue]
  /// Words and dimension of the embedding table the vectors came from.
  public var embeddingCount: Int
  public var embeddingDimension: Int
  /// The raw-input baseline on the same splits (`TextBaseline`); nil without a validation split.
  public var baseline: BaselineComparison? = nil
  /// The blend of the LSTM with the baseline's n-gram regression (`NgramModel`), when it was
  /// considered (`TextTrainingOptions.ngramBlend` and a validation split).
  public var blend: Blend? = nil

  /// The blend weight chosen on the validation split (0: the LSTM alone) and the blended
  /// classifier's validation metrics (read on the split that chose the weight).
  public struct Blend: Sendable {
    public var weight: Double
    public var metrics: ClassificationMetrics
  }

  /// True when there was no validation split, so `validation` measures the training split.
  public var validatedOnTrainingSplit: Bool { validationCount == 0 }
}

extension TextTrainingReport {
  /// The bundle's `training` entry.
  func json(recipe: TransferRecipe) -> [String: JSONValue] {
    func encoded<T: Encodable>(_ value: T) -> JSONValue { (try? JSONValue(encoding: value)) ?? .null }
    var out: [String: JSONValue] = [
      "coverage": encoded(coverage), "token_coverage": .number(tokenCoverage),
      "train_count": .number(Double(trainCount)), "validation_count": .number(Double(validationCount)),
      "validation": encoded(validation), "history": encoded(history),
      "learning_rate": .number(Double(recipe.headLearningRate)), "batch_size": .number(Double(recipe.batchSize)),
      "seed": .number(Double(recipe.seed)),
    ]
    if let blend {
      out["ngram_blend"] = .object(["weight": .number(blend.weight), "validation": encoded(blend.metrics)])
    }
    if let fineTuneHistory {
      out["fine_tune"] = encoded(fineTuneHistory)
      out["embedding_learning_rate"] = recipe.fineTune.map { .number(Double($0.baseLearningRate)) } ?? .null
    }
    return out
  }
}
