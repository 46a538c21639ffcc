/// The label probabilities of one text.
public struct TextPrediction: Equatable, Sendable, Encodable {
  public var text: String
  /// The most probable label.
  public var label: String
  /// One per label, in the bundle's label order.
  public var probabilities: [Float]
  public var labels: [String]

  /// `{"text", "label", "probabilities": {label: p}}`.
  public func encode(to encoder: any Encoder) throws {
    enum Keys: String, CodingKey { case text, label, probabilities }
    var c = encoder.container(keyedBy: Keys.self)
    try c.encode(text, forKey: .text)
    try c.encode(label, forKey: .label)
    try c.encode(Dictionary(uniqueKeysWithValues: zip(labels, probabilities)), forKey: .probabilities)
  }
}
