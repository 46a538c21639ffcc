import Foundation
import GraftCore
import Testing

/// Expects every element of `actual` within `tolerance` of `expected` (absolute).
private func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12,
                         _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) values",
          sourceLocation: sourceLocation)
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    #expect(Swift.abs(a - e) <= tolerance, "\(what)[\(i)]: \(a) vs \(e)", sourceLocation: sourceLocation)
  }
}

private func expectClose(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-12,
                         _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
  guard let actual else {
    Issue.record("\(what): nil, expected \(expected)", sourceLocation: sourceLocation)
    return
  }
  #expect(Swift.abs(actual - expected) <= tolerance, "\(what): \(actual) vs \(expected)",
          sourceLocation: sourceLocation)
}

/// `[tp, fp, tn, fn]`.
private func counts(_ m: BinaryMetrics) -> [Int] {
  [m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives]
}

/// Encodes `value` and parses the JSON back into Foundation objects.
private func jsonObject(_ value: some Encodable) throws -> [String: Any] {
  let data = try JSONEncoder().encode(value)
  return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

@Suite struct ClassificationMetricsTests {
  // Worked by hand, three classes (rows actual, columns predicted):
  //   actual    0 0 0 0 1 1 2 2 2
  //   predicted 0 0 1 2 1 1 2 0 1
  //   confusion [[2,1,1],[0,2,0],[1,1,1]]; support (row sums) [4,2,3]; predicted (column sums) [3,4,2]
  //   tp [2,2,1] → precision [2/3, 2/4, 1/2], recall [2/4, 2/2, 1/3],
  //   f1 = 2tp/(support + predicted) = [4/7, 4/6, 2/5]; accuracy 5/9
  //   macro P = (2/3 + 1/2 + 1/2)/3 = 5/9, macro R = (1/2 + 1 + 1/3)/3 = 11/18,
  //   macro F1 = (4/7 + 2/3 + 2/5)/3 = 172/315, weighted F1 = (4·4/7 + 2·2/3 + 3·2/5)/9 = 506/945.
  // sklearn 1.9.1 gives the same (precision_recall_fscore_support, f1_score(average="weighted")).
  @Test func threeClassesByHand() {
    let m = ClassificationMetrics(predicted: [0, 0, 1, 2, 1, 1, 2, 0, 1],
                                  actual: [0, 0, 0, 0, 1, 1, 2, 2, 2], classCount: 3)
    #expect(m.confusion == [[2, 1, 1], [0, 2, 0], [1, 1, 1]])
    #expect(m.support == [4, 2, 3])
    #expect(m.count == 9)
    #expect(m.labels == ["0", "1", "2"])
    #expect(m.classCount == 3)
    expectClose([m.accuracy], [5.0 / 9], "accuracy")
    expectClose(m.precision, [2.0 / 3, 0.5, 0.5], "precision")
    expectClose(m.recall, [0.5, 1, 1.0 / 3], "recall")
    expectClose(m.f1, [4.0 / 7, 2.0 / 3, 0.4], "f1")
    expectClose([m.macroPrecision, m.macroRecall, m.macroF1, m.weightedF1],
                [5.0 / 9, 11.0 / 18, 172.0 / 315, 506.0 / 945], "macro P, R, F1, weighted F1")
  }

  // Class 2 is never predicted: precision 0/0 → 0 (zero_division=0), recall 0/2 = 0, F1 0.
  // Class 1: tp 1, predicted 3 → P 1/3, R 1/1, F1 2/(1+3) = 1/2. Class 0: all 1.
  @Test func classNeverPredictedHasZeroPrecision() {
    let m = ClassificationMetrics(predicted: [0, 1, 1, 1], actual: [0, 1, 2, 2], classCount: 3)
    #expect(m.confusion == [[1, 0, 0], [0, 1, 0], [0, 2, 0]])
    expectClose(m.precision, [1, 1.0 / 3, 0], "precision")
    expectClose(m.recall, [1, 1, 0], "recall")
    expectClose(m.f1, [1, 0.5, 0], "f1")
    expectClose([m.macroPrecision, m.macroF1], [4.0 / 9, 0.5], "macro P, F1")
    #expect(!m.precision.contains { $0.isNaN })
  }

  // classCount 4, but classes 2 and 3 occur in neither actual nor predicted: the macro averages
  // run over classes 0 and 1 only (sklearn's default labels), 2/3 rather than (2/3 + 2/3)/4.
  // A class that is predicted but never occurs still counts, with recall and F1 0.
  @Test func macroAveragesSkipUnseenClassesOnly() {
    let m = ClassificationMetrics(predicted: [0, 1, 0], actual: [0, 1, 1], classCount: 4)
    expectClose(m.f1, [2.0 / 3, 2.0 / 3, 0, 0], "f1")
    expectClose([m.macroPrecision, m.macroRecall, m.macroF1], [0.75, 0.75, 2.0 / 3], "macro")
    let predictedOnly = ClassificationMetrics(predicted: [0, 1], actual: [0, 0], classCount: 2)
    expectClose(predictedOnly.f1, [2.0 / 3, 0], "f1")
    expectClose([predictedOnly.macroF1, predictedOnly.macroRecall], [1.0 / 3, 0.25], "macro F1, R")
    expectClose([predictedOnly.weightedF1], [2.0 / 3], "weighted F1")
  }

  @Test func perfectPredictions() {
    let labels = [2, 0, 1, 1, 2, 0, 2]
    let m = ClassificationMetrics(predicted: labels, actual: labels, classCount: 3,
                                  labels: ["cat", "dog", "bird"])
    #expect(m.confusion == [[2, 0, 0], [0, 2, 0], [0, 0, 3]])
    #expect(m.accuracy == 1 && m.macroF1 == 1 && m.weightedF1 == 1)
    #expect(m.precision == [1, 1, 1] && m.recall == [1, 1, 1] && m.f1 == [1, 1, 1])
    #expect(m.perClass.map(\.label) == ["cat", "dog", "bird"])
    #expect(m.perClass.map(\.support) == [2, 2, 3])
  }

  @Test func emptyInputGivesZeros() {
    let m = ClassificationMetrics(predicted: [], actual: [], classCount: 2)
    #expect(m.count == 0)
    #expect(m.confusion == [[0, 0], [0, 0]])
    #expect([m.accuracy, m.macroPrecision, m.macroRecall, m.macroF1, m.weightedF1] == [0, 0, 0, 0, 0])
    #expect(m.precision == [0, 0] && m.recall == [0, 0] && m.f1 == [0, 0] && m.support == [0, 0])
  }

  @Test func fromScoresUsesRowArgmax() {
    // Row argmaxes: 2, 0, 1, 1 (from logits; softmax would not change them).
    let logits = Tensor(shape: [4, 3], [0.1, 0.2, 0.9, 3, -1, 0, 0, 5, 4, -2, -1, -3])
    let m = ClassificationMetrics(scores: logits, actual: [2, 0, 0, 1])
    #expect(m.confusion == [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    #expect(m == ClassificationMetrics(scores: softmax(logits, axis: 1), actual: [2, 0, 0, 1]))
    #expect(confusionMatrix(predicted: [2, 0, 1, 1], actual: [2, 0, 0, 1], classCount: 3) == m.confusion)
  }

  @Test(arguments: MetricsFixture.shared.classification)
  func matchesSklearn(_ c: MetricsFixture.Classification) {
    let m = ClassificationMetrics(predicted: c.predicted, actual: c.actual, classCount: c.classCount)
    #expect(m.confusion == c.confusion, "\(c.name)")
    #expect(m.support == c.support, "\(c.name)")
    expectClose(m.precision, c.precision, "\(c.name) precision")
    expectClose(m.recall, c.recall, "\(c.name) recall")
    expectClose(m.f1, c.f1, "\(c.name) f1")
    expectClose([m.accuracy, m.macroPrecision, m.macroRecall, m.macroF1, m.weightedF1],
                [c.accuracy, c.macroPrecision, c.macroRecall, c.macroF1, c.weightedF1],
                "\(c.name) accuracy, macro P/R/F1, weighted F1")
    // The same metrics from the confusion matrix alone.
    #expect(ClassificationMetrics(confusion: c.confusion) == m, "\(c.name)")
  }

  @Test func jsonShapeIsTheCLIContract() throws {
    let m = ClassificationMetrics(predicted: [0, 1, 1, 1], actual: [0, 1, 2, 2], classCount: 3,
                                  labels: ["cat", "dog", "bird"])
    let json = try jsonObject(m)
    #expect(Set(json.keys) == ["count", "accuracy", "macro_f1", "macro_precision", "macro_recall",
                               "weighted_f1", "labels", "confusion", "per_class"])
    #expect(json["accuracy"] as? Double == 0.5)
    #expect(json["macro_f1"] as? Double == m.macroF1)
    #expect(json["weighted_f1"] as? Double == m.weightedF1)
    #expect(json["count"] as? Int == 4)
    #expect(json["labels"] as? [String] == ["cat", "dog", "bird"])
    #expect(json["confusion"] as? [[Int]] == [[1, 0, 0], [0, 1, 0], [0, 2, 0]])
    let perClass = try #require(json["per_class"] as? [[String: Any]])
    #expect(perClass.count == 3)
    #expect(perClass.allSatisfy { Set($0.keys) == ["label", "precision", "recall", "f1", "support"] })
    #expect(perClass.map { $0["label"] as? String } == ["cat", "dog", "bird"])
    #expect(perClass.map { $0["support"] as? Int } == [1, 1, 2])
    #expect(perClass.map { $0["f1"] as? Double } == [1, 0.5, 0])
    #expect(perClass[1]["precision"] as? Double == 1.0 / 3)
    #expect(perClass[1]["recall"] as? Double == 1)

    let decoded = try JSONDecoder().decode(ClassificationMetrics.self, from: JSONEncoder().encode(m))
    #expect(decoded == m)
  }

  @Test func decodingRejectsABadMatrix() {
    let bad = #"{"labels": ["a", "b"], "confusion": [[1, 2], [3]]}"#
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(ClassificationMetrics.self, from: Data(bad.utf8))
    }
    let negative = #"{"labels": ["a"], "confusion": [[-1]]}"#
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(ClassificationMetrics.self, from: Data(negative.utf8))
    }
  }
}

