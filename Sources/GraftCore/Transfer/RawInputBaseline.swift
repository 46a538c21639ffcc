import Foundation

/// "Did the transfer pay?": a cheap model on the raw inputs, fitted on the same training split
/// and scored on the same validation split as the transfer model, printed beside it by every
/// `train` command. Each modality turns its inputs into a fixed vector (images: downsampled
/// pixels; sounds: the clip's mean and spread of each log-mel band; texts: TF-IDF of words and
/// word pairs) and this fits L2-regularised softmax regression on it with `LinearHeadSolver`
/// (standardised features, λ chosen on the validation split's log-loss — the same rule as the
/// transfer model's exact head, so neither side is tuned more than the other; classes weighted
/// when imbalanced).
public struct BaselineComparison: Sendable, Equatable, Codable, CustomStringConvertible {
  /// What the baseline is, e.g. "logistic regression on 16×16 pixels".
  public var name: String
  public var featureCount: Int
  public var trainCount: Int
  public var validationCount: Int
  /// On the validation split.
  public var accuracy: Double
  public var macroF1: Double
  /// The chosen L2 strength (λ on the mean loss).
  public var l2: Double

  public init(name: String, featureCount: Int, trainCount: Int, validationCount: Int, accuracy: Double, macroF1: Double,
              l2: Double) {
    self.name = name
    self.featureCount = featureCount
    self.trainCount = trainCount
    self.validationCount = validationCount
    self.accuracy = accuracy
    self.macroF1 = macroF1
    self.l2 = l2
  }

  public var description: String {
    String(format: "%@ (%d features): accuracy %.4f, macro-F1 %.4f on the same %d validation items", name,
           featureCount, accuracy, macroF1, validationCount)
  }

  /// One line comparing `transferAccuracy` with this baseline: whether the transfer paid.
  public func verdict(transferAccuracy: Double) -> String {
    let gap = (transferAccuracy - accuracy) * 100
    let word = gap > 0.5 ? "paid" : gap < -0.5 ? "did not pay" : "made no difference"
    return String(format: "transfer %@: %.4f vs %.4f for the baseline (%+.1f points)", word, transferAccuracy, accuracy, gap)
  }

  enum CodingKeys: String, CodingKey {
    case name, accuracy, l2
    case featureCount = "features", trainCount = "train_count", validationCount = "validation_count"
    case macroF1 = "macro_f1"
  }
}

public enum RawInputBaseline {
  /// Fits the baseline on `train` ([n, d] raw-input vectors) and scores it on `validation`; nil
  /// when either split is empty or the training rows hold fewer than two classes.
  public static func fit(name: String, train: Tensor, trainLabels: [Int], validation: Tensor, validationLabels: [Int],
                         classCount: Int, labels: [String]? = nil) -> BaselineComparison? {
    precondition(train.rank == 2 && validation.rank == 2 && train.shape[1] == validation.shape[1],
                 "RawInputBaseline: features \(train.shape) and \(validation.shape)")
    guard train.shape[0] > 0, validation.shape[0] > 0, Set(trainLabels).count >= 2 else { return nil }
    let fit = LinearHeadSolver(maxIterations: 200).fit(train: train, labels: trainLabels,
                                                       validation: (validation, validationLabels), classCount: classCount)
    let predicted = predict(validation, weight: fit.weight, bias: fit.bias)
    let metrics = ClassificationMetrics(predicted: predicted, actual: validationLabels, classCount: classCount, labels: labels)
    return BaselineComparison(name: name, featureCount: train.shape[1], trainCount: train.shape[0],
                              validationCount: validation.shape[0], accuracy: metrics.accuracy, macroF1: metrics.macroF1,
                              l2: fit.l2)
  }

