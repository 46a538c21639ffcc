/// Classification metrics from hard predictions, matching scikit-learn.
///
/// Built from `predicted` and `actual` class indices in `0..<classCount` (or directly from a
/// confusion matrix), it holds what `graft evaluate`, the trainer's history and the HTML report
/// show. Every value matches scikit-learn 1.9 (checked against `Tools/fixtures/metrics.py`):
///
/// * `confusion[i][j]` counts examples of actual class `i` predicted as class `j`: rows are the
///   actual class and columns the predicted one, as
///   [`sklearn.metrics.confusion_matrix`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.confusion_matrix.html)
///   with `labels=range(classCount)`.
/// * Per class `c`, with `tp` = `confusion[c][c]`, `support` = the row sum and `predicted` = the
///   column sum: `precision = tp / predicted`, `recall = tp / support` and
///   `f1 = 2·tp / (support + predicted)`, as
///   [`precision_recall_fscore_support`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.precision_recall_fscore_support.html).
/// * **Zero division gives 0** (sklearn's `zero_division=0`). A class that is never predicted has
///   precision 0, and a class that never occurs has recall 0. Nothing is ever NaN, so every value
///   encodes as JSON.
/// * **Macro averages** (`macroPrecision`, `macroRecall`, `macroF1`) are the unweighted means over
///   the classes that occur in `actual` or in `predicted`. That is sklearn's default
///   (`average="macro"` with `labels` left out). A class that appears in neither has no score, so
///   it is left out, not counted as 0: an evaluation split that lacks a rare class is not
///   penalised for it. A class that is predicted but never occurs *is* counted, with recall and
///   F1 of 0.
/// * `weightedF1` is the mean of the per-class F1 weighted by `support` (`average="weighted"`).
/// * **Empty input is allowed.** With no examples (`count == 0`), every rate and average is 0 and
///   the confusion matrix is all zeros. Read `count` before trusting `accuracy`.
///
/// The stored properties are plain Swift arrays indexed by class. `perClass` gives the same
/// numbers one class at a time. The JSON shape (see `encode(to:)`) is the CLI contract.
public struct ClassificationMetrics: Sendable, Equatable {
  /// Class names, one per class (`"0"`, `"1"`, … when none were given).
  public let labels: [String]
  /// `[C][C]`: `confusion[actual][predicted]`.
  public let confusion: [[Int]]
  /// Number of examples (the sum of `confusion`).
  public let count: Int
  /// Fraction of examples whose prediction equals the actual class; 0 when `count == 0`.
  public let accuracy: Double
  /// `[C]`: tp / (tp + fp) per class; 0 for a class never predicted.
  public let precision: [Double]
  /// `[C]`: tp / (tp + fn) per class; 0 for a class that never occurs.
  public let recall: [Double]
  /// `[C]`: 2·tp / (2·tp + fp + fn) per class; 0 when the class neither occurs nor is predicted.
  public let f1: [Double]
  /// `[C]`: how many examples of each class occur in `actual` (the rows of `confusion`).
  public let support: [Int]
  /// Mean precision over the classes seen in `actual` or `predicted`.
  public let macroPrecision: Double
  /// Mean recall over the classes seen in `actual` or `predicted`.
  public let macroRecall: Double
  /// Mean F1 over the classes seen in `actual` or `predicted`.
  public let macroF1: Double
  /// Per-class F1 weighted by support; 0 when `count == 0`.
  public let weightedF1: Double

  /// The number of classes, `C`.
  public var classCount: Int { labels.count }

  /// Metrics from a confusion matrix, `confusion[actual][predicted]`, `C × C`, no negative entry.
  /// - Parameter labels: `C` class names; `"0"`, `"1"`, … when nil.
  public init(confusion: [[Int]], labels: [String]? = nil) {
    let c = confusion.count
    precondition(c > 0, "ClassificationMetrics: empty confusion matrix")
    precondition(confusion.allSatisfy { $0.count == c },
                 "ClassificationMetrics: confusion rows \(confusion.map(\.count)) for \(c) classes")
    precondition(confusion.allSatisfy { $0.allSatisfy { $0 >= 0 } },
                 "ClassificationMetrics: negative count in confusion matrix")
    if let labels {
      precondition(labels.count == c, "ClassificationMetrics: \(labels.count) labels for \(c) classes")
    }
    self.labels = labels ?? (0..<c).map(String.init)
    self.confusion = confusion

    var support = [Int](repeating: 0, count: c)       // [C] row sums
    var predictedCount = [Int](repeating: 0, count: c) // [C] column sums
    var correct = 0
    for i in 0..<c {
      for j in 0..<c {
        support[i] += confusion[i][j]
        predictedCount[j] += confusion[i][j]
      }
      correct += confusion[i][i]
    }
    let total = support.reduce(0, +)

    var precision = [Double](repeating: 0, count: c)
    var recall = [Double](repeating: 0, count: c)
    var f1 = [Double](repeating: 0, count: c)
    for i in 0..<c {
      let tp = confusion[i][i]
      precision[i] = metricRatio(tp, predictedCount[i])
      recall[i] = metricRatio(tp, support[i])
      f1[i] = metricRatio(2 * tp, support[i] + predictedCount[i])
    }
    let seen = (0..<c).filter { support[$0] + predictedCount[$0] > 0 }
    func macro(_ values: [Double]) -> Double {
      seen.isEmpty ? 0 : seen.reduce(0) { $0 + values[$1] } / Double(seen.count)
    }

    self.count = total
    self.accuracy = metricRatio(correct, total)
    self.precision = precision
    self.recall = recall
    self.f1 = f1
    self.support = support
    self.macroPrecision = macro(precision)
    self.macroRecall = macro(recall)
    self.macroF1 = macro(f1)
    self.weightedF1 = total == 0 ? 0
      : (0..<c).reduce(0) { $0 + f1[$1] * Double(support[$1]) } / Double(total)
  }

