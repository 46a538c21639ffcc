import Foundation
import Testing

/// A PNG's header fields cannot make `graft` reserve memory the file cannot describe. The input
/// is the fuzz regression `png/scal-chunk-claims-1.9-gb.png`: 502 bytes whose `sCAL` chunk claims
/// 1,929,405,696 bytes. libpng 1.6.39 warns that the chunk is over its chunk limit and allocates
/// it anyway; `graft vision info` and `decode` peaked at 1.9 GB before the CPNG shim's allocator
/// refused allocations over what the file can hold (docs/RELIABILITY.md; the allocation itself is
/// checked in CShimTests' `PNGAllocationBoundTests`).
@Suite struct PNGMemoryBoundTests {
  static let input = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("GraftFuzzTests/Regressions/png/scal-chunk-claims-1.9-gb.png").path

  /// Through the CLI: exit 1, a message naming the file, no output file.
  @Test(arguments: [["vision", "info"], ["vision", "decode"]])
  func theCommandsRefuseTheFile(_ command: [String]) throws {
    let out = NSTemporaryDirectory() + "graft-png-bound-\(UUID().uuidString).npy"
    defer { try? FileManager.default.removeItem(atPath: out) }
    let result = try GraftBinary.run(command + [Self.input] + (command.last == "decode" ? ["--out", out] : []))
    #expect(result.status == 1, "\(command): exit \(result.status)")
    #expect(result.stderr.contains(Self.input) && result.stderr.contains("corrupt PNG"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
