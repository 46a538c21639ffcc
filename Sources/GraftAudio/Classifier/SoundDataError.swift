/// A data source (directory or CSV) that cannot be used at all. Problems with single rows or
/// files are not errors: they are `DataIssue`s, reported and skipped.
public struct SoundDataError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    case missing
    case unreadable(String)
    /// No usable clip (an empty folder, a CSV with only a header or only malformed rows).
    case noClips
    /// A filter names a column the CSV header lacks (or the CSV has no header).
    case unknownColumn(String)
    /// Filters and an audio root apply to CSV sources only.
    case filtersNeedCSV
    /// Training needs at least two labels.
    case tooFewLabels([String])
    /// `positive` is not one of the labels, or the task has more than two.
    case invalidPositiveLabel(String, labels: [String])
    /// Every clip failed to decode, or a label has no clip left for training.
    case nothingToTrainOn(String)
    /// The front end's patches do not fit the base.
    case baseMismatch(String)
    /// The base's weights or bundle could not be read.
    case base(String)
    /// Two labels with different bytes but the same text in different Unicode normalisation forms.
    case equivalentLabels(String, String)

    public var description: String {
      switch self {
      case .missing: "no such file or directory"
      case .unreadable(let why): "cannot read: \(why)"
      case .noClips: "no labelled audio clips"
      case .unknownColumn(let c): "no column \"\(c)\" in the CSV header"
      case .filtersNeedCSV: "column filters, a label column and an audio root apply to CSV files, not directories"
      case .tooFewLabels(let labels): "training needs at least 2 labels, found \(labels.count) (\(labels.joined(separator: ", ")))"
      case .invalidPositiveLabel(let p, let labels):
        labels.count == 2 ? "positive label \"\(p)\" is not one of \(labels.joined(separator: ", "))"
          : "--positive needs exactly 2 labels, found \(labels.count) (\(labels.joined(separator: ", ")))"
      case .nothingToTrainOn(let why): why
      case .baseMismatch(let why): why
      case .base(let why): why
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
