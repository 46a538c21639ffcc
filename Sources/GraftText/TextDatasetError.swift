/// A text dataset could not be read at all (a single bad row is a `DataIssue` instead).
public struct TextDatasetError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// No file or folder at the path.
    case missing
    /// The file or folder exists but could not be read; carries the system's message.
    case unreadable(String)
    /// `--format` says a file format but the path is a folder, or the other way round.
    case wrongKind(String)
    /// The header has no column for the text or the label (carries the header's names).
    case noColumn(kind: String, header: [String])
    /// No header and not exactly two columns, so which is the text cannot be told.
    case ambiguousColumns(Int)
    /// Not one usable example (every row malformed, an empty file, no class folders).
    case noExamples
    /// Every example has the same label, which is not a classification task.
    case singleClass(String)
    /// Labels a model was not trained on (evaluation), with the ones it knows.
    case unknownLabels([String], known: [String])
    /// Two labels with different bytes but the same text in different Unicode normalisation forms
    /// (NFC and NFD `café`): kept apart they would print alike; merged, examples would change class.
    case equivalentLabels(String, String)

    public var description: String {
      switch self {
      case .missing: "no such file or folder"
      case .unreadable(let why): "cannot read: \(why)"
      case .wrongKind(let why): why
      case .noColumn(let kind, let header):
        "no \(kind) column in the header (\(header.map { "\"\($0)\"" }.joined(separator: ", ")));"
          + " name it \(kind == "text" ? TextDataset.textColumnNames[0] : TextDataset.labelColumnNames[0])"
      case .ambiguousColumns(let n):
        "no header and \(n) columns: add a header naming the \"text\" and \"label\" columns"
      case .noExamples: "no usable examples"
      case .singleClass(let label): "every example has the label \"\(label)\"; at least two classes are needed"
      case .unknownLabels(let labels, let known):
        "labels the model does not know: \(labels.map { "\"\($0)\"" }.joined(separator: ", "))"
          + " (it knows \(known.map { "\"\($0)\"" }.joined(separator: ", ")))"
      case .equivalentLabels(let a, let b): "labels \"\(a)\" (\(a.unicodeScalarCodes)) and \"\(b)\" (\(b.unicodeScalarCodes)) are the same text in different Unicode normalisation forms; normalise the names so they are one label, or rename one" 
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
