// Binary-classification metrics from scores: ROC curve, ROC AUC, average precision and the choice
// of a decision threshold. They match scikit-learn 1.9 (checked by Tools/fixtures/metrics.py).
//
// Conventions shared by every function here:
// * `scores[i]` is any score that grows with confidence in the positive class (a probability, a
//   logit, or a margin). `positives[i]` says whether example `i` is actually positive. Both have
//   length N and no score is NaN (a precondition: NaN has no place in a ranking).
// * A threshold `t` predicts "positive" when `score >= t`, as sklearn does.
// * Equal scores form one step of the curve. They are never split in an arbitrary order, so
//   tied scores count half, as with average ranks.
// * A quantity that needs both classes is nil when one of them is absent (this includes empty
//   input), where sklearn would warn and return NaN or raise an error.

/// One point of a ROC curve: the rates obtained by predicting positive when `score >= threshold`.
///
/// In JSON, an infinite threshold (the curve's first point) is written as `null`, because JSON has
/// no infinity and `JSONEncoder` would throw. `null` decodes back to `+infinity`.
public struct ROCPoint: Codable, Sendable, Equatable {
  /// False-positive rate, fp / negatives.
  public var fpr: Double
  /// True-positive rate (recall), tp / positives.
  public var tpr: Double
  /// Predict positive when `score >= threshold`; `+infinity` for the first point.
  public var threshold: Float

  public init(fpr: Double, tpr: Double, threshold: Float) {
    self.fpr = fpr; self.tpr = tpr; self.threshold = threshold
  }

  enum CodingKeys: String, CodingKey { case fpr, tpr, threshold }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(fpr, forKey: .fpr)
    try c.encode(tpr, forKey: .tpr)
    try c.encode(threshold.isFinite ? threshold : nil, forKey: .threshold)
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    fpr = try c.decode(Double.self, forKey: .fpr)
    tpr = try c.decode(Double.self, forKey: .tpr)
    threshold = try c.decodeIfPresent(Float.self, forKey: .threshold) ?? .infinity
  }
}

/// The ROC curve, as
/// [`sklearn.metrics.roc_curve`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.roc_curve.html)
/// with `drop_intermediate=False`.
///
/// The first point is `(0, 0, +infinity)`. It is followed by one point per *distinct* score, from
/// the highest score to the lowest, so the last point is `(1, 1, min(scores))`. Collinear points
/// are kept (that is what `drop_intermediate=False` means), so each distinct score has a point
/// with its exact counts. The result has at most N + 1 points.
///
/// - Returns: nil when `positives` lacks either class, because one of the rates would then be 0/0.
public func rocCurve(scores: [Float], positives: [Bool]) -> [ROCPoint]? {
  let sweep = BinarySweep(scores: scores, positives: positives, "rocCurve")
  guard sweep.hasBothClasses else { return nil }
  let p = Double(sweep.positives), n = Double(sweep.negatives)
  var points = [ROCPoint(fpr: 0, tpr: 0, threshold: .infinity)]
  points.reserveCapacity(sweep.thresholds.count + 1)
  for k in sweep.thresholds.indices {
    points.append(ROCPoint(fpr: Double(sweep.falsePositives[k]) / n,
                           tpr: Double(sweep.truePositives[k]) / p, threshold: sweep.thresholds[k]))
  }
  return points
}

/// Area under the ROC curve, as
/// [`sklearn.metrics.roc_auc_score`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.roc_auc_score.html)
/// for binary labels.
///
/// It is the trapezoid area under `rocCurve`. That equals the probability that a random positive
/// scores above a random negative, with ties counting ½ (the Mann–Whitney U / (P·N), which uses
/// average ranks). The sum is taken in integers (twice the area times P·N), so the only rounding
/// is the final division. Example: scores [0.1, 0.4, 0.35, 0.8] with positives [F, F, T, T] order
/// 3 of the 4 positive–negative pairs correctly, so the AUC is 0.75.
///
/// - Returns: nil when `positives` lacks either class (sklearn raises an error there).
public func rocAUC(scores: [Float], positives: [Bool]) -> Double? {
  let sweep = BinarySweep(scores: scores, positives: positives, "rocAUC")
  guard sweep.hasBothClasses else { return nil }
  var twiceArea = 0  // Σ Δfp · (tp_k + tp_{k−1}), in units of 1/(P·N)
  var fp0 = 0, tp0 = 0
  for k in sweep.thresholds.indices {
    let fp = sweep.falsePositives[k], tp = sweep.truePositives[k]
    twiceArea += (fp - fp0) * (tp + tp0)
    fp0 = fp; tp0 = tp
  }
  return Double(twiceArea) / (2 * Double(sweep.positives) * Double(sweep.negatives))
}

