import Foundation

/// Fits a linear head on a frozen base's cached features exactly, instead of running a fixed
/// number of SGD/Adam epochs: what Create ML does for its image feature-print heads and what
/// scikit-learn's `LogisticRegressionCV` does.
///
/// 1. Features are standardised (mean 0, variance 1 per feature, statistics of the training rows).
/// 2. Softmax regression (`SoftmaxRegression`) is minimised to convergence with L-BFGS for each
///    L2 strength λ of `l2Grid`, strongest first, each fit warm-started from the previous one.
/// 3. λ is chosen by the validation split's log-loss; without one, by stratified k-fold
///    cross-validation on the training rows. A validation split with fewer than
///    `minimumValidationPerClass` rows in one of the training classes is too small to choose λ
///    on: λ is then chosen by k-fold cross-validation over the training and validation rows
///    together, and the head is still fitted on the training rows only, so the validation
///    metrics the caller reports stay held out (λ is one number; the validation rows' part in
///    choosing it is the same as when λ is chosen on them alone). The final head is refitted on
///    all training rows — and, in that tiny-split case, `TransferRecipe` refits it on the
///    training and validation rows together once the split has served every decision (`refit`).
/// 4. The standardisation is folded into the head (W' = W / σ, b' = b − W'·μ), so the result is
///    an ordinary `Linear` layer over raw features and bundles need nothing new.
///
/// Class weights (`ClassWeighting.auto`): when the largest class has at least 1.5× the examples of
/// the smallest, each class is weighted n / (k · n_c) (scikit-learn's "balanced"); otherwise all 1.
public struct LinearHeadSolver: Sendable, Equatable {
  public enum ClassWeighting: String, Sendable, Equatable, Codable {
    case auto, none, balanced
  }

  /// L2 strengths tried, strongest first (λ on the mean loss; scikit-learn's C is 1 / (λ·n)).
  public var l2Grid: [Double]
  public var classWeighting: ClassWeighting
  /// Folds for choosing λ when there is no validation split.
  public var folds: Int
  public var maxIterations: Int
  /// Below this many validation rows in the smallest training class, λ is chosen by
  /// cross-validation over the training and validation rows together (0: always on validation).
  /// See `defaultMinimumValidationPerClass` for the measurements behind the default.
  public var minimumValidationPerClass: Int
  /// When λ was chosen over both splits (a tiny validation split), refit the head on the
  /// training and validation rows once every decision is taken (`refit`; `TransferRecipe` does it).
  public var refitsTinyValidation: Bool

  public init(l2Grid: [Double] = LinearHeadSolver.defaultGrid, classWeighting: ClassWeighting = .auto, folds: Int = 3,
              maxIterations: Int = 300,
              minimumValidationPerClass: Int = LinearHeadSolver.defaultMinimumValidationPerClass,
              refitsTinyValidation: Bool = true) {
    precondition(!l2Grid.isEmpty && l2Grid.allSatisfy { $0 >= 0 }, "LinearHeadSolver: L2 grid \(l2Grid)")
    precondition(folds >= 2 && maxIterations >= 1, "LinearHeadSolver: folds \(folds), iterations \(maxIterations)")
    precondition(minimumValidationPerClass >= 0, "LinearHeadSolver: minimum \(minimumValidationPerClass) per class")
    self.l2Grid = l2Grid
    self.classWeighting = classWeighting
    self.folds = folds
    self.maxIterations = maxIterations
    self.minimumValidationPerClass = minimumValidationPerClass
    self.refitsTinyValidation = refitsTinyValidation
  }

  /// The validation rows per class below which λ is chosen by cross-validation over the
  /// training and validation rows together. At the CLI's 20 % split that is under about 50
  /// images per class, where validation log-loss rests on a handful of rows per class. Measured
  /// on CIFAR-10 with the ImageNet MobileNetV2 (docs/BENCHMARKS.md): test accuracy within 0.3
  /// points of choosing on the split itself at 10 per class (2 per class held out), and the same
  /// λ at 50 per class with the threshold at 20 — the rule is a variance guard that costs
  /// nothing, not a gain; what limits 10 per class is the 2 images per class held out.
  public static let defaultMinimumValidationPerClass = 10

