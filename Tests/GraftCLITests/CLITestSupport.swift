import Foundation
import Testing

/// Runs the built `graft` binary and captures its output and exit code.
struct CLIResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum GraftBinary {
  /// The `graft` executable next to the test bundle (same build directory).
  static var url: URL {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var dir = testBinary.deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = dir.appendingPathComponent("graft")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
      dir = dir.deletingLastPathComponent()
    }
    // Fallback: the package's default debug build folder.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug/graft")
  }

  static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
    try run(executable: url, arguments, environment: environment)
  }

  /// Runs `executable` (the binary, or a launcher such as `mpirun` given the binary's path).
  static func run(executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    // A fresh feature cache per run unless the test names one: runs never share features
    // (or touch the user's ~/.cache/graft).
    var scratchCache: String? = nil
    if environment["GRAFT_CACHE_DIR"] == nil {
      scratchCache = NSTemporaryDirectory() + "graft-test-cache-" + UUID().uuidString
      env["GRAFT_CACHE_DIR"] = scratchCache
    }
    defer { if let scratchCache { try? FileManager.default.removeItem(atPath: scratchCache) } }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting so a full pipe cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                     stderr: String(decoding: errData, as: UTF8.self))
  }
}
