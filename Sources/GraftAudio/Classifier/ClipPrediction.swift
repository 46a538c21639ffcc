/// One clip's prediction.
public struct ClipPrediction: Sendable, Equatable {
  public let path: String
  public let label: String
  public let labelIndex: Int
  /// Aggregated probability per label, in `labels` order.
  public let probabilities: [Float]
  public let labels: [String]
  /// Patches the clip was cut into.
  public let patches: Int
  /// The aggregated probability of the positive label, for binary detectors.
  public let positiveScore: Float?
  /// The clip's true label, when it was evaluated on labelled data.
  public var actual: String? = nil

  /// The probability of the predicted label.
  public var score: Float { probabilities[labelIndex] }
}