  /// 10, 3, 1, 0.3, …, 1e-5: thirteen strengths, half a decade apart.
  public static let defaultGrid: [Double] = (0..<13).map { i in 10 * pow10(-Double(i) / 2) }

  static func pow10(_ e: Double) -> Double { exp(e * log(10)) }

  /// One λ tried, and its validation (or cross-validation) score.
  public struct Trial: Sendable, Equatable, Codable {
    public var l2: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var iterations: Int

    enum CodingKeys: String, CodingKey {
      case l2, iterations
      case validationLoss = "validation_loss", validationAccuracy = "validation_accuracy"
    }
  }

  public struct Fit {
    /// [k, d], standardisation folded in.
    public var weight: Tensor
    /// [k]
    public var bias: Tensor
    public var l2: Double
    public var trials: [Trial]
    /// How λ was chosen: "validation", "3-fold cross-validation" (no validation split) or
    /// "3-fold cross-validation over training and validation rows (…)" (a tiny validation split).
    public var selection: String
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var iterations: Int
    public var converged: Bool
    public var classWeights: [Float]?
    /// λ was chosen by cross-validation over the training and validation rows (a tiny split).
    public var choseOverBothSplits: Bool = false
    /// Set by `refit`: the training and validation rows the head was refitted on.
    public var refittedOn: (train: Int, validation: Int)? = nil
  }

  /// Fits a head for `classCount` classes on `train` ([n, d] features, labels), choosing λ on
  /// `validation` when given.
  public func fit(train: Tensor, labels: [Int], validation: (features: Tensor, labels: [Int])?, classCount: Int) -> Fit {
    precondition(train.rank == 2 && train.shape[0] == labels.count && train.shape[0] > 0,
                 "LinearHeadSolver: features \(train.shape) for \(labels.count) labels")
    let n = train.shape[0], d = train.shape[1], k = classCount
    let (mean, scale) = Self.standardisation(train)
    let xs = Self.standardised(train, mean: mean, scale: scale)
    let weights = classWeights(labels, classCount: k)
    let lbfgs = LBFGS(maxIterations: maxIterations, gradientTolerance: 1e-5, relativeTolerance: 1e-9)

    var trials: [Trial] = []
    let selection: String
    var pooledSelection = false
    let validationPerClass = validation.map { Self.smallestClassCount($0.labels, presentIn: labels, classCount: k) }
    if let validation, let perClass = validationPerClass, perClass < minimumValidationPerClass,
       validation.labels.count > 0 {
      // Too few validation rows to choose λ on: cross-validate over both sets' rows.
      pooledSelection = true
      let vs = Self.standardised(validation.features, mean: mean, scale: scale)
      let pooled = Tensor.concat([xs, vs], axis: 0)
      let foldCount = min(folds, pooled.shape[0])
      selection = "\(foldCount)-fold cross-validation over training and validation rows "
        + "(validation has \(perClass) per class, under \(minimumValidationPerClass))"
      trials = crossValidate(pooled, labels: labels + validation.labels, classCount: k, weights: weights, lbfgs: lbfgs)
    } else if let validation, validation.labels.count > 0 {
      selection = "validation"
      let vs = Self.standardised(validation.features, mean: mean, scale: scale)
      trials = Self.walkGrid(l2Grid, parameterCount: k * d + k) { l2, start in
        let problem = SoftmaxRegression(x: UnsafePointer(xs.data), count: n, featureCount: d, classCount: k,
                                        labels: labels, classWeights: weights, l2: l2)
        let result = lbfgs.minimize(from: start, problem.valueAndGradient)
        let s = SoftmaxRegression.score(UnsafePointer(vs.data), rows: vs.shape[0], labels: validation.labels,
                                        featureCount: d, classCount: k, parameters: result.x.map { Float($0) })
        return (result.x, Trial(l2: l2, validationLoss: s.loss, validationAccuracy: s.accuracy,
                                iterations: result.iterations), s.loss)
      }
    } else {
      selection = "\(min(folds, n))-fold cross-validation"
      trials = crossValidate(xs, labels: labels, classCount: k, weights: weights, lbfgs: lbfgs)
    }
    let best = trials.min { $0.validationLoss < $1.validationLoss || ($0.validationLoss == $1.validationLoss && $0.l2 > $1.l2) }!
    return finalFit(xs, mean: mean, scale: scale, labels: labels, weights: weights, l2: best.l2, classCount: k,
                    lbfgs: lbfgs, trials: trials, selection: selection, choseOverBothSplits: pooledSelection)
  }

