import Foundation
import Glibc
import Testing

/// A PNG's header fields cannot make `graft` reserve memory the file cannot describe. The input
/// is the fuzz regression `png/scal-chunk-claims-1.9-gb.png`: 502 bytes whose `sCAL` chunk claims
/// 1,929,405,696 bytes. libpng 1.6.39 warns that the chunk is over its chunk limit and allocates
/// it anyway; `graft vision info` and `decode` peaked at 1.9 GB before the CPNG shim's allocator
/// refused allocations over what the file can hold (docs/RELIABILITY.md).
@Suite struct PNGMemoryBoundTests {
  static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("GraftFuzzTests/Regressions/png/scal-chunk-claims-1.9-gb.png").path

  /// Runs `graft arguments` with its output discarded; its exit status and peak resident set size
  /// (this child's own, from `wait4`).
  static func peakMemory(_ arguments: [String]) throws -> (status: Int32, maxRSSKilobytes: Int) {
    let path = GraftBinary.url.path
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    try #require(spawned == 0, "posix_spawn \(path): \(String(cString: strerror(spawned)))")
    var status: Int32 = 0
    var usage = rusage()
    #expect(wait4(pid, &status, 0, &usage) == pid)
    let exited = status & 0x7f == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), usage.ru_maxrss)
  }

  @Test(arguments: [["vision", "info"], ["vision", "decode"]])
  func aChunkClaimingGigabytesIsRefusedWithinBoundedMemory(_ command: [String]) throws {
    let out = NSTemporaryDirectory() + "graft-png-bound-\(UUID().uuidString).npy"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let arguments = command + [Self.input] + (command.last == "decode" ? ["--out", out] : [])
    let run = try Self.peakMemory(arguments)
    #expect(run.status == 1, "\(command): exit \(run.status)")
    #expect(run.maxRSSKilobytes < 300_000, "\(command): peak \(run.maxRSSKilobytes) kB for a 502-byte file")
    #expect(!FileManager.default.fileExists(atPath: out))
    // The message names the file and says it is corrupt.
    let result = try GraftBinary.run(arguments)
    #expect(result.stderr.contains(Self.input) && result.stderr.contains("corrupt PNG"), "\(result.stderr)")
  }
}
