import Foundation
import GraftCore

/// Labelled texts read from a CSV/TSV table or a folder per class, as a `Dataset`.
///
/// Tables: the first row is a header when one of its fields names a text column (`text`,
/// `sentence`, `review`, `content`, `document`, `tweet`) or a label column (`label`,
/// `labels`, `class`, `sentiment`, `target`, `category`), case-insensitively, or equals the
/// column names given. Other columns are ignored. Without a header the table must have two
/// columns; the one with fewer distinct values is the label (the second on a tie).
/// Malformed rows (an unclosed quote, a wrong number of fields, an empty text or label,
/// invalid UTF-8) are skipped and listed in `issues` with their line numbers.
///
/// Folders: each non-hidden subfolder of the root is a class; each non-hidden regular file
/// in it is one example (its whole UTF-8 content, trimmed). Unreadable or empty files are
/// skipped and listed in `issues`; classes left without files are dropped.
///
/// Labels are compared byte for byte and sorted by their UTF-8 bytes (code-point order, as Python
/// sorts `str`); two labels that differ only in Unicode normalisation are an error
/// (`equivalentLabels`), never merged. Examples keep file order (folders: by label, then file name).
public struct TextDataset: Dataset {
  public static let textColumnNames = ["text", "sentence", "review", "content", "document", "tweet"]
  public static let labelColumnNames = ["label", "labels", "class", "sentiment", "target", "category"]

  public let path: String
  public let texts: [String]
  /// Index into `labels` for each text.
  public let labelIndices: [Int]
  /// Class names, sorted.
  public let labels: [String]
  /// Rows or files that were skipped, in file order.
  public let issues: [DataIssue]
  /// Where each text came from, for reports: `line 12` (tables: the line its record starts
  /// on), `label/file.txt` (folders), `#5` (texts given in memory, 1-based).
  public let sources: [String]

  public var count: Int { texts.count }
  public func label(at index: Int) -> Int? { labelIndices[index] }
  public func example(at index: Int) -> TextExample { TextExample(text: texts[index], label: labelIndices[index]) }

