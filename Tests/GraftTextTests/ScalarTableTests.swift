import Testing
@testable import GraftText

/// The per-code-point table the tokenizer reads for planes 0–1 must say exactly what the
/// Unicode property lookups say, for every code point it covers.
@Suite struct ScalarTableTests {
  @Test func tableAgreesWithThePropertiesForEveryCodePoint() {
    var classMismatches: [UInt32] = [], stableMismatches: [UInt32] = [], caseMismatches: [UInt32] = []
    for v in 0..<TokenizerRules.tablePlanes {
      let entry = TokenizerRules.scalarTable[Int(v)]
      if entry.scalarClass != TokenizerRules.classifyByProperties(v) { classMismatches.append(v) }
      if entry.nfkcStable != TokenizerRules.isNFKCStableByProperties(v) { stableMismatches.append(v) }
      // The bit says exactly whether String.lowercased() changes the scalar.
      if let scalar = Unicode.Scalar(v), entry.lowercaseStable != (String(scalar).lowercased() == String(scalar)) {
        caseMismatches.append(v)
      }
    }
    #expect(classMismatches.isEmpty, "\(classMismatches.prefix(10).map { String($0, radix: 16) })")
    #expect(stableMismatches.isEmpty, "\(stableMismatches.prefix(10).map { String($0, radix: 16) })")
    #expect(caseMismatches.isEmpty, "\(caseMismatches.prefix(10).map { String($0, radix: 16) })")
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
    #expect(R.scalarTable[0x00E9].lowercaseStable && !R.scalarTable[0x00C9].lowercaseStable)  // é, É
    #expect(R.scalarTable[0x1F600].lowercaseStable && !R.scalarTable[0x0130].lowercaseStable) // 😀, İ
  }

  /// Non-ASCII tokens lowercase as String.lowercased() does, by bytes or by the fallback.
  @Test func nonASCIITokensLowercaseAsTheStandardLibrary() {
    let text = "Café CAFÉ ÉCOLE naïve İstanbul ΟΔΟΣ Straße ǅemal don’t DON’T Ⱥb 中文 😀 ÀB’CD"
    let tokens = Tokenizer().tokenize(text)
    let reference = Tokenizer(lowercase: false).tokenize(text).map { $0.lowercased() }
    #expect(tokens == reference)
    #expect(tokens.contains("café") && tokens.contains("école") && tokens.contains("ⱥb"))
  }
}

/// The written-out URL prefix test against the list it stands for.
@Suite struct URLPrefixTests {
  static func reference(_ bytes: [UInt8]) -> Int {
    for prefix in TokenizerRules.urlPrefixes where prefix.count < bytes.count {
      if zip(prefix, bytes).allSatisfy({ c, b in b | (c >= 0x61 ? 0x20 : 0) == c }) { return prefix.count }
    }
    return 0
  }

  @Test func agreesWithTheList() {
    var cases = ["http://x", "HTTPS://x", "hTtP://", "http://", "https:/x", "ftp://a", "FTP://", "ftp:/x",
                 "www.a", "WWW.", "www", "wwwx.y", "httpx", "h", "", "Http:x//", "https//a", "ftp:///"]
    var g = SystemRandomNumberGenerator()
    let alphabet = Array("hHtTpPsSfFwW:/.x".utf8)
    for _ in 0..<3000 {
      cases.append(String(decoding: (0..<Int.random(in: 0...9, using: &g)).map { _ in alphabet.randomElement(using: &g)! },
                          as: UTF8.self))
    }
    for text in cases {
      let bytes = Array(text.utf8)
      let fast = bytes.withUnsafeBufferPointer { TokenizerRules.urlPrefixLength($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, 0, bytes.count) }
      #expect(fast == Self.reference(bytes), "\(text)")
    }
  }
}
