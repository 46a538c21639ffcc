/// What a classifier said about one labelled text: the material of a report's example grid.
public struct TextExamplePrediction: Equatable, Sendable {
  /// Where the text came from (`TextDataset.sources`): `line 12`, `pos/a.txt`, `#5`.
  public var source: String
  public var text: String
  public var actual: String
  public var predicted: String
  /// The probability the model gave `predicted`, in [0, 1].
  public var probability: Double

  public var isCorrect: Bool { actual == predicted }

  public init(source: String, text: String, actual: String, predicted: String, probability: Double) {
    self.source = source
    self.text = text
    self.actual = actual
    self.predicted = predicted
    self.probability = probability
  }
}