@Suite struct BinaryMetricsTests {
  // sklearn's roc_auc_score doc example. Positives score 0.35 and 0.8, negatives 0.1 and 0.4:
  // of the 4 (positive, negative) pairs, only (0.35, 0.4) is misordered → AUC 3/4.
  // The curve steps down through the distinct scores 0.8, 0.4, 0.35, 0.1:
  // (tp, fp) = (1, 0), (1, 1), (2, 1), (2, 2) over P = N = 2.
  static let docScores: [Float] = [0.1, 0.4, 0.35, 0.8]
  static let docPositives = [false, false, true, true]

  @Test func sklearnDocExampleByHand() throws {
    #expect(rocAUC(scores: Self.docScores, positives: Self.docPositives) == 0.75)
    let curve = try #require(rocCurve(scores: Self.docScores, positives: Self.docPositives))
    #expect(curve.map(\.fpr) == [0, 0, 0.5, 0.5, 1])
    #expect(curve.map(\.tpr) == [0, 0.5, 0.5, 1, 1])
    #expect(curve.map(\.threshold) == [.infinity, 0.8, 0.4, 0.35, 0.1])
    // AP = Σ ΔR·P: 0.5·(1/1) + 0·(1/2) + 0.5·(2/3) + 0·(2/4) = 5/6.
    expectClose(averagePrecision(scores: Self.docScores, positives: Self.docPositives), 5.0 / 6, "AP")
  }

