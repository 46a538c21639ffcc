/// Loss and accuracy accumulated over the batches of an epoch, for the progress bar and history.
///
/// Each `add` costs O(batch size) and allocates nothing. Create it with a `classCount` and it also
/// fills a confusion matrix, so one pass over a validation split yields the mean loss and the full
/// `ClassificationMetrics`:
///
/// ```swift
/// var running = RunningMetrics(classCount: labels.count)
/// for batch in batches {
///   let logits = model(batch.inputs)
///   let loss = crossEntropy(logits: logits, labels: batch.labels)
///   running.add(loss: loss.item, logits: logits, actual: batch.labels)
///   bar.advance(batch.labels.count, fields: running.progressFields)
/// }
/// let metrics = running.classificationMetrics(labels: labels)
/// ```
public struct RunningMetrics: Sendable, Equatable {
  /// Σ over batches of (batch mean loss × batch size), in Double.
  public private(set) var lossSum: Double = 0
  /// Examples seen so far.
  public private(set) var count = 0
  /// Examples whose prediction equalled the actual class.
  public private(set) var correct = 0
  /// The number of classes of the confusion matrix, or nil when none is kept.
  public let classCount: Int?
  /// `[C * C]`, row-major `[actual][predicted]`; empty when `classCount` is nil.
  private var confusionCounts: [Int]

  /// - Parameter classCount: keep a `classCount × classCount` confusion matrix too (for
  ///   `classificationMetrics`). Without it, predictions are only compared for accuracy, and any
  ///   integers may be used as classes.
  public init(classCount: Int? = nil) {
    if let classCount { precondition(classCount > 0, "RunningMetrics: classCount \(classCount)") }
    self.classCount = classCount
    confusionCounts = [Int](repeating: 0, count: (classCount ?? 0) * (classCount ?? 0))
  }

  /// Adds one batch of `count` examples.
  /// - Parameters:
  ///   - loss: the batch's *mean* loss (as `crossEntropy` returns with mean reduction). It is
  ///     weighted by `count`, so a short last batch counts for what it holds.
  ///   - predicted: the `count` predicted classes.
  ///   - actual: the `count` actual classes.
  public mutating func add(loss: Float, count: Int, predicted: [Int], actual: [Int]) {
    precondition(predicted.count == count && actual.count == count,
                 "RunningMetrics.add: count \(count), \(predicted.count) predicted, \(actual.count) actual")
    lossSum += Double(loss) * Double(count)
    self.count += count
    if let c = classCount {
      for (p, a) in zip(predicted, actual) {
        precondition(p >= 0 && p < c && a >= 0 && a < c,
                     "RunningMetrics.add: predicted \(p), actual \(a) outside 0..<\(c)")
        confusionCounts[a * c + p] += 1
        if p == a { correct += 1 }
      }
    } else {
      for (p, a) in zip(predicted, actual) where p == a { correct += 1 }
    }
  }

  /// Adds one batch from its `[N, C]` logits (or probabilities). The prediction is each row's
  /// argmax (`Tensor.argmax(axis:)`), and N is the batch size.
  public mutating func add(loss: Float, logits: Tensor, actual: [Int]) {
    precondition(logits.rank == 2, "RunningMetrics.add: logits must be [N, C], got \(logits.shape)")
    add(loss: loss, count: logits.shape[0], predicted: logits.argmax(axis: 1), actual: actual)
  }

  /// Mean loss per example so far; 0 before the first example.
  public var meanLoss: Double { count == 0 ? 0 : lossSum / Double(count) }
  /// Fraction correct so far; 0 before the first example.
  public var accuracy: Double { metricRatio(correct, count) }

  /// Text for `ProgressBar.advance(fields:)`: `"loss 0.4123 acc 87.5%"`.
  public var progressFields: String {
    "loss \(fixedPoint(meanLoss, digits: 4)) acc \(fixedPoint(accuracy * 100, digits: 1))%"
  }

  /// The full metrics of everything added so far, or nil when created without a `classCount`.
  /// With no examples added, this gives the all-zero metrics that `ClassificationMetrics` documents.
  public func classificationMetrics(labels: [String]? = nil) -> ClassificationMetrics? {
    guard let c = classCount else { return nil }
    let rows = (0..<c).map { Array(confusionCounts[$0 * c ..< ($0 + 1) * c]) }
    return ClassificationMetrics(confusion: rows, labels: labels)
  }

  /// The sums of every rank's metrics (one collective), identical on every rank: loss sum,
  /// count, correct and the confusion counts (a data-parallel epoch's figures).
  public func summed(over group: any ProcessGroup) -> RunningMetrics {
    guard group.size > 1 else { return self }
    let totals = group.sum([lossSum, Double(count), Double(correct)] + confusionCounts.map(Double.init))
    var out = self
    out.lossSum = totals[0]
    out.count = Int(totals[1])
    out.correct = Int(totals[2])
    out.confusionCounts = totals.dropFirst(3).map { Int($0) }
    return out
  }

  /// Forgets every batch; keeps `classCount`.
  public mutating func reset() { self = RunningMetrics(classCount: classCount) }
}

/// `x` rounded to `digits` decimals, always written with exactly that many (`0.5` → `"0.5000"`).
/// Non-finite or huge values fall back to Swift's own description.
private func fixedPoint(_ x: Double, digits: Int) -> String {
  var scale = 1
  for _ in 0..<digits { scale *= 10 }
  let scaled = (x.magnitude * Double(scale)).rounded()
  guard x.isFinite, scaled < 9e15 else { return "\(x)" }
  let n = Int(scaled)
  let sign = x < 0 && n != 0 ? "-" : ""
  guard digits > 0 else { return sign + String(n) }
  let fraction = String(n % scale)
  return sign + String(n / scale) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}
