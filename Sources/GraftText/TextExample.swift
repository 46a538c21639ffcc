/// One labelled text.
public struct TextExample: Equatable, Sendable {
  public var text: String
  /// Index into `TextDataset.labels`.
  public var label: Int

  public init(text: String, label: Int) {
    self.text = text
    self.label = label
  }
}
