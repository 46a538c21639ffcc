import Foundation
@testable import GraftCore
import Testing
import _GraftTestSupport

@Suite struct LinearHeadSolverTests {
  @Test func lbfgsMinimisesRosenbrock() {
    let result = LBFGS(maxIterations: 500, gradientTolerance: 1e-8).minimize(from: [-1.2, 1]) { p in
      let (x, y) = (p[0], p[1])
      let f = 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x)
      return (f, [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)])
    }
    #expect(result.converged)
    #expect(abs(result.x[0] - 1) < 1e-4 && abs(result.x[1] - 1) < 1e-4, "minimum at \(result.x)")
  }

  /// The analytic gradient of the weighted, penalised objective against central differences.
  @Test func softmaxRegressionGradientMatchesFiniteDifferences() {
    var g = Generator(seed: 3)
    let x = Tensor.randomNormal([7, 4], using: &g)
    let problem = SoftmaxRegression(x: UnsafePointer(x.data), count: 7, featureCount: 4, classCount: 3,
                                    labels: [0, 1, 2, 0, 1, 2, 2], classWeights: [1, 2, 0.5], l2: 0.3)
    let p = (0..<problem.parameterCount).map { Double($0 % 5) * 0.1 - 0.2 }
    Self.expectGradientMatchesFiniteDifferences(problem.valueAndGradient, at: p, step: 1e-3, tolerance: 1e-3)
  }

  /// Central differences of `objective`'s value against its gradient, one parameter at a time.
  static func expectGradientMatchesFiniteDifferences(_ objective: ([Double]) -> (Double, [Double]), at p: [Double],
                                                     step: Double, tolerance: Double,
                                                     sourceLocation: SourceLocation = #_sourceLocation) {
    let (_, gradient) = objective(p)
    for i in 0..<p.count {
      var plus = p, minus = p
      plus[i] += step
      minus[i] -= step
      let numeric = (objective(plus).0 - objective(minus).0) / (2 * step)
      #expect(abs(numeric - gradient[i]) < tolerance, "parameter \(i): \(gradient[i]) vs \(numeric)",
              sourceLocation: sourceLocation)
    }
  }

  /// The sparse objective (raw-input baselines on TF-IDF rows): its gradient against finite
  /// differences, and its value equal to the dense objective on the same matrix.
  @Test func sparseSoftmaxRegressionMatchesTheDenseOneAndFiniteDifferences() {
    var g = Generator(seed: 4)
    let dense = Tensor.zeros([6, 5])
    var sparse = SparseRows(columns: 5)
    for i in 0..<6 {
      var entries: [(column: Int, value: Float)] = []
      for j in 0..<5 where g.int(below: 3) == 0 || j == i % 5 {
        let v = g.uniform(-1, 1)
        dense.data[i * 5 + j] = v
        entries.append((j, v))
      }
      sparse.append(entries.reversed())  // any column order
    }
    let labels = [0, 1, 2, 0, 1, 2], weights: [Float] = [1, 2, 0.5]
    let problem = SparseSoftmaxRegression(x: sparse, classCount: 3, labels: labels, classWeights: weights, l2: 0.3)
    let reference = SoftmaxRegression(x: UnsafePointer(dense.data), count: 6, featureCount: 5, classCount: 3,
                                      labels: labels, classWeights: weights, l2: 0.3)
    let p = (0..<problem.parameterCount).map { Double($0 % 7) * 0.1 - 0.3 }
    let (value, gradient) = problem.valueAndGradient(p)
    let (denseValue, denseGradient) = reference.valueAndGradient(p)
    #expect(abs(value - denseValue) < 1e-5 && zip(gradient, denseGradient).allSatisfy { abs($0 - $1) < 1e-5 })
    Self.expectGradientMatchesFiniteDifferences(problem.valueAndGradient, at: p, step: 1e-4, tolerance: 1e-6)
    // Scoring: the argmax and mean log-loss of the same parameters.
    let s = SparseSoftmaxRegression.score(sparse, labels: labels, classCount: 3, parameters: p)
    let dz = SoftmaxRegression.score(UnsafePointer(dense.data), rows: 6, labels: labels, featureCount: 5, classCount: 3,
                                     parameters: p.map { Float($0) })
    #expect(abs(s.loss - dz.loss) < 1e-5 && abs(s.accuracy - dz.accuracy) < 1e-9)
  }

  /// Folding the standardisation into the head: raw features through the returned Linear weights
  /// give the probabilities of the standardised problem, and a clear task is learnt.
  @Test func foldedHeadOnRawFeaturesSeparatesClasses() throws {
    var g = Generator(seed: 11)
    let n = 120, d = 5
    let labels = (0..<n).map { $0 % 3 }
    let x = Tensor.randomNormal([n, d], using: &g)
    for i in 0..<n {  // class signal on feature 0 and 1, on a large offset and scale
      x.data[i * d] = x.data[i * d] * 0.5 + Float(labels[i]) * 3 + 100
      x.data[i * d + 1] = x.data[i * d + 1] * 40 + Float(labels[i] == 1 ? 120 : 0)
    }
    let train = LinearHeadSolver.rows(x, Array(0..<90)), held = LinearHeadSolver.rows(x, Array(90..<n))
    let fit = LinearHeadSolver().fit(train: train, labels: Array(labels[0..<90]),
                                     validation: (held, Array(labels[90...])), classCount: 3)
    let heldScore = SoftmaxRegression.score(UnsafePointer(held.data), rows: 30, labels: Array(labels[90...]),
                                            featureCount: d, classCount: 3, parameters: fit.weight.scalars + fit.bias.scalars)
    #expect(heldScore.accuracy >= 0.95, "held-out accuracy \(heldScore.accuracy)")
    #expect(fit.selection == "validation" && fit.trials.count >= 4, "\(fit.trials)")
    let best = fit.trials.min { $0.validationLoss < $1.validationLoss }!
    #expect(best.l2 == fit.l2)
  }

  @Test func crossValidationWithoutValidationSplitAndBalancedWeights() {
    var g = Generator(seed: 5)
    let labels = (0..<60).map { $0 < 45 ? 0 : 1 }  // 45 vs 15: imbalanced, weights on
    let x = Tensor.randomNormal([60, 3], using: &g)
    for i in 0..<60 { x.data[i * 3] += labels[i] == 1 ? 2.5 : 0 }
    let solver = LinearHeadSolver()
    let weights = try! #require(solver.classWeights(labels, classCount: 2))
    #expect(abs(weights[0] - 60.0 / 90) < 1e-6 && abs(weights[1] - 2) < 1e-6)
    #expect(solver.classWeights((0..<60).map { $0 % 2 }, classCount: 2) == nil)  // balanced data: no weights
    let fit = solver.fit(train: x, labels: labels, validation: nil, classCount: 2)
    #expect(fit.selection == "3-fold cross-validation")
    #expect(fit.trials.count == LinearHeadSolver.defaultGrid.count)
    #expect(fit.trainAccuracy > 0.85, "train accuracy \(fit.trainAccuracy)")
  }
}
