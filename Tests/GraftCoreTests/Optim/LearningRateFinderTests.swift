import Foundation
import GraftCore
import Testing
import _GraftTestSupport

extension Optim {
  @Suite struct LearningRateFinderTests {
    struct Boom: Error {}

    @Test func sweepIsExponentialAndIncludesBothEnds() {
      let finder = LearningRateFinder(start: 1e-6, end: 1, steps: 7)
      var seen: [Float] = []
      let result = finder.run { lr in seen.append(lr); return 1 }
      #expect(seen.count == 7 && result.points.count == 7 && !result.stoppedEarly)
      for (i, lr) in seen.enumerated() {
        assertClose([lr * 1e6], [Float(pow(10, Double(i)))], tolerance: 1e-6, "step \(i)")
      }
      #expect(seen.first == 1e-6)
      #expect(result.points.map(\.learningRate) == seen)
      let defaults = LearningRateFinder()
      #expect(defaults.start == 1e-7 && defaults.end == 10 && defaults.steps == 100 && defaults.smoothing == 0.98)
      #expect(defaults.divergenceFactor == 4)
    }

    @Test func smoothedLossIsBiasCorrected() {
      let losses: [Float] = [2, 1, 1.5, 0.5, 0.75, 0.25]
      var next = 0
      let result = LearningRateFinder(steps: losses.count, smoothing: 0.9).run { _ in next += 1; return losses[next - 1] }
      // Reference: avg_i = 0.9·avg_{i−1} + 0.1·loss_i; smoothed_i = avg_i / (1 − 0.9^(i+1)).
      var average = 0.0
      for (i, point) in result.points.enumerated() {
        average = 0.9 * average + 0.1 * Double(losses[i])
        let expected = Float(average / (1 - pow(0.9, Double(i + 1))))
        #expect(point.smoothedLoss == expected, "step \(i)")
        #expect(point.loss == losses[i])
      }
      #expect(result.points.first?.smoothedLoss == 2)  // bias correction makes the first value the loss itself
      #expect(result.curve.map(\.loss) == result.points.map(\.smoothedLoss))
    }

    @Test func stopsWhenTheSmoothedLossExceedsFourTimesTheBest() {
      // No smoothing: the smoothed loss is the loss. Best 1.0; 4.0 is not above 4×, 4.5 is.
      let losses: [Float] = [3, 1, 2, 4, 4.5, 1, 1]
      var calls = 0
      let result = LearningRateFinder(steps: losses.count, smoothing: 0).run { _ in calls += 1; return losses[calls - 1] }
      #expect(calls == 5)
      #expect(result.points.map(\.loss) == [3, 1, 2, 4, 4.5])  // the diverging step is recorded
      #expect(result.stoppedEarly)
    }

    @Test func nonFiniteLossStopsWithoutBeingRecorded() {
      var calls = 0
      let result = LearningRateFinder(steps: 10, smoothing: 0).run { _ in calls += 1; return calls == 3 ? .nan : 1 }
      #expect(calls == 3 && result.points.count == 2 && result.stoppedEarly)
    }

    @Test func restoreRunsOnceHoweverTheSweepEnds() {
      var restores = 0
      _ = LearningRateFinder(steps: 5).run(restore: { restores += 1 }) { _ in 1 }
      #expect(restores == 1)
      #expect(throws: Boom.self) {
        try LearningRateFinder(steps: 5).run(restore: { restores += 1 }) { _ in throw Boom() }
      }
      #expect(restores == 2)
    }

