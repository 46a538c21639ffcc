/// Something in a data source that was skipped, with where and why: a malformed CSV row
/// (`labels.csv:7: …`), a file that could not be decoded, a label a bundle does not know.
public struct SoundDataIssue: Equatable, Sendable, CustomStringConvertible {
  /// The file the issue is about (the CSV for a row problem, the audio file otherwise).
  public let path: String
  /// 1-based line of the CSV, for row problems.
  public let line: Int?
  public let reason: String

  public init(path: String, line: Int? = nil, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}