  /// Metrics from predicted and actual class indices (same length, each in `0..<classCount`).
  /// - Parameter labels: `classCount` class names; `"0"`, `"1"`, … when nil.
  public init(predicted: [Int], actual: [Int], classCount: Int, labels: [String]? = nil) {
    precondition(classCount > 0, "ClassificationMetrics: classCount \(classCount)")
    self.init(confusion: confusionMatrix(predicted: predicted, actual: actual, classCount: classCount),
              labels: labels)
  }

  /// Metrics from `[N, C]` scores (logits or probabilities: the prediction is each row's argmax,
  /// via `Tensor.argmax(axis:)`) and `N` actual class indices.
  public init(scores: Tensor, actual: [Int], labels: [String]? = nil) {
    precondition(scores.rank == 2, "ClassificationMetrics: scores must be [N, C], got \(scores.shape)")
    self.init(predicted: scores.argmax(axis: 1), actual: actual, classCount: scores.shape[1],
              labels: labels)
  }

  /// One class's scores, as listed under `per_class` in the JSON.
  public struct ClassScores: Codable, Sendable, Equatable {
    public var label: String
    public var precision: Double
    public var recall: Double
    public var f1: Double
    public var support: Int

    public init(label: String, precision: Double, recall: Double, f1: Double, support: Int) {
      self.label = label; self.precision = precision; self.recall = recall; self.f1 = f1
      self.support = support
    }
  }

  /// The per-class arrays, one entry per class in class order.
  public var perClass: [ClassScores] {
    (0..<classCount).map {
      ClassScores(label: labels[$0], precision: precision[$0], recall: recall[$0], f1: f1[$0],
                  support: support[$0])
    }
  }
}

/// `[C][C]` counts, `confusion[actual][predicted]`, as sklearn's `confusion_matrix` with
/// `labels=range(classCount)`. `predicted` and `actual` have the same length, entries in `0..<classCount`.
public func confusionMatrix(predicted: [Int], actual: [Int], classCount: Int) -> [[Int]] {
  precondition(classCount > 0, "confusionMatrix: classCount \(classCount)")
  precondition(predicted.count == actual.count,
               "confusionMatrix: \(predicted.count) predictions for \(actual.count) labels")
  var matrix = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
  for (p, a) in zip(predicted, actual) {
    precondition(p >= 0 && p < classCount && a >= 0 && a < classCount,
                 "confusionMatrix: predicted \(p), actual \(a) outside 0..<\(classCount)")
    matrix[a][p] += 1
  }
  return matrix
}

/// `numerator / denominator`, or 0 when the denominator is 0 (sklearn's `zero_division=0`).
@inline(__always)
func metricRatio(_ numerator: Int, _ denominator: Int) -> Double {
  denominator == 0 ? 0 : Double(numerator) / Double(denominator)
}

// MARK: - JSON

extension ClassificationMetrics: Codable {
  enum CodingKeys: String, CodingKey {
    case count, accuracy, labels, confusion
    case macroF1 = "macro_f1", macroPrecision = "macro_precision", macroRecall = "macro_recall"
    case weightedF1 = "weighted_f1", perClass = "per_class"
  }

  /// Writes the CLI's JSON shape (`graft evaluate --json`, the history and the report):
  ///
  /// ```json
  /// {"count": 4, "accuracy": 0.75, "macro_f1": 0.5, "macro_precision": 0.5, "macro_recall": 0.5,
  ///  "weighted_f1": 0.6667, "labels": ["cat", "dog"], "confusion": [[1, 1], [0, 2]],
  ///  "per_class": [{"label": "cat", "precision": 1, "recall": 0.5, "f1": 0.6667, "support": 2}, …]}
  /// ```
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(count, forKey: .count)
    try c.encode(accuracy, forKey: .accuracy)
    try c.encode(macroF1, forKey: .macroF1)
    try c.encode(macroPrecision, forKey: .macroPrecision)
    try c.encode(macroRecall, forKey: .macroRecall)
    try c.encode(weightedF1, forKey: .weightedF1)
    try c.encode(labels, forKey: .labels)
    try c.encode(confusion, forKey: .confusion)
    try c.encode(perClass, forKey: .perClass)
  }

  /// Reads `labels` and `confusion` and recomputes everything else from them, so a decoded
  /// value equals the one that was encoded. Throws `DecodingError.dataCorrupted` when the
  /// matrix is not `C × C` with `C = labels.count > 0`, or holds a negative count.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let labels = try c.decode([String].self, forKey: .labels)
    let confusion = try c.decode([[Int]].self, forKey: .confusion)
    guard !labels.isEmpty, confusion.count == labels.count,
          confusion.allSatisfy({ $0.count == labels.count && $0.allSatisfy { $0 >= 0 } })
    else {
      throw DecodingError.dataCorruptedError(
        forKey: .confusion, in: c,
        debugDescription: "confusion must be a \(labels.count)×\(labels.count) matrix of counts ≥ 0")
    }
    self.init(confusion: confusion, labels: labels)
  }
}
