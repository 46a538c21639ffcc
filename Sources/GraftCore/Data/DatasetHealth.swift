import Foundation

/// What is wrong with a labelled file collection before any training: exact duplicate files
/// (by SHA-256 of their bytes, `ContentHashes`) within a class, across classes (label noise) and
/// across the training and test sets (leakage); unreadable files; class imbalance; tiny classes.
///
/// Rules (stated in `docs/cli.md`): **imbalance** is flagged when the largest training class has
/// more than `imbalanceRatioLimit` (3) times the items of the smallest; a **tiny class** has fewer
/// than `tinyClassLimit` (10) training items. A duplicate group that spans classes counts as
/// label noise, not also as a within-class duplicate; a file in both sets counts as leakage.
///
/// ```swift
/// let health = DatasetHealth.check(train: items.map { .init(path: $0.path, label: classes[$0.label]) },
///                                  test: testItems, unreadable: issues)
/// for line in health.warnings { print(line) }
/// ```
public struct DatasetHealth: Sendable {
  /// One file of the collection: its path, class and set.
  public struct File: Equatable, Sendable {
    public var path: String
    public var label: String
    public var isTest: Bool

    public init(path: String, label: String, isTest: Bool = false) {
      self.path = path
      self.label = label
      self.isTest = isTest
    }
  }

  /// Files with identical bytes.
  public struct DuplicateGroup: Equatable, Sendable {
    public var digest: String
    public var files: [File]
  }

  public var duplicatesWithinClass: [DuplicateGroup] = []
  public var duplicatesAcrossClasses: [DuplicateGroup] = []
  /// Groups with at least one training and one test file.
  public var leakage: [DuplicateGroup] = []
  public var unreadable: [DataIssue] = []
  /// Training items per class, in the order classes were first seen.
  public var classCounts: [(label: String, count: Int)] = []
  /// Largest over smallest training class (nil with fewer than two classes).
  public var imbalanceRatio: Double? = nil
  public var tinyClasses: [(label: String, count: Int)] = []

  /// Imbalance is flagged above this ratio of the largest to the smallest class.
  public static let imbalanceRatioLimit = 3.0
  /// A class with fewer training items than this is tiny.
  public static let tinyClassLimit = 10

  public var isImbalanced: Bool { (imbalanceRatio ?? 1) > Self.imbalanceRatioLimit }

  /// Hashes every file (`hashes`; a file that cannot be read joins `unreadable`) and collects the findings.
  public static func check(train: [File], test: [File] = [], unreadable: [DataIssue] = [],
                           hashes: ContentHashes = .shared) -> DatasetHealth {
    check(train: train, test: test, unreadable: unreadable) { (file) throws(FileReadError) in try hashes.digest(of: file.path) }
  }

  /// The check with each item's digest from `digest` (text rows: the SHA-256 of the text, `path`
  /// naming the row); an item whose digest throws joins `unreadable`.
  public static func check(train: [File], test: [File] = [], unreadable: [DataIssue] = [],
                           digest: (File) throws(FileReadError) -> SHA256.Digest) -> DatasetHealth {
    var health = DatasetHealth()
    health.unreadable = unreadable
    var groups: [SHA256.Digest: [File]] = [:], order: [SHA256.Digest] = []
    for file in train.map({ File(path: $0.path, label: $0.label, isTest: false) })
      + test.map({ File(path: $0.path, label: $0.label, isTest: true) }) {
      do {
        let key = try digest(file)
        if groups[key] == nil { order.append(key) }
        groups[key, default: []].append(file)
      } catch {
        health.unreadable.append(DataIssue(path: file.path, reason: error.reason))
      }
    }
    for digest in order {
      let files = groups[digest]!
      guard files.count > 1 else { continue }
      let group = DuplicateGroup(digest: digest.hex, files: files)
      if files.contains(where: \.isTest) && files.contains(where: { !$0.isTest }) { health.leakage.append(group) }
      var labels: [String] = []
      for f in files where !labels.contains(where: { $0.utf8.elementsEqual(f.label.utf8) }) { labels.append(f.label) }
      if labels.count > 1 {
        health.duplicatesAcrossClasses.append(group)
      } else if files.filter({ !$0.isTest }).count > 1 || files.filter(\.isTest).count > 1 {
        health.duplicatesWithinClass.append(group)
      }
    }
    for file in train {
      if let i = health.classCounts.firstIndex(where: { $0.label.utf8.elementsEqual(file.label.utf8) }) {
        health.classCounts[i].count += 1
      } else {
        health.classCounts.append((file.label, 1))
      }
    }
    let counts = health.classCounts.map(\.count)
    if counts.count >= 2, let lo = counts.min(), let hi = counts.max(), lo > 0 { health.imbalanceRatio = Double(hi) / Double(lo) }
    health.tinyClasses = health.classCounts.filter { $0.count < tinyClassLimit }
    return health
  }

