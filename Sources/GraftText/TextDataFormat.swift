/// How a text dataset is laid out on disk.
public enum TextDataFormat: String, CaseIterable, Sendable {
  /// A folder is `folder`; a `.csv` file is `csv`; any other file is `tsv` when its first line
  /// has a tab, else `csv`.
  case auto
  /// Comma-separated values, RFC 4180 quoting.
  case csv
  /// Tab-separated values, optional quotes (see `DelimitedText`).
  case tsv
  /// `root/<label>/<any file>`: one example per file, the folder name is the label.
  case folder
}
