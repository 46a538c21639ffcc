import Foundation

/// A Unicode-aware word tokenizer that works on UTF-8 bytes, with an ASCII fast path.
///
/// Text is scanned byte by byte; ASCII bytes are classified by a table, non-ASCII scalars by
/// their Unicode properties (see `TokenizerRules`). The rules, in the order they are tried:
///
/// 1. **White space** (ASCII, `White_Space`, controls) separates tokens; format characters
///    (Cf: U+200B, U+FEFF, a lone U+200D) are dropped.
/// 2. **URLs** starting `http://`, `https://`, `ftp://` or `www.` are one token up to the next
///    white space, without trailing sentence punctuation (`See https://a.org/x.` → `…/x`, `.`).
/// 3. **Abbreviations** of single letters with dots (`U.S.`, `e.g.`) are one token, dots included.
/// 4. **Words** are runs of letters, combining marks and digits (any script), so `2nd`, `1990s`
///    and `café` stay whole. Inside a word:
///    - `.` or `,` between two ASCII digits joins: numbers stay whole (`1,000.50`, `3.14`,
///      `192.168.0.1`); a sign is punctuation (`-3.5` → `-`, `3.5`);
///    - `-` between word characters joins (`state-of-the-art`, `e-mail`);
///    - an apostrophe (`'` or U+2019, written `'` in the token) between word characters joins
///      (`o'clock`, `rock'n'roll`).
/// 5. **E-mail addresses** (`name.surname+tag@mail.example.org`) are one token.
/// 6. **Contractions** (when `splitContractions`) split as the Penn Treebank does: `n't` comes
///    off with its `n` (`don't` → `do`, `n't`; `can't` → `ca`, `n't`; `won't` → `wo`, `n't`)
///    and `'s 'm 'd 're 've 'll` come off with their apostrophe (`it's` → `it`, `'s`;
///    `we're` → `we`, `'re`). Any other apostrophe stays inside the word.
/// 7. **Emoji** are one token per emoji sequence: a base emoji with its variation selectors,
///    skin-tone modifiers, keycap mark and tag characters, joined by U+200D to further emoji
///    (👩🏽‍💻 is one token); two regional indicators are one flag (🇫🇷).
/// 8. **Han ideographs** are one token each (`中文` → `中`, `文`); kana and hangul are letters
///    and form words.
/// 9. **Punctuation and symbols** are tokens of their own; a run of one repeated ASCII
///    punctuation character is one token (`...`, `!!`, `--`).
///
/// Combining marks, variation selectors and skin-tone modifiers always stay with the token
/// before them, so a token never ends inside a grapheme cluster.
///
/// With `lowercase`, ASCII tokens are lowercased by table and tokens with non-ASCII bytes by
/// `String.lowercased()` (full Unicode lowercasing, `ΣΟΦΊΑ` → `σοφία`). With `normalizeNFKC`,
/// each white-space-delimited run that contains a non-ASCII byte is normalized with Foundation's
/// `precomposedStringWithCompatibilityMapping` before it is scanned (`ﬁne` → `fine`,
/// `ＡＢＣ` → `abc`); pure ASCII is NFKC-stable and skips it.
public struct Tokenizer: Codable, Equatable, Sendable {
  public var lowercase: Bool
  public var normalizeNFKC: Bool
  public var splitContractions: Bool

  public init(lowercase: Bool = true, normalizeNFKC: Bool = true, splitContractions: Bool = true) {
    self.lowercase = lowercase
    self.normalizeNFKC = normalizeNFKC
    self.splitContractions = splitContractions
  }

  /// The tokens of `text`, in order.
  public func tokenize(_ text: String) -> [String] {
    var tokens: [String] = []
    tokens.reserveCapacity(text.utf8.count / 5)
    forEachToken(in: text) { tokens.append($0) }
    return tokens
  }

  /// Calls `body` with each token of `text`, in order, without collecting them.
  public func forEachToken(in text: String, _ body: (String) -> Void) {
    var text = text
    text.withUTF8 { bytes in
      guard let base = bytes.baseAddress else { return }
      TokenizerRules.asciiClasses.withUnsafeBufferPointer { classes in
        let scanner = Scanner(tokenizer: self, classes: classes.baseAddress!)
        if normalizeNFKC {
          scanner.scanNormalizing(base, bytes.count, body)
        } else {
          scanner.scan(base, 0, bytes.count, body)
        }
      }
    }
  }
}

/// One pass over a UTF-8 buffer; see `Tokenizer` for the rules.
private struct Scanner {
  let tokenizer: Tokenizer
  let classes: UnsafePointer<UInt8>
  typealias R = TokenizerRules

