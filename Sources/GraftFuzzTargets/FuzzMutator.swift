/// A deterministic, coverage-free mutation fuzzer: seeded mutations of a corpus fed to a
/// `FuzzTarget`. It runs where libFuzzer does not (`make test`'s smoke test, any platform) and
/// finds what blind mutation finds: truncations, flipped bits, lying sizes and counts (the
/// "interesting" integers below at every width and byte order), spliced inputs and the separators
/// text formats trip on. The same seed gives the same inputs, so a failure reproduces.
public struct FuzzMutator {
  private var state: UInt64

  public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

  /// splitmix64.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform integer in `0..<bound` (`bound` > 0).
  public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

  static let interesting: [UInt64] = [
    0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
    0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0x4000_0000_0000_0001,
  ]

  /// Bytes text formats are sensitive to.
  static let tokens: [[UInt8]] = [
    [0x20], [0x20, 0x20], [0x09], [0x0A], [0x0D, 0x0A], [0x00], [0x22], [0x2C], [0x2D], [0x2E], [0x65], [0x7B], [0x7D],
    [0x5B], [0x5D], [0x3A], [0x27], [0x5C], Array("nan".utf8), Array("inf".utf8), Array("1e309".utf8),
    Array("99999999999999999999".utf8), [0xC2, 0xA0], [0xCC, 0x81], [0xFF, 0xFE], [0xED, 0xA0, 0x80],
  ]

  /// `input` with one to four stacked mutations; `corpus` supplies splices.
  public mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
    var bytes = input
    for _ in 0...below(4) { mutateOnce(&bytes, corpus: corpus) }
    return bytes
  }

  private mutating func mutateOnce(_ bytes: inout [UInt8], corpus: [[UInt8]]) {
    if bytes.isEmpty { bytes = [UInt8(truncatingIfNeeded: next())]; return }
    let at = below(bytes.count)
    switch below(11) {
    case 0:  // flip a bit
      bytes[at] ^= 1 << UInt8(below(8))
    case 1:  // a random byte
      bytes[at] = UInt8(truncatingIfNeeded: next())
    case 2, 3:  // an interesting integer, 1/2/4/8 bytes, either byte order
      let width = [1, 2, 4, 8][below(4)]
      var value = FuzzMutator.interesting[below(FuzzMutator.interesting.count)]
      if below(2) == 0 { value = value.byteSwapped >> (64 - 8 * UInt64(width)) }
      for k in 0..<width where at + k < bytes.count { bytes[at + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(k))) }
    case 4:  // truncate
      bytes.removeLast(bytes.count - at)
    case 5:  // delete a range
      bytes.removeSubrange(at..<min(bytes.count, at + 1 + below(16)))
    case 6:  // insert random bytes
      bytes.insert(contentsOf: (0...below(8)).map { _ in UInt8(truncatingIfNeeded: next()) }, at: at)
    case 7:  // duplicate a range
      let chunk = Array(bytes[at..<min(bytes.count, at + 1 + below(64))])
      bytes.insert(contentsOf: chunk, at: below(bytes.count + 1))
    case 8:  // splice with another input
      guard let other = corpus.isEmpty ? nil : corpus[below(corpus.count)], !other.isEmpty else { return }
      let from = below(other.count)
      bytes = Array(bytes[..<at]) + Array(other[from...])
    case 9:  // a token text formats trip on
      bytes.insert(contentsOf: FuzzMutator.tokens[below(FuzzMutator.tokens.count)], at: at)
    default:  // overwrite with a token
      let token = FuzzMutator.tokens[below(FuzzMutator.tokens.count)]
      for (k, b) in token.enumerated() where at + k < bytes.count { bytes[at + k] = b }
    }
  }
}

extension FuzzTarget {
  /// Runs the seeds, then `iterations` mutants of them (seeded), through the entry. Returns how
  /// many inputs the parser accepted. A bug shows as a trap, which ends the process: rerun with
  /// the same arguments to reproduce it.
  @discardableResult
  public func fuzz(seeds: [[UInt8]], iterations: Int, seed: UInt64) -> (runs: Int, accepted: Int) {
    var mutator = FuzzMutator(seed: seed)
    var accepted = 0
    for input in seeds where run(input) { accepted += 1 }
    guard !seeds.isEmpty else { return (0, 0) }
    for _ in 0..<iterations where run(mutator.mutate(seeds[mutator.below(seeds.count)], corpus: seeds)) { accepted += 1 }
    return (seeds.count + iterations, accepted)
  }
}