  // Ties: positives both score 0.7; negatives score 0.3, 0.7, 0.1. Each positive beats 2 negatives
  // and ties 1 (counted ½), so AUC = (2.5 + 2.5) / (2·3) = 5/6. Breaking the tie either way would
  // give 1 or 2/3 instead. The tied scores form one step: (fp, tp) jumps from (0, 0) to (1/3, 1).
  @Test func tiesCountHalf() throws {
    let scores: [Float] = [0.3, 0.7, 0.7, 0.7, 0.1]
    let positives = [false, true, true, false, false]
    expectClose(rocAUC(scores: scores, positives: positives), 5.0 / 6, "AUC")
    let curve = try #require(rocCurve(scores: scores, positives: positives))
    #expect(curve.map(\.threshold) == [.infinity, 0.7, 0.3, 0.1])
    expectClose(curve.map(\.fpr), [0, 1.0 / 3, 2.0 / 3, 1], "fpr")
    #expect(curve.map(\.tpr) == [0, 1, 1, 1])
    // All scores equal: one step from (0, 0) to (1, 1), AUC ½.
    #expect(rocAUC(scores: [2, 2, 2], positives: [true, false, false]) == 0.5)
  }

  @Test func oneClassGivesNil() {
    #expect(rocAUC(scores: [0.2, 0.9], positives: [true, true]) == nil)
    #expect(rocAUC(scores: [0.2, 0.9], positives: [false, false]) == nil)
    #expect(rocAUC(scores: [], positives: []) == nil)
    #expect(rocCurve(scores: [0.2, 0.9], positives: [false, false]) == nil)
    #expect(bestThreshold(scores: [0.2, 0.9], positives: [true, true], criterion: .f1) == nil)
    #expect(bestThreshold(scores: [], positives: [], criterion: .youden) == nil)
    #expect(averagePrecision(scores: [0.2, 0.9], positives: [false, false]) == nil)
    #expect(averagePrecision(scores: [0.2, 0.9], positives: [true, true]) == 1)
  }

