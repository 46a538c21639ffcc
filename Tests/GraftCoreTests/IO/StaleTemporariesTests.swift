import Foundation
import GraftCore
import Testing

/// Leftovers of killed writes (`.NAME.tmp-PID-…`, `.NAME.old-PID`) are removed by the next write
/// when their process is gone, and never when it is alive.
@Suite struct StaleTemporariesTests {
  /// Larger than any Linux pid_max (at most 2^22), so no process has it.
  static let deadPID = 999_999_999

  static func bundle() -> ModelBundle {
    var g = Generator(seed: 1)
    return ModelBundle(config: ModelBundleTests.sampleConfig(), model: Linear(2, 2, using: &g))
  }

  func names(_ dir: String) -> Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []) }

  @Test func bundleWriteRemovesDeadLeftoversAndKeepsLiveOnes() throws {
    let dir = ModelBundleTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let fm = FileManager.default
    let deadTemp = ".m.graft.tmp-\(Self.deadPID)-abc", liveTemp = ".m.graft.tmp-\(getpid())-def"
    let deadOld = ".m.graft.old-\(Self.deadPID)", otherName = ".n.graft.tmp-\(Self.deadPID)-abc"
    for name in [deadTemp, liveTemp, otherName] { try fm.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: false) }
    try Self.bundle().write(to: dir + "/m.graft")
    try fm.createDirectory(atPath: dir + "/" + deadOld, withIntermediateDirectories: false)
    try Self.bundle().write(to: dir + "/m.graft")
    // Dead temporaries and the stale backup of m.graft are gone; a live writer's and another bundle's stay.
    #expect(names(dir) == ["m.graft", liveTemp, otherName])
  }

  @Test func readingAMissingBundleNamesTheBackupOfAnInterruptedWrite() throws {
    let dir = ModelBundleTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.bundle().write(to: dir + "/m.graft")
    // What a kill between the two renames of the fallback replacement leaves.
    let backup = dir + "/.m.graft.old-\(Self.deadPID)"
    try FileManager.default.moveItem(atPath: dir + "/m.graft", toPath: backup)
    #expect(throws: BundleError(path: dir + "/m.graft", reason: .interruptedWrite(backup: backup))) {
      try ModelBundle.read(from: dir + "/m.graft")
    }
  }

  @Test func atomicFileWriteRemovesDeadTemporaries() throws {
    let dir = ModelBundleTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let dead = ".x.json.tmp-\(Self.deadPID)-1f", notOurs = ".x.json.tmp-notapid"
    for name in [dead, notOurs] { FileManager.default.createFile(atPath: dir + "/" + name, contents: Data([1])) }
    try AtomicFile.write([1, 2, 3], to: dir + "/x.json")
    #expect(names(dir) == ["x.json", notOurs])
  }
}
