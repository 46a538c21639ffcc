import Testing
@testable import GraftText

/// The per-code-point table the tokenizer reads for planes 0–1 must say exactly what the
/// Unicode property lookups say, for every code point it covers.
@Suite struct ScalarTableTests {
  @Test func tableAgreesWithThePropertiesForEveryCodePoint() {
    var classMismatches: [UInt32] = [], stableMismatches: [UInt32] = []
    for v in 0..<TokenizerRules.tablePlanes {
      let entry = TokenizerRules.scalarTable[Int(v)]
      if entry.scalarClass != TokenizerRules.classifyByProperties(v) { classMismatches.append(v) }
      if entry.nfkcStable != TokenizerRules.isNFKCStableByProperties(v) { stableMismatches.append(v) }
    }
    #expect(classMismatches.isEmpty, "\(classMismatches.prefix(10).map { String($0, radix: 16) })")
    #expect(stableMismatches.isEmpty, "\(stableMismatches.prefix(10).map { String($0, radix: 16) })")
  }

  @Test func knownScalarsClassifyAsTheRulesSay() {
    let R = TokenizerRules.self
    #expect(R.classify(0x00E9) == .word)          // é
    #expect(R.classify(0x4E2D) == .ideograph)     // 中
    #expect(R.classify(0x1F600) == .emoji)        // 😀
    #expect(R.classify(0x1F1EB) == .regionalIndicator)
    #expect(R.classify(0xFE0F) == .extender)
    #expect(R.classify(0x200D) == .joiner)
    #expect(R.classify(0x200B) == .ignorable)
    #expect(R.classify(0x0301) == .mark)
    #expect(R.classify(0x3000) == .space)
    #expect(R.classify(0x2014) == .symbol)        // —
    #expect(R.classify(0x20000) == .ideograph)    // past the table: by properties
    #expect(R.scalarTable[0x2019].nfkcStable)     // ’ passes
    #expect(!R.scalarTable[0x2026].nfkcStable)    // … does not (NFKC: "...")
  }
}
