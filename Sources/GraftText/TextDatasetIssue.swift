/// A row or file that was skipped, with where it is: `path:line: reason` for a table row
/// (the line the record starts on, 1-based), `path: reason` for a file of a class folder.
public struct TextDatasetIssue: Error, Equatable, Sendable, CustomStringConvertible {
  public let path: String
  /// 1-based line of a table row; nil for a whole file.
  public let line: Int?
  public let reason: String

  public init(path: String, line: Int?, reason: String) {
    self.path = path
    self.line = line
    self.reason = reason
  }

  public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}
