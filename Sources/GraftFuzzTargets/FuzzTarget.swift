import Foundation

/// One parser under fuzzing: a name, an entry that takes arbitrary bytes, and valid inputs to
/// start from.
///
/// The entry must never trap, whatever the bytes: it feeds them to the parser the way a user's
/// file reaches it (through a path where the parser takes a path) and swallows the parser's typed
/// error. A trap, an overflow, an out-of-bounds access or an unbounded allocation is the bug a
/// fuzzer reports. The same entries run under libFuzzer (`Fuzz/`, `make fuzz`) and under the
/// deterministic `FuzzMutator` in `make test`.
///
/// Adding a parser is one `FuzzTarget(...)` in `FuzzTargets.all`.
public struct FuzzTarget: Sendable {
  /// Short name: `png`, `npy`, …; corpus folders and `GRAFT_FUZZ_TARGET` use it.
  public let name: String
  /// What the parser is, for listings.
  public let summary: String
  /// File extensions (no dot) of inputs worth seeding a corpus with (`make fuzz` gathers such
  /// files from `../shared/conformance`, SampleData and the test fixtures).
  public let seedExtensions: [String]
  /// Small valid inputs made in code, so a corpus never depends on files outside the repository.
  public let seeds: @Sendable () -> [[UInt8]]
  /// Runs the parser on the bytes; returns whether it accepted them (for statistics only).
  public let entry: @Sendable (UnsafeRawBufferPointer) -> Bool

  public init(name: String, summary: String, seedExtensions: [String], seeds: @escaping @Sendable () -> [[UInt8]],
              entry: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool) {
    self.name = name
    self.summary = summary
    self.seedExtensions = seedExtensions
    self.seeds = seeds
    self.entry = entry
  }

  /// Runs the entry on `bytes`.
  @discardableResult
  public func run(_ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { entry($0) }
  }
}

/// Scratch files for entries whose parser reads a path: one per target and process, under
/// `/dev/shm` when it exists (memory, no disk writes), else the temporary directory; the folder
/// is removed when the process exits normally.
enum ScratchFile {
  static let directory: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = (base as NSString).appendingPathComponent("graft-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: ScratchFile.directory) }
    return dir
  }()

  /// `<directory>/<name>`, with `bytes` written to it (a failed write leaves the file short, which
  /// the parser then reports like any other damage).
  static func write(_ bytes: UnsafeRawBufferPointer, named name: String) -> String {
    let path = directory + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    if fd >= 0 {
      var offset = 0
      while offset < bytes.count, let base = bytes.baseAddress {
        let n = Glibc.write(fd, base + offset, bytes.count - offset)
        if n <= 0 { break }
        offset += n
      }
      close(fd)
    }
    return path
  }
}
