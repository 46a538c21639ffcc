import GraftAudio
import GraftCore
import GraftText
import GraftVision

/// The dataset health check (`DatasetHealth`) as the commands run and print it.
enum HealthOutput {
  /// The findings of an image folder (and a test folder): its items, and its scan's unreadable files.
  static func vision(_ folder: ImageFolder, test: ImageFolder? = nil) -> DatasetHealth {
    func files(_ f: ImageFolder) -> [DatasetHealth.File] { f.items.map { .init(path: $0.path, label: f.classes[$0.label]) } }
    let unreadable = (folder.report.skipped + (test?.report.skipped ?? [])).map {
      DataIssue(path: $0.path, reason: $0.reason.description)
    }
    return DatasetHealth.check(train: files(folder), test: test.map(files) ?? [], unreadable: unreadable)
  }

  /// The findings of an image folder that `vision train` trained on: its PNG files (listed
  /// again, without decoding), less those the training scan found unreadable, which are reported as such.
  static func visionTraining(root: String, report: ImageFolder.Report) throws -> DatasetHealth {
    let listing = try ImageFolder(root: root, preprocessing: .init(width: 1, height: 1), verify: .none)
    let unreadable = Set(report.skipped.map(\.path))
    let files = listing.items.filter { !unreadable.contains($0.path) }
      .map { DatasetHealth.File(path: $0.path, label: listing.classes[$0.label]) }
    return DatasetHealth.check(train: files, unreadable: report.skipped.map { DataIssue(path: $0.path, reason: $0.reason.description) })
  }

  /// The findings of sound clips (and test clips); `unreadable` are the clips that failed to
  /// decode (or, with `verify`, whose header libsndfile cannot read).
  static func audio(_ clips: [SoundClip], test: [SoundClip] = [], unreadable: [DataIssue] = [], verify: Bool = false)
    -> DatasetHealth {
    var bad = unreadable
    func keep(_ c: [SoundClip]) -> [DatasetHealth.File] {
      c.compactMap { (clip) -> DatasetHealth.File? in
        if bad.contains(where: { $0.path == clip.path }) { return nil }
        if verify {
          do throws(AudioError) { _ = try AudioInfo.read(clip.path) } catch {
            bad.append(DataIssue(path: clip.path, reason: error.reason.description))
            return nil
          }
        }
        return DatasetHealth.File(path: clip.path, label: clip.label)
      }
    }
    let train = keep(clips), testFiles = keep(test)
    return DatasetHealth.check(train: train, test: testFiles, unreadable: bad)
  }

  /// `graft: warning: data: LINE` on stderr for each finding.
  static func warn(_ health: DatasetHealth) {
    for line in health.warnings { Console.writeError("graft: warning: data: \(line)\n") }
  }

  /// The findings for a human, one per line under `health:` (or that there are none).
  static func text(_ health: DatasetHealth) -> String {
    let lines = health.warnings
    guard !lines.isEmpty else { return "health: no duplicates, leakage, unreadable files, imbalance or tiny classes\n" }
    var out = "health:\n" + lines.map { "  \($0)\n" }.joined()
    for (title, groups) in [("duplicates", health.duplicatesWithinClass), ("label noise", health.duplicatesAcrossClasses),
                            ("leakage", health.leakage)] {
      for group in groups.prefix(5) {
        out += "  \(title): " + group.files.map { ($0.isTest ? "test " : "") + "\($0.label): \($0.path)" }.joined(separator: " = ") + "\n"
      }
      if groups.count > 5 { out += "  \(title): … \(groups.count - 5) more group(s) (--json lists all)\n" }
    }
    for issue in health.unreadable.prefix(5) { out += "  unreadable: \(issue)\n" }
    return out
  }
}

extension HealthOutput {
  /// The findings of labelled texts (and test texts): identical texts (byte for byte) within a
  /// label, across labels and between the sets; the rows or files the loader skipped are the
  /// unreadable ones. Each text is named `DATA line N` / `DATA label/file.txt`.
  static func texts(_ data: TextDataset, test: TextDataset? = nil) -> DatasetHealth {
    func files(_ d: TextDataset) -> [DatasetHealth.File] {
      d.texts.indices.map { .init(path: "\(d.path) \(d.sources[$0])", label: d.labels[d.labelIndices[$0]]) }
    }
    var textOf: [String: String] = [:]
    for d in [data] + (test.map { [$0] } ?? []) {
      for (i, text) in d.texts.enumerated() { textOf["\(d.path) \(d.sources[i])"] = text }
    }
    return DatasetHealth.check(train: files(data), test: test.map(files) ?? [],
                               unreadable: data.issues + (test?.issues ?? [])) { file in
      SHA256.hash(Array((textOf[file.path] ?? "").utf8))
    }
  }
}