  /// Fits along `grid` (strongest first), each fit warm-started from the previous one's
  /// parameters and scored by its validation loss; past the best, three worse strengths in a row
  /// end the walk (the curve is U-shaped). Returns the scores of the strengths fitted, in order.
  /// Shared by the dense head (`fit`) and the sparse baseline (`RawInputBaseline`).
  static func walkGrid<Score>(_ grid: [Double], parameterCount: Int,
                              _ fitAt: (_ l2: Double, _ start: [Double]) -> (parameters: [Double], score: Score, loss: Double))
    -> [Score] {
    var start = [Double](repeating: 0, count: parameterCount)
    var scores: [Score] = []
    var best = Double.infinity, worse = 0
    for l2 in grid {
      let fitted = fitAt(l2, start)
      start = fitted.parameters
      scores.append(fitted.score)
      if fitted.loss <= best {
        best = fitted.loss
        worse = 0
      } else {
        worse += 1
        if worse >= 3 { break }
      }
    }
    return scores
  }

  /// The head of `fit` refitted with the same λ on the training and validation rows together
  /// (standardised by both), as scikit-learn's `LogisticRegressionCV(refit=True)` fits its final
  /// model on every row. `TransferRecipe` does this only when `fit` chose λ over both splits
  /// (`Fit.choseOverBothSplits`: the validation split was too small to choose on) and
  /// `refitsTinyValidation` is on, after every decision that reads the validation split has been
  /// taken: at 10 images per class, 2 held out per class are worth more as training images than
  /// as a measurement (CIFAR-10 with the ImageNet MobileNetV2, docs/BENCHMARKS.md).
  public func refit(_ fit: Fit, train: Tensor, labels: [Int], validation: (features: Tensor, labels: [Int]),
                    classCount: Int) -> Fit {
    precondition(train.rank == 2 && validation.features.rank == 2 && train.shape[1] == validation.features.shape[1],
                 "LinearHeadSolver.refit: features \(train.shape) and \(validation.features.shape)")
    let pooled = Tensor.concat([train, validation.features], axis: 0)
    let pooledLabels = labels + validation.labels
    let (mean, scale) = Self.standardisation(pooled)
    let xs = Self.standardised(pooled, mean: mean, scale: scale)
    let lbfgs = LBFGS(maxIterations: maxIterations, gradientTolerance: 1e-5, relativeTolerance: 1e-9)
    var result = finalFit(xs, mean: mean, scale: scale, labels: pooledLabels,
                          weights: classWeights(pooledLabels, classCount: classCount), l2: fit.l2,
                          classCount: classCount, lbfgs: lbfgs, trials: fit.trials, selection: fit.selection,
                          choseOverBothSplits: fit.choseOverBothSplits)
    result.refittedOn = (train: labels.count, validation: validation.labels.count)
    return result
  }