  /// `fit` for sparse inputs (texts' TF-IDF over every word and word pair): the same softmax
  /// regression and the same rule for λ (`LinearHeadSolver.defaultGrid`, strongest first, warm
  /// started, chosen by the validation split's log-loss; classes weighted as `LinearHeadSolver`
  /// weights them), on the features as given — no standardisation, which would make them dense.
  public static func fit(name: String, train: SparseRows, trainLabels: [Int], validation: SparseRows,
                         validationLabels: [Int], classCount: Int, labels: [String]? = nil) -> BaselineComparison? {
    fitSparse(name: name, train: train, trainLabels: trainLabels, validation: validation,
              validationLabels: validationLabels, classCount: classCount, labels: labels)?.comparison
  }

  /// `fit(name:train:…)` on sparse rows, with the chosen model's parameters: W [k, d] then b [k]
  /// (`SparseSoftmaxRegression`'s layout), for a caller that keeps the baseline as a model.
  public static func fitSparse(name: String, train: SparseRows, trainLabels: [Int], validation: SparseRows,
                               validationLabels: [Int], classCount: Int, labels: [String]? = nil)
    -> (comparison: BaselineComparison, parameters: [Double])? {
    precondition(train.columns == validation.columns, "RawInputBaseline: \(train.columns) and \(validation.columns) columns")
    guard train.count > 0, validation.count > 0, Set(trainLabels).count >= 2 else { return nil }
    let weights = LinearHeadSolver().classWeights(trainLabels, classCount: classCount)
    let lbfgs = LBFGS(maxIterations: 200, gradientTolerance: 1e-5, relativeTolerance: 1e-9)
    var problem = SparseSoftmaxRegression(x: train, classCount: classCount, labels: trainLabels, classWeights: weights,
                                          l2: 0)
    let scored = LinearHeadSolver.walkGrid(LinearHeadSolver.defaultGrid, parameterCount: problem.parameterCount) {
      l2, start in
      problem.l2 = l2
      let result = lbfgs.minimize(from: start, problem.valueAndGradient)
      let s = SparseSoftmaxRegression.score(validation, labels: validationLabels, classCount: classCount,
                                            parameters: result.x)
      return (result.x, (loss: s.loss, l2: l2, predicted: s.predicted, parameters: result.x), s.loss)
    }
    let best = scored.min { $0.loss < $1.loss || ($0.loss == $1.loss && $0.l2 > $1.l2) }!
    let metrics = ClassificationMetrics(predicted: best.predicted, actual: validationLabels, classCount: classCount,
                                        labels: labels)
    return (BaselineComparison(name: name, featureCount: train.columns, trainCount: train.count,
                               validationCount: validation.count, accuracy: metrics.accuracy, macroF1: metrics.macroF1,
                               l2: best.l2), best.parameters)
  }

  /// argmax of x·Wᵀ + b per row.
  static func predict(_ x: Tensor, weight: Tensor, bias: Tensor) -> [Int] {
    let n = x.shape[0], d = x.shape[1], k = weight.shape[0]
    return (0..<n).map { i in
      let row = x.data + i * d
      var best = 0, bestValue = -Float.infinity
      for c in 0..<k {
        let w = weight.data + c * d
        var s = bias.data[c]
        for j in 0..<d { s += w[j] * row[j] }
        if s > bestValue { bestValue = s; best = c }
      }
      return best
    }
  }

  /// The rows `indices` of the [n, d] tensor `x`.
  public static func rows(_ x: Tensor, _ indices: [Int]) -> Tensor { LinearHeadSolver.rows(x, indices) }

  /// Stacks equal-length vectors into an [n, d] tensor (d: `width` when there are none).
  public static func matrix(_ rows: [[Float]], width: Int) -> Tensor {
    let out = Tensor(uninitializedShape: [rows.count, width])
    for (i, r) in rows.enumerated() {
      precondition(r.count == width, "RawInputBaseline.matrix: a row of \(r.count) values, expected \(width)")
      for j in 0..<width { out.data[i * width + j] = r[j] }
    }
    return out
  }
}