    @Test func snapshotRestoresParametersGradientsOptimizerStateAndLearningRates() throws {
      let w = Tensor(shape: [3], [1, -2, 0.5], requiresGrad: true)
      let b = Tensor(shape: [1], [0.25], requiresGrad: true)
      let optimizer = Adam(groups: [ParameterGroup([w], learningRate: 1e-3), ParameterGroup([b], learningRate: 1e-4)])
      // One real step first, so there is state worth keeping.
      w.grad = Tensor(shape: [3], [0.1, 0.2, 0.3])
      optimizer.step()
      w.grad = nil
      let values = [w.scalars, b.scalars]
      let state = optimizer.stateTensors().mapValues(\.scalars)

      let result = LearningRateFinder(start: 1e-4, end: 1, steps: 20)
        .run(restore: LearningRateFinder.snapshot([w, b], optimizer: optimizer)) { lr in
          for i in optimizer.groups.indices { optimizer.groups[i].learningRate = lr }
          optimizer.zeroGradients()
          let loss = (w * w).sum() + (b * b).sum()
          loss.backward()
          optimizer.step()
          return loss.item
        }
      #expect(result.points.count > 2)
      #expect([w.scalars, b.scalars] == values)
      #expect(w.grad == nil && b.grad == nil)
      #expect(optimizer.stateTensors().mapValues(\.scalars) == state)
      #expect(optimizer.learningRates == [1e-3, 1e-4])
    }

    /// A sweep over 31 learning rates from 1e-4 to 1 (ratio 10^(2/15) per step) with a scripted,
    /// unsmoothed loss: flat, one big drop between steps 12 and 13, a minimum at step 20, then a rise.
    func scriptedResult() -> LearningRateFinderResult {
      var losses = [Float](repeating: 3, count: 31)
      for i in 0..<31 {
        switch i {
        case ..<10: losses[i] = 3 - Float(i) * 0.01
        case 10...12: losses[i] = 2.8 - Float(i - 10) * 0.1
        case 13...20: losses[i] = 1.5 - Float(i - 13) * 0.1
        default: losses[i] = 0.8 + Float(i - 20) * 0.1
        }
      }
      // The first 3 (31 / 10) and the last 5 points are left out of the suggestions; put
      // steeper drops and lower values there to prove it.
      losses[1] = 0.1
      losses[28] = 0.05
      var i = 0
      return LearningRateFinder(start: 1e-4, end: 1, steps: 31, smoothing: 0, divergenceFactor: 1000)
        .run { _ in i += 1; return losses[i - 1] }
    }

    @Test func suggestsTheSteepestDescentAndAMinimumOverTen() {
      let result = scriptedResult()
      let lrs = result.points.map(\.learningRate)
      #expect(result.steepest == lrs[12])
      #expect(result.suggestion == lrs[12])
      #expect(result.minimumOverTen == lrs[20] / 10)
      // A loss that only rises has no steepest descent.
      var k: Float = 0
      let rising = LearningRateFinder(steps: 30, smoothing: 0, divergenceFactor: 1e9).run { _ in k += 1; return k }
      #expect(rising.steepest == nil)
      #expect(rising.suggestion == rising.minimumOverTen)
    }

    @Test func plotDrawsTheCurveAndTheSuggestions() {
      let result = scriptedResult()
      let text = result.plot(width: 31, height: 8)
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
      // "loss", 8 plot rows, the axis, the ^ marker, the x labels, the summary, and the final newline.
      #expect(lines.count == 14, "\(text)")
      #expect(lines[0].hasSuffix("loss"))
      #expect(lines[1].hasPrefix("3.000 |"))  // the highest loss (step 0) labels the top row
      #expect(lines[8].hasPrefix("0.050 |"))
      let rows = lines[1...8].map { $0.split(separator: "|", maxSplits: 1)[1] }
      #expect(rows.allSatisfy { $0.count == 31 })
      #expect(rows.map { $0.filter { $0 == "*" }.count }.reduce(0, +) <= 31)
      // One point per column: 31 points over 31 columns, first and last column filled.
      for column in [0, 30] { #expect(rows.contains { Array($0)[column] == "*" }, "column \(column)") }
      #expect(lines[9].hasSuffix("+" + String(repeating: "-", count: 31)))
      let caret = lines[10].firstIndex(of: "^").map { lines[10].distance(from: lines[10].startIndex, to: $0) }
      #expect(caret == 7 + 12)  // label width 5 + " |", then column 12
      #expect(lines[11].contains("1.0e-04") && lines[11].contains("1.0e+00"))
      // Steepest: step 12, 1e-4 · 10^(4·12/30) = 10^−2.4; minimum: step 20, 10^(−4/3), over ten.
      #expect(lines[12] == "steepest: 4.0e-03   minimum/10: 4.6e-03")
      #expect(lines[13] == "")
    }
  }
}
