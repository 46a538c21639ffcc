import Foundation
import GraftFuzzTargets
import Testing

/// A short, deterministic fuzz run of every parser in `make test` (the long runs are `make fuzz`,
/// docs/RELIABILITY.md): seeded mutations of each target's seeds and of the committed test
/// fixtures of its format, through the same entries libFuzzer drives. A trap ends the test
/// process, so a failure is a crash; the seed (16) and iteration count reproduce it.
///
/// Every input a fuzzer once crashed on lives in `Regressions/<target>/` and runs first.
@Suite struct FuzzSmokeTests {
  static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

  /// Mutants per target, sized so the whole smoke run stays well under a minute in a debug build
  /// on two cores (the file-based parsers write one scratch file per input).
  static let iterations: [String: Int] = ["audio": 5000]
  static let defaultIterations = 12000

  /// Committed fixtures of the target's formats (at most 64 KiB each), as extra seeds.
  static func fixtures(for target: FuzzTarget) -> [[UInt8]] {
    let fm = FileManager.default
    var out: [[UInt8]] = []
    guard let walker = fm.enumerator(atPath: tests.path) else { return [] }
    for case let relative as String in walker where relative.contains("/Fixtures/") {
      let ext = (relative as NSString).pathExtension.lowercased()
      guard target.seedExtensions.contains(ext) else { continue }
      let path = tests.appendingPathComponent(relative).path
      guard let size = (try? fm.attributesOfItem(atPath: path))?[.size] as? Int, size <= 1 << 16,
            let data = fm.contents(atPath: path) else { continue }
      out.append([UInt8](data))
    }
    return out
  }

  /// `Regressions/<target>/*`: inputs that once crashed.
  static func regressions(for target: FuzzTarget) -> [[UInt8]] {
    let dir = tests.appendingPathComponent("GraftFuzzTests/Regressions/\(target.name)")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.sorted() ?? []
    return names.compactMap { FileManager.default.contents(atPath: dir.appendingPathComponent($0).path).map { [UInt8]($0) } }
  }

  @Test(arguments: FuzzTargets.all.map(\.name))
  func mutantsNeverTrap(_ name: String) throws {
    let target = try #require(FuzzTargets.named(name))
    for input in Self.regressions(for: target) { target.run(input) }
    let generated = target.seeds()
    #expect(!generated.isEmpty, "\(name): no seeds")
    // The seeds are valid inputs: the entry accepts them (so it reaches the parser's depth).
    #expect(generated.contains { target.run($0) }, "\(name): no seed accepted")
    let seeds = generated + Self.fixtures(for: target)
    let clock = ContinuousClock(), start = clock.now
    let result = target.fuzz(seeds: seeds, iterations: Self.iterations[name] ?? Self.defaultIterations, seed: 16)
    print("fuzz smoke \(name): \(result.runs) inputs (\(seeds.count) seeds), \(result.accepted) accepted, \(clock.now - start)")
    #expect(result.runs == seeds.count + (Self.iterations[name] ?? Self.defaultIterations))
  }

  @Test func mutatorIsDeterministic() {
    var a = FuzzMutator(seed: 3), b = FuzzMutator(seed: 3)
    let input = Array("12 4\nword 1 2 3 4\n".utf8)
    for _ in 0..<100 { #expect(a.mutate(input, corpus: [input]) == b.mutate(input, corpus: [input])) }
  }
}