/// Average precision: `Σ_k (R_k − R_{k−1}) · P_k` over the distinct scores from highest to lowest,
/// where `P_k` and `R_k` are the precision and recall at threshold `k` (with `R_0 = 0`), as
/// [`sklearn.metrics.average_precision_score`](https://scikit-learn.org/stable/modules/generated/sklearn.metrics.average_precision_score.html).
/// It is a step sum, not an interpolated area.
///
/// - Returns: nil when there is no positive example (recall is 0/0). Where sklearn warns and
///   returns 0, this returns nil. With no negatives the value is 1.
public func averagePrecision(scores: [Float], positives: [Bool]) -> Double? {
  let sweep = BinarySweep(scores: scores, positives: positives, "averagePrecision")
  guard sweep.positives > 0 else { return nil }
  var sum = 0.0
  var tp0 = 0
  for k in sweep.thresholds.indices {
    let tp = sweep.truePositives[k], fp = sweep.falsePositives[k]
    sum += Double(tp - tp0) * (Double(tp) / Double(tp + fp))
    tp0 = tp
  }
  return sum / Double(sweep.positives)
}

/// How `bestThreshold` ranks the candidate thresholds.
public enum ThresholdCriterion: String, Codable, Sendable, CaseIterable {
  /// Youden's J: the largest `tpr − fpr` (the ROC point farthest above the diagonal).
  case youden
  /// The largest F1 of the positive class.
  case f1

  /// Whether `a` and `b` (the same scores and labels at two thresholds) rank equal by this
  /// criterion, compared exactly in integers as `bestThreshold` does.
  public func ties(_ a: BinaryMetrics, _ b: BinaryMetrics) -> Bool {
    let p = a.truePositives + a.falseNegatives, n = a.falsePositives + a.trueNegatives
    precondition(p == b.truePositives + b.falseNegatives && n == b.falsePositives + b.trueNegatives,
                 "ThresholdCriterion.ties: metrics of different label sets")
    switch self {
    case .youden: return a.truePositives * n - a.falsePositives * p == b.truePositives * n - b.falsePositives * p
    case .f1:
      return 2 * a.truePositives * (b.truePositives + b.falsePositives + p)
        == 2 * b.truePositives * (a.truePositives + a.falsePositives + p)
    }
  }
}

/// The confusion counts of a binary decision `score >= threshold`, with the usual rates derived
/// from them. Zero division gives 0, as in `ClassificationMetrics`.
public struct BinaryMetrics: Sendable, Equatable {
  /// Predict positive when `score >= threshold`.
  public let threshold: Float
  public let truePositives: Int
  public let falsePositives: Int
  public let trueNegatives: Int
  public let falseNegatives: Int

  public init(threshold: Float, truePositives: Int, falsePositives: Int, trueNegatives: Int,
              falseNegatives: Int) {
    precondition(truePositives >= 0 && falsePositives >= 0 && trueNegatives >= 0 && falseNegatives >= 0,
                 "BinaryMetrics: negative count")
    self.threshold = threshold
    self.truePositives = truePositives; self.falsePositives = falsePositives
    self.trueNegatives = trueNegatives; self.falseNegatives = falseNegatives
  }

  /// Counts the decisions `scores[i] >= threshold` against `positives`.
  public init(scores: [Float], positives: [Bool], threshold: Float) {
    precondition(scores.count == positives.count,
                 "BinaryMetrics: \(scores.count) scores for \(positives.count) labels")
    var tp = 0, fp = 0, tn = 0, fn = 0
    for (s, positive) in zip(scores, positives) {
      switch (s >= threshold, positive) {
      case (true, true): tp += 1
      case (true, false): fp += 1
      case (false, false): tn += 1
      case (false, true): fn += 1
      }
    }
    self.init(threshold: threshold, truePositives: tp, falsePositives: fp, trueNegatives: tn,
              falseNegatives: fn)
  }

  public var count: Int { truePositives + falsePositives + trueNegatives + falseNegatives }
  /// tp / (tp + fp).
  public var precision: Double { metricRatio(truePositives, truePositives + falsePositives) }
  /// tp / (tp + fn), also called the true-positive rate or sensitivity.
  public var recall: Double { metricRatio(truePositives, truePositives + falseNegatives) }
  /// fp / (fp + tn).
  public var falsePositiveRate: Double { metricRatio(falsePositives, falsePositives + trueNegatives) }
  /// tn / (tn + fp) = 1 − false-positive rate (0 with no negatives).
  public var specificity: Double { metricRatio(trueNegatives, falsePositives + trueNegatives) }
  /// 2·tp / (2·tp + fp + fn).
  public var f1: Double {
    metricRatio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives)
  }
  /// (tp + tn) / count.
  public var accuracy: Double { metricRatio(truePositives + trueNegatives, count) }
  /// Youden's J = recall − false-positive rate.
  public var youdenJ: Double { recall - falsePositiveRate }
}

extension BinaryMetrics: Codable {
  enum CodingKeys: String, CodingKey {
    case threshold, tp, fp, tn, fn, precision, recall, fpr, f1, accuracy
    case youdenJ = "youden_j"
  }