  // Candidates for the doc example (positive iff score ≥ t):
  //   t     tp fp   J = tp/2 − fp/2   F1 = 2tp/(2tp + fp + fn)
  //   0.8    1  0   0.5               2/3
  //   0.4    1  1   0                 1/2
  //   0.35   2  1   0.5               4/5
  //   0.1    2  2   0                 2/3
  // Youden ties between 0.8 and 0.35; the highest threshold wins. Max F1 is at 0.35.
  @Test func thresholdChoiceByHand() throws {
    let youden = try #require(bestThreshold(scores: Self.docScores, positives: Self.docPositives,
                                            criterion: .youden))
    #expect(youden.threshold == 0.8)
    #expect(counts(youden) == [1, 0, 2, 1])
    #expect(youden.youdenJ == 0.5)
    let f1 = try #require(bestThreshold(scores: Self.docScores, positives: Self.docPositives,
                                        criterion: .f1))
    #expect(f1.threshold == 0.35)
    #expect(counts(f1) == [2, 1, 1, 0])
    expectClose([f1.f1, f1.precision, f1.recall, f1.falsePositiveRate, f1.specificity, f1.accuracy],
                [0.8, 2.0 / 3, 1, 0.5, 0.5, 0.75], "f1, precision, recall, fpr, specificity, accuracy")
    #expect(f1 == BinaryMetrics(scores: Self.docScores, positives: Self.docPositives, threshold: 0.35))
  }

  @Test(arguments: MetricsFixture.shared.binary)
  func matchesSklearn(_ c: MetricsFixture.Binary) throws {
    let positives = c.labels.map { $0 == 1 }
    expectClose(rocAUC(scores: c.floatScores, positives: positives), c.auc, "\(c.name) AUC")
    expectClose(averagePrecision(scores: c.floatScores, positives: positives), c.averagePrecision,
                "\(c.name) AP")
    let curve = try #require(rocCurve(scores: c.floatScores, positives: positives))
    expectClose(curve.map(\.fpr), c.roc.fpr, "\(c.name) fpr")
    expectClose(curve.map(\.tpr), c.roc.tpr, "\(c.name) tpr")
    #expect(curve.map(\.threshold) == c.roc.floatThresholds, "\(c.name) thresholds")
    for (criterion, expected) in [(ThresholdCriterion.youden, c.youden), (.f1, c.maxF1)] {
      let chosen = try #require(bestThreshold(scores: c.floatScores, positives: positives,
                                              criterion: criterion))
      #expect(chosen.threshold == Float(expected.threshold), "\(c.name) \(criterion)")
      #expect(counts(chosen) == [expected.tp, expected.fp, expected.tn, expected.fn],
              "\(c.name) \(criterion)")
      expectClose(criterion == .youden ? chosen.youdenJ : chosen.f1, expected.value,
                  "\(c.name) \(criterion) value")
    }
  }

  @Test func jsonShapes() throws {
    let curve = try #require(rocCurve(scores: Self.docScores, positives: Self.docPositives))
    let first = try jsonObject(curve[0])
    #expect(Set(first.keys) == ["fpr", "tpr", "threshold"])
    #expect(first["threshold"] is NSNull)  // +infinity has no JSON form
    #expect((try jsonObject(curve[1])["threshold"] as? Double).map(Float.init) == 0.8)
    let decoded = try JSONDecoder().decode([ROCPoint].self, from: JSONEncoder().encode(curve))
    #expect(decoded == curve)

    let chosen = try #require(bestThreshold(scores: Self.docScores, positives: Self.docPositives,
                                            criterion: .f1))
    let json = try jsonObject(chosen)
    #expect(Set(json.keys) == ["threshold", "tp", "fp", "tn", "fn", "precision", "recall", "fpr",
                               "f1", "accuracy", "youden_j"])
    #expect(json["tp"] as? Int == 2 && json["fn"] as? Int == 0)
    #expect(json["f1"] as? Double == 0.8 && json["fpr"] as? Double == 0.5)
    #expect(try JSONDecoder().decode(BinaryMetrics.self, from: JSONEncoder().encode(chosen)) == chosen)
    #expect(ThresholdCriterion(rawValue: "youden") == .youden && ThresholdCriterion.f1.rawValue == "f1")
  }

  /// `ties`: equal criterion values at two thresholds, compared exactly.
  @Test func criteriaTieExactly() {
    let scores: [Float] = [0.9, 0.8, 0.6, 0.4, 0.3, 0.1], positives = [true, true, false, true, false, false]
    func at(_ t: Float) -> BinaryMetrics { BinaryMetrics(scores: scores, positives: positives, threshold: t) }
    // J: tp/3 − fp/3. At 0.7: 2/3 − 0; at 0.35: 1 − 1/3 (the same 2/3); at 0.5: 2/3 − 1/3.
    #expect(ThresholdCriterion.youden.ties(at(0.7), at(0.35)))
    #expect(!ThresholdCriterion.youden.ties(at(0.7), at(0.5)))
    // F1 = 2tp/(tp + fp + 3): 4/5 at 0.7, 6/7 at 0.35.
    #expect(!ThresholdCriterion.f1.ties(at(0.7), at(0.35)))
    #expect(ThresholdCriterion.f1.ties(at(0.7), at(0.75)))
  }
}

