import GraftCore

/// A classifier's results on a labelled dataset: metrics, one prediction per text, and the
/// rows or files the dataset skipped.
public struct TextEvaluation: Sendable {
  public var metrics: ClassificationMetrics
  /// In dataset order.
  public var predictions: [TextExamplePrediction]
  public var issues: [DataIssue]
  /// ROC-AUC of the second label against the first, for two labels (nil otherwise, or when
  /// one of them is absent).
  public var rocAUC: Double?
}

extension TextClassifier {
  /// Metrics and per-text predictions on `dataset`, whose label names must all be this
  /// classifier's labels.
  public func evaluation(of dataset: TextDataset) throws(TextDatasetError) -> TextEvaluation {
    let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
    let unknown = dataset.labels.filter { index[$0] == nil }
    guard unknown.isEmpty else { throw TextDatasetError(path: dataset.path, reason: .unknownLabels(unknown, known: labels)) }
    let actual = dataset.labelIndices.map { index[dataset.labels[$0]]! }
    var predicted: [Int] = [], predictions: [TextExamplePrediction] = [], scores: [Float] = []
    predicted.reserveCapacity(dataset.count)
    predictions.reserveCapacity(dataset.count)
    // In an MPI job each rank scores its contiguous share of the texts; all ranks get every row.
    let rows = ProcessGroups.current.shardedMap(dataset.texts) { probabilities($0) }
    for (i, p) in rows.enumerated() {
      let best = p.indices.max { p[$0] < p[$1] } ?? 0
      predicted.append(best)
      if labels.count == 2 { scores.append(p[1]) }
      predictions.append(TextExamplePrediction(source: dataset.sources[i], text: dataset.texts[i], actual: labels[actual[i]],
                                               predicted: labels[best], probability: Double(p[best])))
    }
    let metrics = ClassificationMetrics(predicted: predicted, actual: actual, classCount: labels.count, labels: labels)
    let auc = labels.count == 2 ? rocAUC(scores: scores, positives: actual.map { $0 == 1 }) : nil
    return TextEvaluation(metrics: metrics, predictions: predictions, issues: dataset.issues, rocAUC: auc)
  }
}