  /// The head at `l2` on the standardised rows `xs`, warm-started along the grid down to it, with
  /// the standardisation folded in.
  func finalFit(_ xs: Tensor, mean: [Float], scale: [Float], labels: [Int], weights: [Float]?, l2 chosen: Double,
                classCount k: Int, lbfgs: LBFGS, trials: [Trial], selection: String, choseOverBothSplits: Bool) -> Fit {
    let n = xs.shape[0], d = xs.shape[1]
    var start = [Double](repeating: 0, count: k * d + k)
    var final: LBFGS.Result! = nil
    let problemFor = { (l2: Double) in
      SoftmaxRegression(x: UnsafePointer(xs.data), count: n, featureCount: d, classCount: k, labels: labels,
                        classWeights: weights, l2: l2)
    }
    for l2 in l2Grid where l2 >= chosen {
      final = lbfgs.minimize(from: start, problemFor(l2).valueAndGradient)
      start = final.x
    }
    if final == nil { final = lbfgs.minimize(from: start, problemFor(chosen).valueAndGradient) }
    let parameters = final.x.map { Float($0) }
    let trainScore = SoftmaxRegression.score(UnsafePointer(xs.data), rows: n, labels: labels, featureCount: d,
                                             classCount: k, parameters: parameters)
    // Fold the standardisation into the head.
    let weight = Tensor(uninitializedShape: [k, d])
    let bias = Tensor(uninitializedShape: [k])
    for c in 0..<k {
      var b = Double(parameters[k * d + c])
      for j in 0..<d {
        let w = parameters[c * d + j] / scale[j]
        weight.data[c * d + j] = w
        b -= Double(w) * Double(mean[j])
      }
      bias.data[c] = Float(b)
    }
    return Fit(weight: weight, bias: bias, l2: chosen, trials: trials, selection: selection, trainLoss: trainScore.loss,
               trainAccuracy: trainScore.accuracy, iterations: final.iterations, converged: final.converged,
               classWeights: weights, choseOverBothSplits: choseOverBothSplits)
  }

  /// The weights of `classWeighting` (nil: all 1).
  public func classWeights(_ labels: [Int], classCount k: Int) -> [Float]? {
    var counts = [Int](repeating: 0, count: k)
    for y in labels { counts[y] += 1 }
    let present = counts.filter { $0 > 0 }
    switch classWeighting {
    case .none: return nil
    case .auto:
      guard let lo = present.min(), let hi = present.max(), Double(hi) >= 1.5 * Double(lo) else { return nil }
    case .balanced: break
    }
    return counts.map { $0 == 0 ? 0 : Float(labels.count) / Float(present.count * $0) }
  }

  /// The fewest rows of `labels` in any class that `reference` has (0 when one is missing).
  static func smallestClassCount(_ labels: [Int], presentIn reference: [Int], classCount k: Int) -> Int {
    var counts = [Int](repeating: 0, count: k), present = [Bool](repeating: false, count: k)
    for y in labels where y >= 0 && y < k { counts[y] += 1 }
    for y in reference where y >= 0 && y < k { present[y] = true }
    return (0..<k).filter { present[$0] }.map { counts[$0] }.min() ?? 0
  }

  /// Stratified k-fold: every fold's validation loss for each λ (mean over folds).
  func crossValidate(_ xs: Tensor, labels: [Int], classCount k: Int, weights: [Float]?, lbfgs: LBFGS) -> [Trial] {
    let n = xs.shape[0], d = xs.shape[1]
    let foldCount = min(folds, n)
    var fold = [Int](repeating: 0, count: n)
    var seen = [Int](repeating: 0, count: k)
    for i in 0..<n { fold[i] = seen[labels[i]] % foldCount; seen[labels[i]] += 1 }
    var sums = [(loss: Double, accuracy: Double, iterations: Int)](repeating: (0, 0, 0), count: l2Grid.count)
    for f in 0..<foldCount {
      let trainRows = (0..<n).filter { fold[$0] != f }, heldRows = (0..<n).filter { fold[$0] == f }
      guard !trainRows.isEmpty, !heldRows.isEmpty else { continue }
      let xt = Self.rows(xs, trainRows), xh = Self.rows(xs, heldRows)
      var start = [Double](repeating: 0, count: k * d + k)
      for (g, l2) in l2Grid.enumerated() {
        let problem = SoftmaxRegression(x: UnsafePointer(xt.data), count: trainRows.count, featureCount: d,
                                        classCount: k, labels: trainRows.map { labels[$0] }, classWeights: weights, l2: l2)
        let result = lbfgs.minimize(from: start, problem.valueAndGradient)
        start = result.x
        let s = SoftmaxRegression.score(UnsafePointer(xh.data), rows: heldRows.count, labels: heldRows.map { labels[$0] },
                                        featureCount: d, classCount: k, parameters: result.x.map { Float($0) })
        sums[g].loss += s.loss * Double(heldRows.count) / Double(n)
        sums[g].accuracy += s.accuracy * Double(heldRows.count) / Double(n)
        sums[g].iterations += result.iterations
      }
    }
    return zip(l2Grid, sums).map {
      Trial(l2: $0, validationLoss: $1.loss, validationAccuracy: $1.accuracy, iterations: $1.iterations)
    }
  }