@Suite struct RunningMetricsTests {
  // Batch 1: 2 examples, mean loss 1.0, 1 correct. Batch 2: 4 examples, mean loss 0.25, 3 correct.
  // Mean loss per example = (2·1.0 + 4·0.25) / 6 = 0.5, not the mean of the batch means (0.625).
  // Accuracy 4/6 → "66.7%".
  @Test func accumulatesWeightedByBatchSize() {
    var running = RunningMetrics()
    #expect(running.meanLoss == 0 && running.accuracy == 0)
    #expect(running.progressFields == "loss 0.0000 acc 0.0%")
    running.add(loss: 1.0, count: 2, predicted: [0, 1], actual: [0, 0])
    #expect(running.count == 2 && running.correct == 1 && running.meanLoss == 1)
    running.add(loss: 0.25, count: 4, predicted: [1, 1, 2, 0], actual: [1, 1, 2, 2])
    #expect(running.count == 6 && running.correct == 4)
    #expect(running.lossSum == 3)
    #expect(running.meanLoss == 0.5)
    #expect(running.accuracy == 4.0 / 6)
    #expect(running.progressFields == "loss 0.5000 acc 66.7%")
    #expect(running.classificationMetrics() == nil)
    running.reset()
    #expect(running == RunningMetrics())
  }

