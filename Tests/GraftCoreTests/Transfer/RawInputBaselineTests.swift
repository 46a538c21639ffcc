import GraftCore
import Testing

@Suite struct RawInputBaselineTests {
  /// Two classes that differ in the sign of feature 1 (feature 0 is noise): the baseline finds it.
  @Test func fitsSeparableDataAndScoresTheValidationSplit() throws {
    var g = Generator(seed: 5)
    func rows(_ n: Int) -> (Tensor, [Int]) {
      let labels = (0..<n).map { $0 % 2 }
      let x = Tensor(shape: [n, 2], labels.flatMap { [g.uniform(-1, 1), ($0 == 1 ? 1 : -1) * g.uniform(0.2, 1)] })
      return (x, labels)
    }
    let (x, y) = rows(40), (vx, vy) = rows(20)
    let result = try #require(RawInputBaseline.fit(name: "test", train: x, trainLabels: y, validation: vx,
                                                   validationLabels: vy, classCount: 2))
    #expect(result.accuracy == 1 && result.macroF1 == 1)
    #expect(result.featureCount == 2 && result.trainCount == 40 && result.validationCount == 20)
    // Labels swapped on validation: the same model now gets everything wrong.
    let swapped = try #require(RawInputBaseline.fit(name: "test", train: x, trainLabels: y, validation: vx,
                                                    validationLabels: vy.map { 1 - $0 }, classCount: 2))
    #expect(swapped.accuracy == 0)
  }

  @Test func nothingToCompareWithoutValidationOrWithOneClass() {
    let x = Tensor(shape: [4, 1], [0, 1, 2, 3])
    #expect(RawInputBaseline.fit(name: "t", train: x, trainLabels: [0, 1, 0, 1], validation: Tensor.zeros([0, 1]),
                                 validationLabels: [], classCount: 2) == nil)
    #expect(RawInputBaseline.fit(name: "t", train: x, trainLabels: [0, 0, 0, 0], validation: x,
                                 validationLabels: [0, 1, 0, 1], classCount: 2) == nil)
  }

  @Test func verdictSaysWhetherTheTransferPaid() {
    let b = BaselineComparison(name: "b", featureCount: 1, trainCount: 1, validationCount: 1, accuracy: 0.8, macroF1: 0.8, l2: 1)
    #expect(b.verdict(transferAccuracy: 0.9).hasPrefix("transfer paid: 0.9000 vs 0.8000") && b.verdict(transferAccuracy: 0.9).contains("+10.0 points"))
    #expect(b.verdict(transferAccuracy: 0.7).hasPrefix("transfer did not pay"))
    #expect(b.verdict(transferAccuracy: 0.802).hasPrefix("transfer made no difference"))
  }
}