  /// Writes the threshold, the four counts (`tp`, `fp`, `tn`, `fn`) and the derived `precision`,
  /// `recall`, `fpr`, `f1`, `accuracy` and `youden_j`. The threshold must be finite
  /// (`JSONEncoder` rejects infinity), and `bestThreshold` always returns a finite one.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(threshold, forKey: .threshold)
    try c.encode(truePositives, forKey: .tp)
    try c.encode(falsePositives, forKey: .fp)
    try c.encode(trueNegatives, forKey: .tn)
    try c.encode(falseNegatives, forKey: .fn)
    try c.encode(precision, forKey: .precision)
    try c.encode(recall, forKey: .recall)
    try c.encode(falsePositiveRate, forKey: .fpr)
    try c.encode(f1, forKey: .f1)
    try c.encode(accuracy, forKey: .accuracy)
    try c.encode(youdenJ, forKey: .youdenJ)
  }

  /// Reads the threshold and the four counts. The derived rates are recomputed.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let counts = try [CodingKeys.tp, .fp, .tn, .fn].map { try c.decode(Int.self, forKey: $0) }
    guard counts.allSatisfy({ $0 >= 0 }) else {
      throw DecodingError.dataCorruptedError(forKey: .tp, in: c, debugDescription: "negative count")
    }
    self.init(threshold: try c.decode(Float.self, forKey: .threshold), truePositives: counts[0],
              falsePositives: counts[1], trueNegatives: counts[2], falseNegatives: counts[3])
  }
}

/// The decision threshold that maximises `criterion`, with the metrics it gives.
///
/// The candidates are the distinct scores, so the returned threshold is always one of the scores
/// and is finite. "Predict nothing" (+infinity) is never chosen. When several thresholds reach the
/// maximum, the highest one wins, because it is the most conservative. Candidates are compared
/// exactly, in integer arithmetic, so two thresholds that tie on paper also tie here. One sort
/// and one sweep: O(N log N).
///
/// - Returns: nil when `positives` lacks either class, because neither criterion then ranks
///   anything.
public func bestThreshold(scores: [Float], positives: [Bool],
                          criterion: ThresholdCriterion) -> BinaryMetrics? {
  let sweep = BinarySweep(scores: scores, positives: positives, "bestThreshold")
  guard sweep.hasBothClasses else { return nil }
  let p = sweep.positives, n = sweep.negatives
  // Is candidate k strictly better than candidate j? Exact integer comparisons.
  func better(_ k: Int, than j: Int) -> Bool {
    let tpK = sweep.truePositives[k], fpK = sweep.falsePositives[k]
    let tpJ = sweep.truePositives[j], fpJ = sweep.falsePositives[j]
    switch criterion {
    case .youden:
      // J = tp/P − fp/N = (tp·N − fp·P) / (P·N), and P·N is the same for every candidate.
      return tpK * n - fpK * p > tpJ * n - fpJ * p
    case .f1:
      // F1 = 2tp / (2tp + fp + fn) = 2tp / (tp + fp + P), where fn = P − tp; compare a/b > c/d
      // as a·d > c·b (denominators are ≥ P > 0; products stay below 2·P·(N + P)).
      return 2 * tpK * (tpJ + fpJ + p) > 2 * tpJ * (tpK + fpK + p)
    }
  }
  var best = 0
  for k in sweep.thresholds.indices.dropFirst() where better(k, than: best) { best = k }
  let tp = sweep.truePositives[best], fp = sweep.falsePositives[best]
  return BinaryMetrics(threshold: sweep.thresholds[best], truePositives: tp, falsePositives: fp,
                       trueNegatives: n - fp, falseNegatives: p - tp)
}

/// Cumulative counts at each distinct score, highest first: the points of sklearn's
/// `_binary_clf_curve`. `truePositives[k]` and `falsePositives[k]` count the examples with
/// `score >= thresholds[k]`.
struct BinarySweep {
  var thresholds: [Float] = []     // [K] distinct scores, descending
  var truePositives: [Int] = []    // [K]
  var falsePositives: [Int] = []   // [K]
  var positives = 0
  var negatives = 0

  var hasBothClasses: Bool { positives > 0 && negatives > 0 }

  init(scores: [Float], positives isPositive: [Bool], _ caller: String) {
    precondition(scores.count == isPositive.count,
                 "\(caller): \(scores.count) scores for \(isPositive.count) labels")
    precondition(!scores.contains { $0.isNaN }, "\(caller): NaN score")
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var tp = 0, fp = 0
    for (rank, i) in order.enumerated() {
      if isPositive[i] { tp += 1 } else { fp += 1 }
      // Close a step after the last example of each run of equal scores.
      if rank == order.count - 1 || scores[order[rank + 1]] != scores[i] {
        thresholds.append(scores[i])
        truePositives.append(tp)
        falsePositives.append(fp)
      }
    }
    positives = tp
    negatives = fp
  }
}
