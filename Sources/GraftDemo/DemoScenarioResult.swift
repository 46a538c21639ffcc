import GraftCore

/// What one scenario of `graft demo` measured: the same architecture trained on the same small
/// target set twice, once on a pretrained base (transfer) and once from random weights (scratch),
/// both scored on the held-out test split. Each modality module produces these from its sample
/// data (`VisionSampleData.runDemo`, `TextSampleData.runDemo`, `AudioSampleData.runDemo`).
///
/// JSON: `{"name", "train_examples", "test_examples", "transfer": {"accuracy", "macro_f1"},
/// "scratch": {…}, "seconds"}`.
public struct DemoScenarioResult: Codable, Sendable, Equatable {
  /// Test-split scores of one trained model.
  public struct Scores: Codable, Sendable, Equatable {
    public var accuracy: Double
    public var macroF1: Double

    public init(accuracy: Double, macroF1: Double) {
      self.accuracy = accuracy
      self.macroF1 = macroF1
    }

    public init(_ metrics: ClassificationMetrics) {
      self.init(accuracy: metrics.accuracy, macroF1: metrics.macroF1)
    }

    enum CodingKeys: String, CodingKey { case accuracy, macroF1 = "macro_f1" }
  }

  /// "vision", "text" or "audio".
  public var name: String
  public var trainExamples: Int
  public var testExamples: Int
  public var transfer: Scores
  public var scratch: Scores
  /// Wall time of both trainings and both evaluations.
  public var seconds: Double

  public init(name: String, trainExamples: Int, testExamples: Int, transfer: Scores, scratch: Scores, seconds: Double) {
    self.name = name
    self.trainExamples = trainExamples
    self.testExamples = testExamples
    self.transfer = transfer
    self.scratch = scratch
    self.seconds = seconds
  }

  /// Transfer scored higher than scratch on both accuracy and macro-F1.
  public var transferWins: Bool { transfer.accuracy > scratch.accuracy && transfer.macroF1 > scratch.macroF1 }

  enum CodingKeys: String, CodingKey {
    case name, trainExamples = "train_examples", testExamples = "test_examples", transfer, scratch, seconds
  }
}

/// A demo scenario's result and, when a report was asked for, its report sections (the transfer
/// model and the scratch model, each scored on the test split).
public struct DemoScenarioRun: Sendable {
  public var result: DemoScenarioResult
  /// Empty unless the scenario ran with `report: true`.
  public var sections: [ReportSection]

  public init(result: DemoScenarioResult, sections: [ReportSection] = []) {
    self.result = result
    self.sections = sections
  }
}