  /// Texts with label names; labels are the sorted distinct names. Fails on no examples, and
  /// on a single class unless `allowSingleClass` (an evaluation set may hold one class).
  public init(path: String, texts: [String], labelNames: [String], issues: [DataIssue] = [],
              sources: [String]? = nil, allowSingleClass: Bool = false) throws(TextDatasetError) {
    precondition(texts.count == labelNames.count, "TextDataset: \(texts.count) texts, \(labelNames.count) labels")
    precondition(sources.map { $0.count == texts.count } ?? true, "TextDataset: \(texts.count) texts, \(sources?.count ?? 0) sources")
    guard !texts.isEmpty else { throw TextDatasetError(path: path, reason: .noExamples) }
    let sorted = labelNames.uniquedByBytes().sortedByBytes()
    if let (a, b) = sorted.firstEquivalentPair() { throw TextDatasetError(path: path, reason: .equivalentLabels(a, b)) }
    if !allowSingleClass, sorted.count < 2 { throw TextDatasetError(path: path, reason: .singleClass(sorted[0])) }
    let index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { (ExactString($1), $0) })
    self.path = path
    self.texts = texts
    self.labelIndices = labelNames.map { name in
      guard let i = index[ExactString(name)] else { preconditionFailure("TextDataset: label \"\(name)\" not in \(sorted)") }
      return i
    }
    self.labels = sorted
    self.issues = issues
    self.sources = sources ?? texts.indices.map { "#\($0 + 1)" }
  }

  /// Reads `path` as `format`; `textColumn`/`labelColumn` pick table columns by header name.
  public static func load(_ path: String, format: TextDataFormat = .auto, textColumn: String? = nil,
                          labelColumn: String? = nil, allowSingleClass: Bool = false) throws(TextDatasetError) -> TextDataset {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw TextDatasetError(path: path, reason: .missing)
    }
    if isDirectory.boolValue {
      guard format == .auto || format == .folder else {
        throw TextDatasetError(path: path, reason: .wrongKind("a folder, but --format \(format.rawValue) reads a file"))
      }
      return try loadFolder(path, allowSingleClass: allowSingleClass)
    }
    guard format != .folder else {
      throw TextDatasetError(path: path, reason: .wrongKind("a file, but --format folder reads a folder of class folders"))
    }
    let bytes = try readBytes(path)
    let dialect: DelimitedText.Dialect
    switch format {
    case .csv: dialect = .csv
    case .tsv: dialect = .tsv
    case .auto, .folder: dialect = .guess(path: path, bytes: bytes)
    }
    return try loadTable(path, bytes: bytes, dialect: dialect, textColumn: textColumn, labelColumn: labelColumn,
                         allowSingleClass: allowSingleClass)
  }

  static func readBytes(_ path: String) throws(TextDatasetError) -> [UInt8] {
    do {
      return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw TextDatasetError(path: path, reason: .unreadable((error as NSError).localizedDescription))
    }
  }

  static func loadTable(_ path: String, bytes: [UInt8], dialect: DelimitedText.Dialect, textColumn: String?,
                        labelColumn: String?, allowSingleClass: Bool) throws(TextDatasetError) -> TextDataset {
    var records = DelimitedText(bytes: bytes, dialect: dialect, path: path).records[...]
    var issues: [DataIssue] = []
    // The first well-formed record decides the header and the column count.
    while let first = records.first, case .failure(let issue) = first.result {
      issues.append(issue)
      records.removeFirst()
    }
    guard let first = records.first, case .success(let firstFields) = first.result else {
      throw TextDatasetError(path: path, reason: .noExamples)
    }
    let names = firstFields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    func find(_ given: String?, _ known: [String]) -> Int? {
      if let given { return names.firstIndex(of: given.lowercased()) }
      return known.lazy.compactMap { names.firstIndex(of: $0) }.first
    }
    var textIndex = find(textColumn, textColumnNames), labelIndex = find(labelColumn, labelColumnNames)
    let hasHeader = textIndex != nil || labelIndex != nil
    var rows = records
    if hasHeader {
      rows.removeFirst()
      guard let t = textIndex else { throw TextDatasetError(path: path, reason: .noColumn(kind: "text", header: firstFields)) }
      guard let l = labelIndex, l != t else {
        throw TextDatasetError(path: path, reason: .noColumn(kind: "label", header: firstFields))
      }
      textIndex = t
      labelIndex = l
    } else {
      guard firstFields.count == 2 else {
        throw TextDatasetError(path: path, reason: .ambiguousColumns(firstFields.count))
      }
      var distinct = [Set<ExactString>(), Set<ExactString>()]
      for case .success(let fields) in rows.map(\.result) where fields.count == 2 {
        distinct[0].insert(ExactString(fields[0]))
        distinct[1].insert(ExactString(fields[1]))
      }
      labelIndex = distinct[0].count < distinct[1].count ? 0 : 1
      textIndex = 1 - labelIndex!
    }
    let columns = firstFields.count, t = textIndex!, l = labelIndex!
    var texts: [String] = [], labelNames: [String] = [], sources: [String] = []
    for record in rows {
      switch record.result {
      case .failure(let issue):
        issues.append(issue)
      case .success(let fields):
        guard fields.count == columns else {
          issues.append(DataIssue(path: path, line: record.line,
                                         reason: "expected \(columns) fields, found \(fields.count)"))
          continue
        }
        let text = fields[t].trimmingCharacters(in: .whitespacesAndNewlines)
        let label = fields[l].trimmingCharacters(in: .whitespaces)
        if text.isEmpty { issues.append(DataIssue(path: path, line: record.line, reason: "empty text")); continue }
        if label.isEmpty { issues.append(DataIssue(path: path, line: record.line, reason: "empty label")); continue }
        texts.append(text)
        labelNames.append(label)
        sources.append("line \(record.line)")
      }
    }
    issues.sort { ($0.line ?? 0) < ($1.line ?? 0) }
    return try TextDataset(path: path, texts: texts, labelNames: labelNames, issues: issues, sources: sources,
                           allowSingleClass: allowSingleClass)
  }

  static func loadFolder(_ path: String, allowSingleClass: Bool) throws(TextDatasetError) -> TextDataset {
    let fm = FileManager.default
    func listing(_ folder: String) throws(TextDatasetError) -> [String] {
      do {
        return try fm.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
      } catch {
        throw TextDatasetError(path: folder, reason: .unreadable((error as NSError).localizedDescription))
      }
    }
    func isDirectory(_ p: String) -> Bool {
      var d: ObjCBool = false
      return fm.fileExists(atPath: p, isDirectory: &d) && d.boolValue
    }
    var texts: [String] = [], labelNames: [String] = [], sources: [String] = [], issues: [DataIssue] = []
    for name in try listing(path) {
      let folder = (path as NSString).appendingPathComponent(name)
      guard isDirectory(folder) else { continue }
      for file in try listing(folder) {
        let filePath = (folder as NSString).appendingPathComponent(file)
        guard !isDirectory(filePath) else { continue }
        guard let data = fm.contents(atPath: filePath) else {
          issues.append(DataIssue(path: filePath, line: nil, reason: "cannot read"))
          continue
        }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
          issues.append(DataIssue(path: filePath, line: nil, reason: "not valid UTF-8"))
          continue
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
          issues.append(DataIssue(path: filePath, line: nil, reason: "empty text"))
          continue
        }
        texts.append(trimmed)
        labelNames.append(name)
        sources.append(name + "/" + file)
      }
    }
    return try TextDataset(path: path, texts: texts, labelNames: labelNames, issues: issues, sources: sources,
                           allowSingleClass: allowSingleClass)
  }
}