  /// Scans `[0, n)`, sending each white-space-delimited run that holds a non-ASCII byte through
  /// NFKC first, unless `TokenizerRules.isNFKCStable` shows NFKC would not change it. Runs end
  /// at ASCII white space, which no token crosses and NFKC never changes.
  func scanNormalizing(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (String) -> Void) {
    var position = 0  // bytes before it are scanned
    var q = 0         // bytes before it are ASCII or in NFKC-stable runs
    while true {
      // Find the next non-ASCII byte, eight bytes at a time.
      while q + 8 <= n && UnsafeRawPointer(p + q).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { q += 8 }
      while q < n && p[q] < 0x80 { q += 1 }
      if q == n { break }
      var chunkStart = q
      while chunkStart > position && classes[Int(p[chunkStart - 1])] & R.space == 0 { chunkStart -= 1 }
      var chunkEnd = q
      while chunkEnd < n && (p[chunkEnd] >= 0x80 || classes[Int(p[chunkEnd])] & R.space == 0) { chunkEnd += 1 }
      q = chunkEnd
      if R.isNFKCStable(p, chunkStart, chunkEnd) { continue }
      if chunkStart > position { scan(p, position, chunkStart, body) }
      var normalized = String(decoding: UnsafeBufferPointer(start: p + chunkStart, count: chunkEnd - chunkStart), as: UTF8.self)
        .precomposedStringWithCompatibilityMapping
      normalized.withUTF8 { chunk in
        if let base = chunk.baseAddress { scan(base, 0, chunk.count, body) }
      }
      position = chunkEnd
    }
    if position < n { scan(p, position, n, body) }
  }

  /// Scans `[start, n)`.
  func scan(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ body: (String) -> Void) {
    var i = start
    while i < n {
      let b = p[i]
      if b < 0x80 {
        let c = classes[Int(b)]
        if c & R.space != 0 { i += 1; continue }
        if c & R.alnum != 0 { i = scanWord(p, i, n, body); continue }
        var j = i + 1
        while j < n && p[j] == b { j += 1 }
        var ascii = true
        if j < n && p[j] >= 0x80 {
          let k = skipExtenders(p, j, n)
          if k > j { ascii = false; j = k }
        }
        emit(p, i, j, ascii: ascii, curlyApostrophe: false, body)
        i = j
        continue
      }
      let (value, length) = R.decode(p, i, n)
      switch R.classify(value) {
      case .space, .ignorable, .joiner:
        i += length
      case .word, .mark:
        i = scanWord(p, i, n, body)
      case .ideograph, .symbol:
        let j = skipExtenders(p, i + length, n)
        emit(p, i, j, ascii: false, curlyApostrophe: false, body)
        i = j
      case .emoji, .extender:
        let j = emojiEnd(p, i + length, n)
        emit(p, i, j, ascii: false, curlyApostrophe: false, body)
        i = j
      case .regionalIndicator:
        var j = i + length
        if j < n, case let (next, nextLength) = R.decode(p, j, n), R.classify(next) == .regionalIndicator {
          j += nextLength
        }
        j = skipExtenders(p, j, n)
        emit(p, i, j, ascii: false, curlyApostrophe: false, body)
        i = j
      }
    }
  }

  /// Whether a word character (ASCII letter or digit, or a non-ASCII letter, mark or number)
  /// starts at `k`.
  @inline(__always)
  private func wordCharacterStarts(_ p: UnsafePointer<UInt8>, _ k: Int, _ n: Int) -> Bool {
    guard k < n else { return false }
    let b = p[k]
    if b < 0x80 { return classes[Int(b)] & R.alnum != 0 }
    return R.classify(R.decode(p, k, n).value) == .word
  }

