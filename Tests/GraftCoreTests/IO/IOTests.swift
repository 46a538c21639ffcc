import Foundation
import GraftCore
import Testing

/// The IO test suites nest in this one, so `swift test --filter IOTests` runs them all.
@Suite struct IOTests {}

/// Fixtures made by `Tools/fixtures/io.py` (see `Fixtures/io/README.md`).
enum IOFixture {
  /// `Tests/GraftCoreTests/Fixtures/io`, found from this file as argument-parser finds snapshots.
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // IO/
    .deletingLastPathComponent()  // GraftCoreTests/
    .appendingPathComponent("Fixtures/io").path

  static func path(_ name: String) -> String { directory + "/" + name }

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
  }
}

/// Runs `body` with a fresh empty directory that is removed afterwards.
@discardableResult
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
  let path = FileManager.default.temporaryDirectory
    .appendingPathComponent("graft-io-\(UUID().uuidString)").path
  try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try body(path)
}

func writeFile(_ bytes: [UInt8], to path: String) throws {
  try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func directoryListing(_ path: String) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}

/// Equal bit patterns, except that any NaN matches any NaN.
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { x, y in x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
}

func littleEndianBytes(_ values: [Float]) -> [UInt8] {
  values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
}
