import GraftCore
import GraftText
import Foundation
import Testing

@Suite struct TokenizerTests {
  let tokenizer = Tokenizer()

  @Test(arguments: [
    // Words, punctuation, runs of one punctuation character.
    ("Hello, world!", ["hello", ",", "world", "!"]),
    ("Wait... what?!", ["wait", "...", "what", "?", "!"]),
    ("a--b (c) [d]", ["a", "--", "b", "(", "c", ")", "[", "d", "]"]),
    ("  \t\n ", []),
    ("", []),
    // Numbers stay whole; signs and currency are punctuation.
    ("It cost $1,000.50 or 3.14%.", ["it", "cost", "$", "1,000.50", "or", "3.14", "%", "."]),
    ("the 2nd of 1990s at 192.168.0.1", ["the", "2nd", "of", "1990s", "at", "192.168.0.1"]),
    ("-3.5 and 1,2", ["-", "3.5", "and", "1,2"]),
    ("end.The 5.", ["end", ".", "the", "5", "."]),
    // Hyphenated words, abbreviations.
    ("state-of-the-art e-mail", ["state-of-the-art", "e-mail"]),
    ("The U.S. and e.g. this", ["the", "u.s.", "and", "e.g.", "this"]),
    // Contractions (Penn Treebank).
    ("I don't know, it's John's.", ["i", "do", "n't", "know", ",", "it", "'s", "john", "'s", "."]),
    ("can't won't we're I'm you'll they've she'd", ["ca", "n't", "wo", "n't", "we", "'re", "i", "'m", "you", "'ll", "they", "'ve", "she", "'d"]),
    ("o'clock rock'n'roll 'tis dogs'", ["o'clock", "rock'n'roll", "'", "tis", "dogs", "'"]),
    ("don\u{2019}t", ["do", "n't"]),
    // URLs and e-mail addresses.
    ("See https://example.org/a?b=1&c=2.", ["see", "https://example.org/a?b=1&c=2", "."]),
    ("(www.Example.com/x_(y)) ok", ["(", "www.example.com/x_(y)", ")", "ok"]),
    ("mail jane.doe+tag@mail.example.co.uk, now", ["mail", "jane.doe+tag@mail.example.co.uk", ",", "now"]),
    ("not@email and a@b.c", ["not", "@", "email", "and", "a", "@", "b", ".", "c"]),
    ("http:// alone", ["http", ":", "//", "alone"]),
    // The example in docs/text.md.
    ("I don't like U.S. e-mail at jane@x.org 👍🏽", ["i", "do", "n't", "like", "u.s.", "e-mail", "at", "jane@x.org", "👍🏽"]),
  ])
  func englishRules(text: String, expected: [String]) {
    #expect(tokenizer.tokenize(text) == expected)
  }

  @Test(arguments: [
    // Emoji: modifiers, ZWJ sequences, flags, keycaps, each one token.
    ("I ❤️ it👍🏽!", ["i", "❤️", "it", "👍🏽", "!"]),
    ("👩🏽‍💻👨‍👩‍👧‍👦", ["👩🏽‍💻", "👨‍👩‍👧‍👦"]),
    ("🇫🇷🇩🇪 🏴󠁧󠁢󠁳󠁣󠁴󠁿", ["🇫🇷", "🇩🇪", "🏴󠁧󠁢󠁳󠁣󠁴󠁿"]),
    ("#️⃣ 1️⃣", ["#️⃣", "1️⃣"]),
    // CJK: one token per ideograph; kana and hangul form words.
    ("我爱中文。", ["我", "爱", "中", "文", "。"]),
    ("東京タワーへ行く", ["東", "京", "タワーへ", "行", "く"]),
    ("한국어 텍스트", ["한국어", "텍스트"]),
    // Other scripts, full Unicode lowercasing, symbols.
    ("Café naïve ΣΟΦΊΑ Straße", ["café", "naïve", "σοφία", "straße"]),
    ("Привет, мир — «да»", ["привет", ",", "мир", "—", "«", "да", "»"]),
    ("x\u{200B}y", ["x", "y"]),
    // Combining marks stay with the token before them.
    ("中\u{301}文 ,\u{301}", ["中\u{301}", "文", ",\u{301}"]),
    // NFKC: ligatures, full-width letters, decomposed accents, superscripts.
    ("ﬁne ＡＢＣ１２３ cafe\u{301} x²", ["fine", "abc123", "café", "x2"]),
  ])
  func unicodeRules(text: String, expected: [String]) {
    #expect(tokenizer.tokenize(text) == expected)
  }

  @Test func optionsTurnRulesOff() {
    let plain = Tokenizer(lowercase: false, normalizeNFKC: false, splitContractions: false)
    #expect(plain.tokenize("Don't ﬁne ÉTÉ") == ["Don't", "ﬁne", "ÉTÉ"])
    let cased = Tokenizer(lowercase: false)
    #expect(cased.tokenize("DON'T ＡＢ") == ["DO", "N'T", "AB"])
  }