  /// Scans the word (or URL, abbreviation, e-mail address) starting at `start`; returns its end.
  private func scanWord(_ p: UnsafePointer<UInt8>, _ start: Int, _ n: Int, _ body: (String) -> Void) -> Int {
    let first = p[start]
    if first < 0x80 {
      let lower = first | 0x20
      if lower == UInt8(ascii: "h") || lower == UInt8(ascii: "f") || lower == UInt8(ascii: "w"),
         let end = R.urlEnd(p, start, n, classes) {
        var ascii = true
        for k in start..<end where p[k] >= 0x80 { ascii = false; break }
        emit(p, start, end, ascii: ascii, curlyApostrophe: false, body)
        return end
      }
      if start + 1 < n && p[start + 1] == UInt8(ascii: "."), let end = R.abbreviationEnd(p, start, n, classes) {
        emit(p, start, end, ascii: true, curlyApostrophe: false, body)
        return end
      }
    }
    var j = start
    var ascii = true
    var curly = false
    var apostrophe = -1
    var apostropheLength = 0
    scanning: while j < n {
      let c = p[j]
      if c < 0x80 {
        if classes[Int(c)] & R.alnum != 0 { j += 1; continue }
        switch c {
        case UInt8(ascii: "."), UInt8(ascii: ","):
          if classes[Int(p[j - 1])] & R.digit != 0 && j + 1 < n && classes[Int(p[j + 1])] & R.digit != 0 {
            j += 2
            continue scanning
          }
        case UInt8(ascii: "-"):
          if wordCharacterStarts(p, j + 1, n) { j += 1; continue scanning }
        case UInt8(ascii: "'"):
          if wordCharacterStarts(p, j + 1, n) {
            apostrophe = j
            apostropheLength = 1
            j += 1
            continue scanning
          }
        default: break
        }
        break scanning
      }
      let (value, length) = R.decode(p, j, n)
      if value == 0x2019 {
        guard wordCharacterStarts(p, j + length, n) else { break scanning }
        apostrophe = j
        apostropheLength = length
        curly = true
      } else {
        let cls = R.classify(value)
        guard cls == .word || cls == .mark || cls == .extender else { break scanning }
      }
      ascii = false
      j += length
    }
    if j < n && ascii, p[j] == UInt8(ascii: "@") || classes[Int(p[j])] & R.emailLocal != 0,
       let end = R.emailEnd(p, start, n, classes) {
      emit(p, start, end, ascii: true, curlyApostrophe: false, body)
      return end
    }
    if tokenizer.splitContractions && apostrophe >= 0,
       let split = R.contractionSplit(p, start: start, end: j, apostrophe: apostrophe, apostropheLength: apostropheLength) {
      emit(p, start, split, ascii: ascii, curlyApostrophe: curly, body)
      emit(p, split, j, ascii: ascii, curlyApostrophe: curly, body)
    } else {
      emit(p, start, j, ascii: ascii, curlyApostrophe: curly, body)
    }
    return j
  }

  /// The end of the emoji sequence whose first scalar ends at `j`.
  private func emojiEnd(_ p: UnsafePointer<UInt8>, _ j: Int, _ n: Int) -> Int {
    var j = skipExtenders(p, j, n)
    while j < n && p[j] >= 0x80 {
      let (joiner, joinerLength) = R.decode(p, j, n)
      guard joiner == 0x200D, j + joinerLength < n else { break }
      let (next, nextLength) = R.decode(p, j + joinerLength, n)
      let cls = R.classify(next)
      guard cls == .emoji || cls == .regionalIndicator else { break }
      j = skipExtenders(p, j + joinerLength + nextLength, n)
    }
    return j
  }

  @inline(__always)
  private func skipExtenders(_ p: UnsafePointer<UInt8>, _ j: Int, _ n: Int) -> Int {
    var j = j
    while j < n && p[j] >= 0x80 {
      let (value, length) = R.decode(p, j, n)
      let cls = R.classify(value)
      guard cls == .extender || cls == .mark else { break }
      j += length
    }
    return j
  }

  /// Sends the token `[start, end)` to `body`, lowercased when asked; `curlyApostrophe` turns
  /// U+2019 into `'`.
  @inline(__always)
  private func emit(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, ascii: Bool, curlyApostrophe: Bool, _ body: (String) -> Void) {
    let count = end - start
    guard count > 0 else { return }
    if ascii {
      if tokenizer.lowercase {
        body(String(unsafeUninitializedCapacity: count) { out in
          for k in 0..<count {
            let b = p[start + k]
            out[k] = b &- 0x41 < 26 ? b | 0x20 : b
          }
          return count
        })
      } else {
        body(String(decoding: UnsafeBufferPointer(start: p + start, count: count), as: UTF8.self))
      }
      return
    }
    // Non-ASCII: ’ becomes ' when asked; lowercasing is a byte loop over the ASCII capitals
    // unless a non-ASCII scalar changes case (then `String.lowercased()`).
    let byteWise = !tokenizer.lowercase || R.lowercasesByteWise(p, start, end)
    var token = String(unsafeUninitializedCapacity: count) { out in
      var k = start, used = 0
      while k < end {
        if curlyApostrophe && k + 2 < end && p[k] == 0xE2 && p[k + 1] == 0x80 && p[k + 2] == 0x99 {
          out[used] = UInt8(ascii: "'")
          k += 3
        } else {
          let b = p[k]
          out[used] = tokenizer.lowercase && byteWise && b &- 0x41 < 26 ? b | 0x20 : b
          k += 1
        }
        used += 1
      }
      return used
    }
    if !byteWise { token = token.lowercased() }
    body(token)
  }
}
