/// Something in a data source that was reported and skipped, with where and why: a malformed
/// table row (`labels.csv:7: …`), a file that could not be decoded, a label a bundle does not know.
/// The one issue type every modality's datasets report (`description` is what the CLI prints;
/// encoded, it is `{"path", "line", "reason"}` with `line` left out for a whole file).
public struct DataIssue: Error, Equatable, Sendable, Codable, CustomStringConvertible {
  /// The file the issue is about (the table for a row problem, the data file otherwise).
  public let path: String
  /// 1-based line of a table row (the line the record starts on); nil for a whole file.
  public let line: Int?
  public let reason: String

  public init(path: String, line: Int? = nil, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}
