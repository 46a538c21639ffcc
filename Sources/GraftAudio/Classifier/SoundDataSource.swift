import Foundation
import GraftCore

/// One labelled audio file.
public struct SoundClip: Equatable, Sendable {
  public let path: String
  public let label: String

  public init(path: String, label: String) {
    self.path = path
    self.label = label
  }
}

/// Labelled audio clips from a class-per-folder directory or a CSV of `file,label`.
///
/// * **Folder**: `root/<label>/**/<file>` for files with an audio extension (`audioExtensions`,
///   case-insensitive); labels are the sub-directory names, sorted; hidden entries are ignored.
///   Other files are ignored and counted in `ignoredFiles`; a sub-directory without audio files
///   is reported in `issues` (its label is left out).
/// * **CSV** (read by `DelimitedText`: RFC 4180 quoting, a BOM dropped): when the
///   first row names a `file` (or `path`, `filename`) column and a `label` (or `class`, `category`) column,
///   case-insensitively, it is a header and those columns are used, whatever their position (the
///   earlier name in each list wins when a header has several);
///   otherwise every row is data, file in column 1 and label in column 2. Relative paths are
///   relative to the CSV's directory. A malformed row, a row with too few fields or an empty file
///   or label is reported in `issues` with its line number and skipped; blank lines are skipped
///   silently.
///   `filters` keep only rows whose named column equals a value (`split=train`), which needs a header.
///
/// Listing never opens the audio files; decoding problems are found and reported when the clips
/// are turned into patches.
public struct SoundDataSource: Sendable {
  /// The directory or CSV file the clips came from.
  public let source: String
  public let clips: [SoundClip]
  /// Distinct labels (byte for byte), sorted by their UTF-8 bytes: class i is `labels[i]`.
  public let labels: [String]
  /// Rows or entries that were skipped while listing.
  public let issues: [DataIssue]
  /// Files in a folder source without an audio extension.
  public let ignoredFiles: Int

  public static let audioExtensions: Set<String> = ["wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff",
                                                    "aifc", "au", "snd", "caf", "w64", "rf64"]

  public init(source: String, clips: [SoundClip], issues: [DataIssue] = [], ignoredFiles: Int = 0) {
    self.source = source
    self.clips = clips
    self.labels = clips.map(\.label).uniquedByBytes().sortedByBytes()
    self.issues = issues
    self.ignoredFiles = ignoredFiles
  }

  /// Clips per label, in label order.
  public var counts: [(label: String, count: Int)] {
    labels.map { label in (label, clips.lazy.filter { $0.label.utf8.elementsEqual(label.utf8) }.count) }
  }

  /// Refuses labels that differ only in Unicode normalisation (they would print alike, and
  /// reports key by label); the loaders call it.
  func checkedLabels(_ path: String) throws(SoundDataError) -> SoundDataSource {
    if let (a, b) = labels.firstEquivalentPair() { throw SoundDataError(path: path, reason: .equivalentLabels(a, b)) }
    return self
  }