  /// One line per kind of finding, with counts (empty when the data look healthy).
  public var warnings: [String] {
    var lines: [String] = []
    func files(_ groups: [DuplicateGroup]) -> Int { groups.reduce(0) { $0 + $1.files.count } }
    if !duplicatesWithinClass.isEmpty {
      lines.append("\(files(duplicatesWithinClass)) files in \(duplicatesWithinClass.count) group(s) of identical files within a class (duplicates)")
    }
    if !duplicatesAcrossClasses.isEmpty {
      lines.append("\(files(duplicatesAcrossClasses)) files in \(duplicatesAcrossClasses.count) group(s) of identical files in different classes (label noise)")
    }
    if !leakage.isEmpty {
      let testFiles = leakage.reduce(0) { $0 + $1.files.filter(\.isTest).count }
      lines.append("\(testFiles) test file(s) identical to training files (leakage)")
    }
    if !unreadable.isEmpty { lines.append("\(unreadable.count) unreadable file(s)") }
    if isImbalanced, let ratio = imbalanceRatio {
      let hi = classCounts.max { $0.count < $1.count }!, lo = classCounts.min { $0.count < $1.count }!
      lines.append("classes imbalanced: \(String(format: "%.1f", ratio))× (largest \(hi.label) \(hi.count), "
        + "smallest \(lo.label) \(lo.count); flagged above \(Int(Self.imbalanceRatioLimit))×)")
    }
    if !tinyClasses.isEmpty {
      lines.append("\(tinyClasses.count) tiny class(es) (fewer than \(Self.tinyClassLimit) items): "
        + tinyClasses.map { "\($0.label) \($0.count)" }.joined(separator: ", "))
    }
    return lines
  }

  /// Every finding: `{"duplicates_within_class", "duplicates_across_classes", "leakage": [{"sha256",
  /// "files": [{"path", "label", "set"}]}], "unreadable": [{"path", "line", "reason"}], "class_counts",
  /// "imbalance_ratio", "imbalanced", "imbalance_ratio_limit", "tiny_classes", "tiny_class_limit", "warnings"}`.
  public var json: JSONValue {
    func groups(_ g: [DuplicateGroup]) -> JSONValue {
      .array(g.map { group in
        ["sha256": .string(group.digest), "files": .array(group.files.map {
          ["path": .string($0.path), "label": .string($0.label), "set": .string($0.isTest ? "test" : "train")]
        })]
      })
    }
    func counts(_ c: [(label: String, count: Int)]) -> JSONValue {
      .array(c.map { ["label": .string($0.label), "count": .number(Double($0.count))] })
    }
    return [
      "duplicates_within_class": groups(duplicatesWithinClass),
      "duplicates_across_classes": groups(duplicatesAcrossClasses),
      "leakage": groups(leakage),
      "unreadable": .array(unreadable.map {
        ["path": .string($0.path), "line": $0.line.map { .number(Double($0)) } ?? .null, "reason": .string($0.reason)]
      }),
      "class_counts": counts(classCounts),
      "imbalance_ratio": imbalanceRatio.map { .number($0) } ?? .null,
      "imbalanced": .bool(isImbalanced),
      "imbalance_ratio_limit": .number(Self.imbalanceRatioLimit),
      "tiny_classes": counts(tinyClasses),
      "tiny_class_limit": .number(Double(Self.tinyClassLimit)),
      "warnings": .array(warnings.map { .string($0) }),
    ]
  }
}
