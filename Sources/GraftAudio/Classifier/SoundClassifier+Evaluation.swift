import Foundation
import GraftCore

/// Clip-level metrics of a sound classifier on labelled clips.
public struct SoundEvaluation: Sendable {
  /// Accuracy, macro-F1, confusion, … of the clip decisions (`SoundClassifier.decide`).
  public let metrics: ClassificationMetrics
  /// ROC-AUC of the positive label's clip probability (the second label when no positive label
  /// was given) for two-label tasks; nil otherwise or when a class is absent.
  public let rocAUC: Double?
  public let positiveLabel: String?
  /// The decision threshold applied (binary detectors).
  public let threshold: Float?
  /// Counts and rates at `threshold` (binary detectors).
  public let binary: BinaryMetrics?
  public let predictions: [ClipPrediction]
  /// Rows, files and labels that were skipped, each with its reason.
  public let skipped: [DataIssue]

  /// `{"count", "accuracy", "macro_f1", …, "labels", "confusion", "per_class", "roc_auc",
  /// "positive_label", "threshold", "binary", "skipped": [{"path", "line", "reason"}],
  /// "predictions": [{"path", "label", "actual", "score"}]}`.
  public func json(includePredictions: Bool = true) -> JSONValue {
    guard case .object(var out) = try? JSONValue(encoding: metrics) else { return .null }
    out["roc_auc"] = rocAUC.map { .number($0) } ?? .null
    if let positiveLabel { out["positive_label"] = .string(positiveLabel) }
    if let threshold { out["threshold"] = .number(Double(threshold)) }
    if let binary { out["binary"] = (try? JSONValue(encoding: binary)) ?? .null }
    out["skipped"] = (try? JSONValue(encoding: skipped)) ?? []
    if includePredictions {
      out["predictions"] = .array(predictions.map {
        var o: [String: JSONValue] = ["path": .string($0.path), "label": .string($0.label), "score": .number(Double($0.score))]
        if let actual = $0.actual { o["actual"] = .string(actual) }
        return .object(o)
      })
    }
    return .object(out)
  }
}

extension SoundClassifier {
  /// Reads the bundle at `bundlePath` and evaluates it on the clips of `data` (a class-per-folder
  /// directory or a CSV, see `SoundDataSource`), keeping the CSV rows that match `filters`; `root`
  /// is the directory relative CSV paths start from (the CSV's own by default).
  public static func evaluate(bundlePath: String, data: String, filters: [(column: String, value: String)] = [],
                              root: String? = nil, labelColumn: String? = nil) throws -> SoundEvaluation {
    let classifier = try SoundClassifier(bundlePath: bundlePath)
    return classifier.evaluate(try SoundDataSource.load(data, filters: filters, root: root, labelColumn: labelColumn))
  }

  /// Clip-level metrics on `data`. Clips whose label the classifier does not know and clips that
  /// cannot be decoded are reported in `skipped` and left out.
  /// In an MPI job each rank decodes and scores its contiguous share of the clips; the scores and
  /// failures are gathered on every rank in clip order.
  public func evaluate(_ data: SoundDataSource) -> SoundEvaluation {
    let shares = ProcessGroups.current.shardedMap(data.clips) { share in
      // One entry per clip of the share, in order: its scores, or why it was skipped.
      share.map { clip -> ScoredClip in
        let (prepared, failures) = Self.prepare([clip], labels: labels, frontEnd: frontEnd)
        guard let p = prepared.first else { return ScoredClip(facts: nil, probabilities: nil, issue: failures.first) }
        return ScoredClip(facts: p.facts, probabilities: aggregation(self.probabilities(p.patches)), issue: nil)
      }
    }
    let scored = shares.filter { $0.facts != nil }
    return evaluation(clipProbabilities: scored.map { $0.probabilities ?? [] }, clips: scored.compactMap(\.facts),
                      skipped: data.issues + shares.compactMap(\.issue))
  }

  /// A clip's scores, or why it was skipped, as it travels between ranks.
  struct ScoredClip: Codable {
    var facts: ClipFacts?
    var probabilities: [Float]?
    var issue: DataIssue?
  }

  /// Metrics from aggregated clip probabilities (one `[C]` per clip).
  func evaluation(clipProbabilities: [[Float]], clips: [ClipFacts], skipped: [DataIssue]) -> SoundEvaluation {
    let decisions = clipProbabilities.map { decide($0) }
    let actual = clips.map(\.label)
    let metrics = ClassificationMetrics(predicted: decisions, actual: actual, classCount: labels.count, labels: labels)
    var auc: Double? = nil, binary: BinaryMetrics? = nil
    if labels.count == 2 {
      let positive = positiveIndex ?? 1
      let scores = clipProbabilities.map { $0[positive] }
      let positives = actual.map { $0 == positive }
      auc = rocAUC(scores: scores, positives: positives)
      if let threshold { binary = BinaryMetrics(scores: scores, positives: positives, threshold: threshold) }
    }
    let predictions = zip(clips, zip(clipProbabilities, decisions)).map { clip, pd in
      ClipPrediction(path: clip.path, label: labels[pd.1], labelIndex: pd.1, probabilities: pd.0, labels: labels,
                     patches: clip.patchCount, positiveScore: positiveIndex.map { pd.0[$0] }, actual: labels[clip.label])
    }
    return SoundEvaluation(metrics: metrics, rocAUC: auc, positiveLabel: positiveLabel, threshold: threshold,
                           binary: binary, predictions: predictions, skipped: skipped)
  }
}