  @Test func confusionMatchesOneShotMetrics() {
    var running = RunningMetrics(classCount: 3)
    running.add(loss: 0.7, count: 3, predicted: [0, 0, 1], actual: [0, 0, 0])
    running.add(loss: 0.3, count: 4, predicted: [2, 1, 1, 2], actual: [0, 1, 1, 2])
    // Logits rows argmax to 2 and 0.
    running.add(loss: 0.9, logits: Tensor(shape: [2, 3], [0, 1, 2, 5, 4, 3]), actual: [2, 1])
    let expected = ClassificationMetrics(predicted: [0, 0, 1, 2, 1, 1, 2, 2, 0],
                                         actual: [0, 0, 0, 0, 1, 1, 2, 2, 1], classCount: 3,
                                         labels: ["a", "b", "c"])
    #expect(running.classificationMetrics(labels: ["a", "b", "c"]) == expected)
    #expect(running.correct == 6 && running.count == 9)
    expectClose([running.accuracy, running.meanLoss], [expected.accuracy, (2.1 + 1.2 + 1.8) / 9],
                tolerance: 1e-6, "accuracy, mean loss")
    running.reset()
    #expect(running.classCount == 3)
    #expect(running.classificationMetrics()?.count == 0)
  }

  @Test func progressFieldsRound() {
    var running = RunningMetrics()
    // Mean loss 1.23456 → "1.2346"; 1 of 8 correct = 12.5% (exact in binary, printed as is).
    running.add(loss: 1.23456, count: 8, predicted: [1, 0, 0, 0, 0, 0, 0, 0],
                actual: [1, 1, 1, 1, 1, 1, 1, 1])
    #expect(running.progressFields == "loss 1.2346 acc 12.5%")
    running.add(loss: 0.0, count: 2, predicted: [1, 1], actual: [1, 1])
    // Mean loss (8·1.23456 + 0) / 10 = 0.987648 → "0.9876"; 3/10 → "30.0%".
    #expect(running.progressFields == "loss 0.9876 acc 30.0%")
  }
}

// MARK: - Fixture

/// `Fixtures/metrics/metrics.json`, written by `Tools/fixtures/metrics.py` (scikit-learn).
struct MetricsFixture: Decodable, Sendable {
  static let shared: MetricsFixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/metrics/metrics.json")
    do {
      return try JSONDecoder().decode(MetricsFixture.self, from: Data(contentsOf: url))
    } catch {
      fatalError("cannot read \(url.path): \(error)")
    }
  }()

  let sklearn: String
  let classification: [Classification]
  let binary: [Binary]

  struct Classification: Decodable, Sendable, CustomTestStringConvertible {
    let name: String
    let predicted: [Int]
    let actual: [Int]
    let classCount: Int
    let accuracy: Double
    let confusion: [[Int]]
    let precision: [Double]
    let recall: [Double]
    let f1: [Double]
    let support: [Int]
    let macroPrecision: Double
    let macroRecall: Double
    let macroF1: Double
    let weightedF1: Double
    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
      case name, predicted, actual, accuracy, confusion, precision, recall, f1, support
      case classCount = "class_count", macroPrecision = "macro_precision"
      case macroRecall = "macro_recall", macroF1 = "macro_f1", weightedF1 = "weighted_f1"
    }
  }

  struct Binary: Decodable, Sendable, CustomTestStringConvertible {
    struct Curve: Decodable, Sendable {
      let fpr: [Double]
      let tpr: [Double]
      let thresholds: [Double?]  // the first (+inf) is null
      var floatThresholds: [Float] { thresholds.map { $0.map(Float.init) ?? .infinity } }
    }
    struct Choice: Decodable, Sendable {
      let threshold: Double
      let value: Double
      let tp: Int, fp: Int, tn: Int, fn: Int
    }
    let name: String
    let scores: [Double]  // float32 values, exactly representable
    let labels: [Int]
    let auc: Double
    let averagePrecision: Double
    let roc: Curve
    let youden: Choice
    let maxF1: Choice
    var floatScores: [Float] { scores.map(Float.init) }
    var testDescription: String { name }

    enum CodingKeys: String, CodingKey {
      case name, scores, labels, auc, roc, youden
      case averagePrecision = "average_precision", maxF1 = "max_f1"
    }
  }
}