  /// A directory is read as class-per-folder, anything else as a CSV (`root`, `labelColumn`: see `csv`).
  public static func load(_ path: String, filters: [(column: String, value: String)] = [], root: String? = nil,
                          labelColumn: String? = nil) throws(SoundDataError) -> SoundDataSource {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw SoundDataError(path: path, reason: .missing)
    }
    if isDirectory.boolValue {
      guard filters.isEmpty && root == nil && labelColumn == nil else {
        throw SoundDataError(path: path, reason: .filtersNeedCSV)
      }
      return try folder(path)
    }
    return try csv(path, filters: filters, root: root, labelColumn: labelColumn)
  }

  /// `root/<label>/**/<audio file>`.
  public static func folder(_ root: String) throws(SoundDataError) -> SoundDataSource {
    let fm = FileManager.default
    let entries: [String]
    do {
      entries = try fm.contentsOfDirectory(atPath: root)
    } catch {
      throw SoundDataError(path: root, reason: .unreadable(String(describing: error)))
    }
    var clips: [SoundClip] = [], issues: [DataIssue] = [], ignored = 0
    for name in entries.sorted() where !name.hasPrefix(".") {
      let dir = (root as NSString).appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
      guard let walker = fm.enumerator(atPath: dir) else { continue }
      var files: [String] = []
      while let relative = walker.nextObject() as? String {
        if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
        let full = (dir as NSString).appendingPathComponent(relative)
        var sub: ObjCBool = false
        guard fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue else { continue }
        if audioExtensions.contains((relative as NSString).pathExtension.lowercased()) {
          files.append(full)
        } else {
          ignored += 1
        }
      }
      if files.isEmpty { issues.append(DataIssue(path: dir, reason: "no audio files: label \"\(name)\" left out")) }
      clips += files.sorted().map { SoundClip(path: $0, label: name) }
    }
    guard !clips.isEmpty else { throw SoundDataError(path: root, reason: .noClips) }
    return try SoundDataSource(source: root, clips: clips, issues: issues, ignoredFiles: ignored).checkedLabels(root)
  }

  /// A CSV of `file,label` (see the type's rules). Relative file names are relative to `root`
  /// when given (ESC-50's `meta/esc50.csv` names files in `audio/`), else to the CSV's directory.
  /// `labelColumn` names the label column of a CSV with a header instead of `label`/`class`/`category`
  /// (cough_audio's `source_class`).
  public static func csv(_ path: String, filters: [(column: String, value: String)] = [], root: String? = nil,
                         labelColumn: String? = nil) throws(SoundDataError) -> SoundDataSource {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SoundDataError(path: path, reason: .unreadable("cannot read the file"))
    }
    let records = DelimitedText(bytes: [UInt8](data), dialect: .csv, path: path).records
    func isBlank(_ fields: [String]) -> Bool { fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
    // The first well-formed record that is not blank decides the header.
    guard let firstIndex = records.firstIndex(where: { $0.fields.map { !isBlank($0) } ?? false }),
          let firstFields = records[firstIndex].fields else {
      throw SoundDataError(path: path, reason: .noClips)
    }
    let header = firstFields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    // The first name of each list that the header holds, in the list's order of preference.
    let fileColumn = ["file", "path", "filename"].lazy.compactMap { header.firstIndex(of: $0) }.first
    let labelNames = labelColumn.map { [$0.lowercased()] } ?? ["label", "class", "category"]
    let labelIndexInHeader = labelNames.lazy.compactMap { header.firstIndex(of: $0) }.first
    if let labelColumn, fileColumn == nil || labelIndexInHeader == nil {
      throw SoundDataError(path: path, reason: .unknownColumn(fileColumn == nil ? "file" : labelColumn))
    }
    let hasHeader = fileColumn != nil && labelIndexInHeader != nil
    var filterColumns: [(Int, String)] = []
    for (column, value) in filters {
      guard hasHeader, let index = header.firstIndex(of: column.lowercased()) else {
        throw SoundDataError(path: path, reason: .unknownColumn(column))
      }
      filterColumns.append((index, value))
    }
    let (fileIndex, labelIndex) = hasHeader ? (fileColumn!, labelIndexInHeader!) : (0, 1)
    let needed = max(fileIndex, labelIndex, filterColumns.map(\.0).max() ?? 0) + 1
    let base = root ?? (path as NSString).deletingLastPathComponent
    var clips: [SoundClip] = [], issues: [DataIssue] = []
    for (k, record) in records.enumerated() where !(hasHeader && k == firstIndex) {
      let fields: [String]
      switch record.result {
      case .failure(let issue): issues.append(issue); continue
      case .success(let f): fields = f
      }
      if isBlank(fields) { continue }
      guard fields.count >= needed else {
        issues.append(DataIssue(path: path, line: record.line, reason: "expected at least \(needed) fields, found \(fields.count)"))
        continue
      }
      let file = fields[fileIndex].trimmingCharacters(in: .whitespaces)
      let label = fields[labelIndex].trimmingCharacters(in: .whitespaces)
      guard !file.isEmpty, !label.isEmpty else {
        issues.append(DataIssue(path: path, line: record.line, reason: file.isEmpty ? "empty file name" : "empty label"))
        continue
      }
      guard filterColumns.allSatisfy({ fields[$0.0].trimmingCharacters(in: .whitespaces) == $0.1 }) else { continue }
      let full = file.hasPrefix("/") ? file : (base.isEmpty ? file : (base as NSString).appendingPathComponent(file))
      clips.append(SoundClip(path: full, label: label))
    }
    guard !clips.isEmpty else { throw SoundDataError(path: path, reason: .noClips) }
    return try SoundDataSource(source: path, clips: clips, issues: issues).checkedLabels(path)
  }
}