  @Test func forEachTokenMatchesTokenize() {
    let text = "Mixed 中文 text, with émoji 🇯🇵 and e-mail a.b@c.io!"
    var streamed: [String] = []
    tokenizer.forEachToken(in: text) { streamed.append($0) }
    #expect(streamed == tokenizer.tokenize(text))
    #expect(streamed == ["mixed", "中", "文", "text", ",", "with", "émoji", "🇯🇵", "and", "e-mail", "a.b@c.io", "!"])
  }

  @Test func malformedAndEdgeInputNeverCrashes() {
    // Lone combining marks, stray modifiers and joiners, a dangling apostrophe, URL prefixes at the end.
    let odd = ["\u{301}", "\u{1F3FD}", "\u{200D}", "a\u{200D}", "'", "www.", "https://", "a@", "1.", "🇫", "x'", "n't"]
    for text in odd {
      let tokens = tokenizer.tokenize(text)
      #expect(tokens.joined().unicodeScalars.count <= text.unicodeScalars.count + 1, "\(text.debugDescription)")
    }
    #expect(tokenizer.tokenize("n't") == ["n't"])
    #expect(tokenizer.tokenize("🇫") == ["🇫"])
    #expect(tokenizer.tokenize("a\u{E000}\u{0378}") == ["a", "\u{E000}", "\u{0378}"])  // private use, unassigned
  }

  @Test func codableRoundTrip() throws {
    let t = Tokenizer(lowercase: false, normalizeNFKC: true, splitContractions: false)
    let data = try JSONEncoder().encode(t)
    #expect(try JSONDecoder().decode(Tokenizer.self, from: data) == t)
  }
}

@Suite struct TokenizerFuzzTests {
  /// Random bytes (decoded with U+FFFD replacement) never crash the scanner; with every option
  /// off, tokens are substrings of the input in order and only white space, format characters
  /// and lone joiners are dropped.
  @Test func randomTextIsCoveredByItsTokens() {
    var generator = Generator(seed: 5)
    let alphabet: [UInt8] = Array("aZ09 .,'-@:/\u{2019}é中😀🇫🇷\u{200D}\u{FE0F}\u{1F3FD}\u{301}".utf8)
    let plain = Tokenizer(lowercase: false, normalizeNFKC: false, splitContractions: false)
    for _ in 0..<300 {
      var bytes: [UInt8] = []
      for _ in 0..<generator.int(below: 40) {
        bytes.append(generator.int(below: 4) == 0 ? UInt8(generator.int(below: 256)) : alphabet[generator.int(below: alphabet.count)])
      }
      let text = String(decoding: bytes, as: UTF8.self)
      _ = Tokenizer().tokenize(text)
      let tokens = plain.tokenize(text)
      // Compare UTF-8 bytes; a curly apostrophe inside a word is written as "'".
      func bytesOf(_ s: String) -> [UInt8] { Array(s.replacingOccurrences(of: "\u{2019}", with: "'").utf8) }
      var rest = bytesOf(text)[...]
      for token in tokens {
        let t = bytesOf(token)
        guard let start = rest.indices.first(where: { rest[$0...].starts(with: t) }) else {
          Issue.record("\(text.debugDescription) → \(tokens): \(token.debugDescription) out of order")
          break
        }
        // Only white space, format characters and joiners may lie between tokens.
        let skipped = String(decoding: rest[rest.startIndex..<start], as: UTF8.self)
        #expect(skipped.unicodeScalars.allSatisfy { $0.properties.isWhitespace || [.format, .control].contains($0.properties.generalCategory) },
                "\(text.debugDescription) → \(tokens): dropped \(skipped.debugDescription)")
        rest = rest[(start + t.count)...]
      }
      #expect(String(decoding: rest, as: UTF8.self).unicodeScalars.allSatisfy { $0.properties.isWhitespace || [.format, .control].contains($0.properties.generalCategory) })
      #expect(!tokens.contains(""))
    }
  }

  /// NFKC applied run by run (with the stability shortcut) gives the same tokens as NFKC applied
  /// to the whole text first.
  @Test func runwiseNFKCMatchesWholeTextNFKC() {
    var generator = Generator(seed: 9)
    let pieces = ["a", "E", " ", "\u{A0}", "ﬁ", "²", "…", "É", "é", "e\u{301}", "\u{301}", "’", "—", "한", "\u{1100}\u{1161}",
                  "\u{1161}", "😀\u{FE0F}", "ＡＢ", "中", "Ω", "\u{2126}", "ǅ", ".", "1,0", "x\u{308}", "\u{0B47}\u{0B3E}", "n't"]
    let tokenizer = Tokenizer()
    let prenormalized = Tokenizer(normalizeNFKC: false)
    for _ in 0..<400 {
      let text = (0..<generator.int(below: 12)).map { _ in pieces[generator.int(below: pieces.count)] }.joined()
      #expect(tokenizer.tokenize(text) == prenormalized.tokenize(text.precomposedStringWithCompatibilityMapping),
              "\(text.debugDescription)")
    }
  }
}
