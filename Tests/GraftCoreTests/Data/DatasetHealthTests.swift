import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// `DatasetHealth` on tiny generated file sets: each finding is made on purpose and found.
@Suite struct DatasetHealthTests {
  /// `dir/<set>/<label>/<name>` with the given bytes.
  static func write(_ dir: TemporaryDirectory, _ relative: String, _ text: String) throws -> String {
    let path = dir.file(relative)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  @Test func findsDuplicatesLabelNoiseAndLeakage() throws {
    let dir = try TemporaryDirectory("graft-health")
    defer { dir.remove() }
    var train: [DatasetHealth.File] = []
    for i in 0..<12 { train.append(.init(path: try Self.write(dir, "train/cat/\(i)", "cat \(i)"), label: "cat")) }
    for i in 0..<12 { train.append(.init(path: try Self.write(dir, "train/dog/\(i)", "dog \(i)"), label: "dog")) }
    // Within a class: cat/dup is cat/0 again.
    train.append(.init(path: try Self.write(dir, "train/cat/dup", "cat 0"), label: "cat"))
    // Across classes: dog/noisy is cat/1's bytes.
    train.append(.init(path: try Self.write(dir, "train/dog/noisy", "cat 1"), label: "dog"))
    // Leakage: test/dog/leak is dog/5's bytes; test/dog/fresh is new.
    let test: [DatasetHealth.File] = [
      .init(path: try Self.write(dir, "test/dog/leak", "dog 5"), label: "dog"),
      .init(path: try Self.write(dir, "test/dog/fresh", "dog new"), label: "dog"),
    ]
    let health = DatasetHealth.check(train: train, test: test, hashes: ContentHashes())
    #expect(health.duplicatesWithinClass.count == 1)
    #expect(health.duplicatesWithinClass.first?.files.map { ($0.path as NSString).lastPathComponent } == ["0", "dup"])
    #expect(health.duplicatesAcrossClasses.count == 1)
    #expect(health.duplicatesAcrossClasses.first?.files.map(\.label) == ["cat", "dog"])
    #expect(health.leakage.count == 1)
    #expect(health.leakage.first?.files.map(\.isTest) == [false, true])
    #expect(health.duplicatesAcrossClasses.first?.digest == SHA256.hash(Array("cat 1".utf8)).hex)
    #expect(health.unreadable.isEmpty && health.tinyClasses.isEmpty && !health.isImbalanced)
    let warnings = health.warnings
    #expect(warnings.count == 3, "\(warnings)")
    #expect(warnings.contains("2 files in 1 group(s) of identical files within a class (duplicates)"))
    #expect(warnings.contains("2 files in 1 group(s) of identical files in different classes (label noise)"))
    #expect(warnings.contains("1 test file(s) identical to training files (leakage)"))
    let json = health.json
    #expect(json["leakage"]?.array?.first?["files"]?.array?.last?["set"]?.string == "test")
    #expect(json["warnings"]?.array?.count == 3)
  }

  @Test func findsUnreadableImbalancedAndTinyClasses() throws {
    let dir = try TemporaryDirectory("graft-health")
    defer { dir.remove() }
    var train: [DatasetHealth.File] = []
    for i in 0..<31 { train.append(.init(path: try Self.write(dir, "big/\(i)", "big \(i)"), label: "big")) }
    for i in 0..<10 { train.append(.init(path: try Self.write(dir, "mid/\(i)", "mid \(i)"), label: "mid")) }
    for i in 0..<9 { train.append(.init(path: try Self.write(dir, "small/\(i)", "small \(i)"), label: "small")) }
    train.append(.init(path: dir.file("small/missing"), label: "small"))
    let health = DatasetHealth.check(train: train, unreadable: [DataIssue(path: "x.png", reason: "not a PNG file")],
                                     hashes: ContentHashes())
    #expect(health.unreadable.map(\.path) == ["x.png", dir.file("small/missing")])
    // Counts include every listed file (the missing one is in "small": 10 listed, so not tiny? it is listed but
    // unreadable): classes are counted from what was listed.
    #expect(health.classCounts.map(\.count) == [31, 10, 10])
    #expect(health.imbalanceRatio == 3.1 && health.isImbalanced)
    #expect(health.tinyClasses.isEmpty)
    let tiny = DatasetHealth.check(train: Array(train.prefix(31 + 10 + 9)), hashes: ContentHashes())
    #expect(tiny.tinyClasses.map(\.label) == ["small"] && tiny.tinyClasses.map(\.count) == [9])
    #expect(tiny.warnings.contains("1 tiny class(es) (fewer than 10 items): small 9"))
    #expect(tiny.warnings.contains { $0.hasPrefix("classes imbalanced: 3.4× (largest big 31, smallest small 9") })
    #expect(health.warnings.contains("2 unreadable file(s)"))
    // Exactly 3×: not flagged.
    let even = DatasetHealth.check(train: Array(train.prefix(30)) + Array(train[31..<41]), hashes: ContentHashes())
    #expect(even.imbalanceRatio == 3 && !even.isImbalanced && even.warnings.isEmpty)
  }
}