  static func rows(_ x: Tensor, _ indices: [Int]) -> Tensor {
    let d = x.shape[1]
    let out = Tensor(uninitializedShape: [indices.count, d])
    for (r, i) in indices.enumerated() { (out.data + r * d).update(from: x.data + i * d, count: d) }
    return out
  }

  /// Per-feature mean and standard deviation (1 where a feature is constant).
  static func standardisation(_ x: Tensor) -> (mean: [Float], scale: [Float]) {
    let n = x.shape[0], d = x.shape[1]
    var mean = [Double](repeating: 0, count: d), sq = [Double](repeating: 0, count: d)
    for i in 0..<n {
      let row = x.data + i * d
      for j in 0..<d { let v = Double(row[j]); mean[j] += v; sq[j] += v * v }
    }
    var scale = [Float](repeating: 1, count: d)
    for j in 0..<d {
      mean[j] /= Double(n)
      let variance = max(sq[j] / Double(n) - mean[j] * mean[j], 0)
      let s = variance.squareRoot()
      scale[j] = s > 1e-6 * max(1, abs(mean[j])) ? Float(s) : 1
    }
    return (mean.map { Float($0) }, scale)
  }

  static func standardised(_ x: Tensor, mean: [Float], scale: [Float]) -> Tensor {
    let n = x.shape[0], d = x.shape[1]
    let out = Tensor(uninitializedShape: [n, d])
    for i in 0..<n {
      let src = x.data + i * d, dst = out.data + i * d
      for j in 0..<d { dst[j] = (src[j] - mean[j]) / scale[j] }
    }
    return out
  }
}

/// What the exact head fit did, for reports, `--json` and bundles' training facts.
public struct HeadFitSummary: Sendable, Equatable, Codable, CustomStringConvertible {
  public var l2: Double
  public var selection: String
  public var trials: [LinearHeadSolver.Trial]
  public var iterations: Int
  public var converged: Bool
  public var classWeighted: Bool
  /// The rows (training + validation) the final head was refitted on, when it was
  /// (`LinearHeadSolver.refit`); the validation metrics are then those of the head before.
  public var refittedOn: Int? = nil

  public init(_ fit: LinearHeadSolver.Fit) {
    l2 = fit.l2
    selection = fit.selection
    trials = fit.trials
    iterations = fit.iterations
    converged = fit.converged
    classWeighted = fit.classWeights != nil
    refittedOn = fit.refittedOn.map { $0.train + $0.validation }
  }

  public var description: String {
    let lambda = l2 >= 0.01 ? String(format: "%.3g", l2) : String(format: "%.1e", l2)
    return "softmax regression fitted by L-BFGS (\(converged ? "converged" : "stopped") after \(iterations) iterations), "
      + "L2 \(lambda) chosen among \(trials.count) strengths by log-loss on \(selection)"
      + (classWeighted ? ", classes weighted n/(k·n_c)" : "")
      + (refittedOn.map { "; then refitted with that L2 on all \($0) training and validation rows" } ?? "")
  }

  enum CodingKeys: String, CodingKey {
    case l2, selection, trials, iterations, converged
    case classWeighted = "class_weighted", refittedOn = "refitted_on"
  }
}
