/// Character classes and the small pattern matchers behind `Tokenizer`.
///
/// Everything here works on UTF-8 bytes. ASCII bytes are classified by one 256-entry table;
/// a non-ASCII scalar is decoded once and classified by its Unicode properties
/// (`Unicode.Scalar.Properties`: general category, `isWhitespace`, `isIdeographic`, `isEmoji`).
enum TokenizerRules {
  // MARK: ASCII byte classes

  static let alpha: UInt8 = 1
  static let digit: UInt8 = 2
  static let space: UInt8 = 4       // space, \t, \n, \v, \f, \r and the other C0 controls, DEL
  static let punct: UInt8 = 8       // every other printable ASCII byte
  static let emailLocal: UInt8 = 16 // . _ % + - (with alpha and digit: an e-mail local part)
  static let alnum: UInt8 = alpha | digit

  /// Class bits for every byte; bytes ≥ 0x80 have no bits (they start or continue a scalar).
  static let asciiClasses: [UInt8] = {
    var table = [UInt8](repeating: 0, count: 256)
    for b in 0..<128 {
      let c = UInt8(b)
      switch c {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): table[b] = alpha
      case UInt8(ascii: "0")...UInt8(ascii: "9"): table[b] = digit
      case 0..<0x21, 0x7F: table[b] = space
      default: table[b] = punct
      }
    }
    for c in "._%+-".utf8 { table[Int(c)] |= emailLocal }
    return table
  }()

  // MARK: Non-ASCII scalars

  /// What a non-ASCII scalar does in a token stream.
  enum ScalarClass: UInt8, Equatable {
    /// White space (`White_Space`) and controls: separates tokens, never emitted.
    case space
    /// Letters and numbers (general categories L*, N*): part of a word.
    case word
    /// Combining marks (M*): part of the token before them, so no grapheme cluster is split;
    /// a word when nothing precedes them.
    case mark
    /// A Han ideograph (`Ideographic`): always a token of its own.
    case ideograph
    /// An emoji (`Emoji` property) that starts an emoji sequence.
    case emoji
    /// A regional indicator (U+1F1E6–U+1F1FF); two of them make a flag.
    case regionalIndicator
    /// Variation selectors, skin-tone modifiers, the keycap mark and tag characters: they
    /// extend the token before them.
    case extender
    /// U+200D ZERO WIDTH JOINER: joins two emoji; elsewhere ignored.
    case joiner
    /// Other format characters (general category Cf, e.g. U+200B, U+FEFF): ignored.
    case ignorable
    /// Punctuation, symbols, private-use and unassigned code points: a token of its own.
    case symbol
  }

  /// The class of `value`: from `scalarTable` for planes 0 and 1 (every script and the emoji blocks),
  /// by its Unicode properties above.
  @inline(__always)
  static func classify(_ value: UInt32) -> ScalarClass {
    value < tablePlanes ? scalarTable[Int(value)].scalarClass : classifyByProperties(value)
  }

  /// Code points below this are looked up in `scalarTable`.
  static let tablePlanes: UInt32 = 0x20000

  /// One byte per code point of planes 0–1: the `ScalarClass` raw value in the low bits,
  /// `nfkcStableBit` when the scalar alone passes `isNFKCStable`'s test and
  /// `lowercaseStableBit` when lowercasing leaves it unchanged. The Unicode property lookups
  /// behind these (binary properties, general category, case mappings) were ~28 % of
  /// tokenizing time; the table is built once per process on first use, from the same functions.
  static let scalarTable: [ScalarEntry] = (0..<Int(tablePlanes)).map { v in
    let value = UInt32(v)
    return ScalarEntry(scalarClass: classifyByProperties(value), nfkcStable: isNFKCStableByProperties(value),
                       lowercaseStable: isLowercaseStableByProperties(value))
  }

  struct ScalarEntry {
    let bits: UInt8
    static let nfkcStableBit: UInt8 = 0x80
    static let lowercaseStableBit: UInt8 = 0x40

    init(scalarClass: ScalarClass, nfkcStable: Bool, lowercaseStable: Bool) {
      bits = scalarClass.rawValue | (nfkcStable ? Self.nfkcStableBit : 0) | (lowercaseStable ? Self.lowercaseStableBit : 0)
    }

    var scalarClass: ScalarClass { ScalarClass(rawValue: bits & 0x3F)! }
    var nfkcStable: Bool { bits & Self.nfkcStableBit != 0 }
    var lowercaseStable: Bool { bits & Self.lowercaseStableBit != 0 }
  }

  /// Whether `String.lowercased()` leaves the scalar unchanged (its lowercase mapping is itself).
  static func isLowercaseStableByProperties(_ value: UInt32) -> Bool {
    guard let scalar = Unicode.Scalar(value) else { return true }
    return !scalar.properties.changesWhenLowercased
  }

  /// Whether lowercasing leaves the token `[start, end)` unchanged except for ASCII capitals
  /// (which a byte loop lowers): no non-ASCII scalar in it changes when lowercased.
  static func lowercasesByteWise(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var j = start
    while j < end {
      if p[j] < 0x80 { j += 1; continue }
      let (value, length) = decode(p, j, end)
      guard value < tablePlanes, scalarTable[Int(value)].lowercaseStable else { return false }
      j += length
    }
    return true
  }

  static func classifyByProperties(_ value: UInt32) -> ScalarClass {
    switch value {
    case 0x1F1E6...0x1F1FF: return .regionalIndicator
    case 0xFE00...0xFE0F, 0x1F3FB...0x1F3FF, 0x20E3, 0xE0020...0xE007F, 0xE0100...0xE01EF: return .extender
    case 0x200D: return .joiner
    default: break
    }
    guard let scalar = Unicode.Scalar(value) else { return .symbol }
    let properties = scalar.properties
    if properties.isWhitespace { return .space }
    if properties.isIdeographic { return .ideograph }
    switch properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .decimalNumber, .letterNumber, .otherNumber:
      return .word
    case .nonspacingMark, .spacingMark, .enclosingMark:
      return .mark
    case .control, .lineSeparator, .paragraphSeparator, .spaceSeparator: return .space
    case .format: return .ignorable
    default: break
    }
    return properties.isEmoji ? .emoji : .symbol
  }

  /// Decodes the scalar starting at `i` (a non-ASCII lead byte). Returns its value and length;
  /// a malformed sequence decodes as U+FFFD of length 1, so scanning always advances.
  @inline(__always)
  static func decode(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> (value: UInt32, length: Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    @inline(__always) func cont(_ k: Int) -> UInt32? {
      guard k < n, p[k] & 0xC0 == 0x80 else { return nil }
      return UInt32(p[k] & 0x3F)
    }
    if b0 & 0xE0 == 0xC0, let c1 = cont(i + 1) { return ((b0 & 0x1F) << 6 | c1, 2) }
    if b0 & 0xF0 == 0xE0, let c1 = cont(i + 1), let c2 = cont(i + 2) {
      return ((b0 & 0x0F) << 12 | c1 << 6 | c2, 3)
    }
    if b0 & 0xF8 == 0xF0, let c1 = cont(i + 1), let c2 = cont(i + 2), let c3 = cont(i + 3) {
      return ((b0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3, 4)
    }
    return (0xFFFD, 1)
  }

  /// Whether NFKC leaves `[start, end)` unchanged, judged conservatively scalar by scalar (a
  /// false "no" only costs a call to Foundation). Each non-ASCII scalar must not change under
  /// NFKC_Casefold (`Changes_When_NFKC_Casefolded` is false, so it has no compatibility
  /// decomposition and is already composed) and must not be able to compose with the scalar
  /// before it (canonical combining class 0, not a mark, not a conjoining Hangul jamo).
  /// Curly quotes and dashes pass; accented capitals, `…` and emoji with U+FE0F go to NFKC.
  static func isNFKCStable(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
    var k = start
    while k < end {
      if p[k] < 0x80 { k += 1; continue }
      let (value, length) = decode(p, k, end)
      let stable = value < tablePlanes ? scalarTable[Int(value)].nfkcStable : isNFKCStableByProperties(value)
      if !stable { return false }
      k += length
    }
    return true
  }

  /// `isNFKCStable`'s test of one non-ASCII scalar.
  static func isNFKCStableByProperties(_ value: UInt32) -> Bool {
    guard let scalar = Unicode.Scalar(value), !(0x1100...0x11FF).contains(value) else { return false }
    let properties = scalar.properties
    if properties.changesWhenNFKCCaseFolded || properties.canonicalCombiningClass != .notReordered { return false }
    switch properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark: return false
    default: return true
    }
  }

  // MARK: Patterns

  /// The URL schemes that start a URL token, and `www.`; matched case-insensitively.
  static let urlPrefixes: [[UInt8]] = ["http://", "https://", "ftp://", "www."].map { Array($0.utf8) }

  /// The length of the `urlPrefixes` entry (letters in any case) at `start` when at least one
  /// byte follows it, else 0. Written out byte by byte: it runs for every word starting with
  /// h, f or w.
  @inline(__always)
  static func urlPrefixLength(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int) -> Int {
    guard start + 4 < n else { return 0 }
    @inline(__always) func at(_ k: Int) -> UInt8 { p[start + k] }
    @inline(__always) func lower(_ k: Int) -> UInt8 { let b = p[start + k]; return b &- 0x41 < 26 ? b | 0x20 : b }
    let (a, b, c, d) = (lower(0), lower(1), lower(2), lower(3))
    let colon = UInt8(ascii: ":"), slash = UInt8(ascii: "/")
    if a == UInt8(ascii: "h") && b == UInt8(ascii: "t") && c == UInt8(ascii: "t") && d == UInt8(ascii: "p") {
      if start + 7 < n && at(4) == colon && at(5) == slash && at(6) == slash { return 7 }
      if start + 8 < n && lower(4) == UInt8(ascii: "s") && at(5) == colon && at(6) == slash && at(7) == slash { return 8 }
      return 0
    }
    if a == UInt8(ascii: "f") && b == UInt8(ascii: "t") && c == UInt8(ascii: "p") && d == colon {
      return start + 6 < n && at(4) == slash && at(5) == slash ? 6 : 0
    }
    return a == UInt8(ascii: "w") && b == UInt8(ascii: "w") && c == UInt8(ascii: "w") && d == UInt8(ascii: ".") ? 4 : 0
  }

  /// Length of the URL starting at `start`, or nil. A URL starts with one of `urlPrefixes`, has at
  /// least one more character, and runs to the next white space or `<`, `>`, `"`. Trailing
  /// `. , ; : ! ? ' ]` `}` are left out (they end the sentence, not the URL), as is a trailing `)`
  /// that has no `(` to match in the URL (so Wikipedia-style `…/Swift_(language)` stays whole).
  static func urlEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ classes: UnsafePointer<UInt8>) -> Int? {
    let prefixLength = urlPrefixLength(p, start, n)
    if prefixLength == 0 { return nil }
    var j = start + prefixLength
    var openParens = 0
    var closeParens = 0
    while j < n {
      let b = p[j]
      if b < 0x80 {
        if classes[Int(b)] & space != 0 || b == UInt8(ascii: "<") || b == UInt8(ascii: ">") || b == UInt8(ascii: "\"") { break }
        if b == UInt8(ascii: "(") { openParens += 1 }
        if b == UInt8(ascii: ")") { closeParens += 1 }
        j += 1
      } else {
        let (value, length) = decode(p, j, n)
        if classify(value) == .space { break }
        j += length
      }
    }
    while j > start + prefixLength {
      let last = p[j - 1]
      if ".,;:!?']}".utf8.contains(last) {
        j -= 1
      } else if last == UInt8(ascii: ")") && closeParens > openParens {
        j -= 1
        closeParens -= 1
      } else {
        break
      }
    }
    return j > start + prefixLength ? j : nil
  }

  /// End of the e-mail address starting at `start`, or nil: an ASCII local part of
  /// `[A-Za-z0-9._%+-]`, `@`, then two or more labels of `[A-Za-z0-9-]` joined by single dots,
  /// the last of at least two letters. A final dot is not part of the address.
  static func emailEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ classes: UnsafePointer<UInt8>) -> Int? {
    var j = start
    while j < n, p[j] < 0x80, classes[Int(p[j])] & (alnum | emailLocal) != 0 { j += 1 }
    guard j > start, j < n, p[j] == UInt8(ascii: "@") else { return nil }
    j += 1
    var labels = 0
    var end: Int?
    var lastLabelAlphaOnly = false
    while true {
      let labelStart = j
      var alphaOnly = true
      while j < n, p[j] < 0x80, classes[Int(p[j])] & alnum != 0 || p[j] == UInt8(ascii: "-") {
        if classes[Int(p[j])] & alpha == 0 { alphaOnly = false }
        j += 1
      }
      if j == labelStart { break }
      labels += 1
      lastLabelAlphaOnly = alphaOnly && j - labelStart >= 2
      if labels >= 2 && lastLabelAlphaOnly { end = j }
      guard j + 1 < n, p[j] == UInt8(ascii: "."), classes[Int(p[j + 1])] & alnum != 0 else { break }
      j += 1
    }
    return end
  }

  /// End of an abbreviation of single letters each followed by a dot (`U.S.`, `e.g.`, `i.e.`),
  /// at least two of them and not followed by a letter or digit; nil otherwise.
  static func abbreviationEnd(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ classes: UnsafePointer<UInt8>) -> Int? {
    var k = start
    var count = 0
    while k + 1 < n, p[k] < 0x80, classes[Int(p[k])] & alpha != 0, p[k + 1] == UInt8(ascii: ".") {
      k += 2
      count += 1
    }
    guard count >= 2 else { return nil }
    if k < n && (p[k] >= 0x80 || classes[Int(p[k])] & alnum != 0) { return nil }
    return k
  }

  /// Where to split the word `[start, end)` whose last apostrophe (`'` or U+2019, `apostropheLength`
  /// bytes) is at `apostrophe`, or nil to keep it whole. English clitics, as the Penn Treebank:
  /// `n't` (`don't` → `do n't`, `can't` → `ca n't`) and `'s 'm 'd 're 've 'll`
  /// (`it's` → `it 's`); matched case-insensitively, and only with a letter before them.
  static func contractionSplit(_ p: UnsafePointer<UInt8>, start: Int, end: Int, apostrophe: Int, apostropheLength: Int) -> Int? {
    let suffixStart = apostrophe + apostropheLength
    let suffixLength = end - suffixStart
    @inline(__always) func lower(_ k: Int) -> UInt8 { p[k] | 0x20 }
    switch suffixLength {
    case 1:
      let c = lower(suffixStart)
      if c == UInt8(ascii: "t"), apostrophe - 1 > start, lower(apostrophe - 1) == UInt8(ascii: "n") {
        return apostrophe - 1
      }
      if c == UInt8(ascii: "s") || c == UInt8(ascii: "m") || c == UInt8(ascii: "d") {
        return apostrophe > start ? apostrophe : nil
      }
    case 2:
      let a = lower(suffixStart), b = lower(suffixStart + 1)
      if (a == UInt8(ascii: "r") && b == UInt8(ascii: "e")) || (a == UInt8(ascii: "v") && b == UInt8(ascii: "e"))
        || (a == UInt8(ascii: "l") && b == UInt8(ascii: "l")) {
        return apostrophe > start ? apostrophe : nil
      }
    default: break
    }
    return nil
  }
}
