/// A string that equals, hashes and sorts by its UTF-8 bytes — the key type for words, labels and
/// names read from files.
///
/// Swift's `String` compares by *canonical equivalence*: `"café"` written with U+00E9 and
/// `"cafe"` + U+0301 are `==` and hash alike, so a `[String: Int]` built from a file merges two
/// entries the file keeps apart (gensim, Python dictionaries and file systems all compare code
/// points or bytes). Keying by `ExactString` keeps every byte-distinct entry; normalisation
/// (NFC, NFKC, lowercasing) stays an explicit option of whatever produced the strings.
///
/// Order is the UTF-8 byte order, which is Unicode code-point order (Python's `sorted` on `str`,
/// torchvision's class order), and does not depend on the locale or on normalisation.
public struct ExactString: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
  public let string: String

  public init(_ string: String) { self.string = string }
  public init(stringLiteral value: String) { self.string = value }

  public var description: String { string }

  public static func == (a: ExactString, b: ExactString) -> Bool {
    var (x, y) = (a.string, b.string)
    return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && p.elementsEqual(q) } }
  }

  public func hash(into hasher: inout Hasher) {
    var copy = string
    copy.withUTF8 { bytes in
      hasher.combine(bytes.count)
      hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
    }
  }

  public static func < (a: ExactString, b: ExactString) -> Bool {
    a.string.utf8.lexicographicallyPrecedes(b.string.utf8)
  }
}

extension Sequence where Element == String {
  /// The elements sorted by their UTF-8 bytes (code-point order; see `ExactString`).
  public func sortedByBytes() -> [String] {
    sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
  }

  /// The byte-distinct elements, in order of first appearance (see `ExactString`).
  public func uniquedByBytes() -> [String] {
    var seen = Set<ExactString>()
    return filter { seen.insert(ExactString($0)).inserted }
  }
}

extension String {
  /// The scalars as `U+0063 U+0301`, to tell apart in a message strings that print alike.
  public var unicodeScalarCodes: String {
    unicodeScalars.map { scalar in
      let hex = String(scalar.value, radix: 16, uppercase: true)
      return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }.joined(separator: " ")
  }
}

extension Collection where Element == String {
  /// The first two elements that are equal as Swift `String`s — the same bytes, or the same text
  /// in different Unicode normalisation forms (NFC `café` and NFD `café`) — or nil. Readers use it
  /// where a name is about to become a key that `String` would merge (class labels), to refuse
  /// such a pair by name rather than merge it silently.
  public func firstEquivalentPair() -> (String, String)? {
    var seen: [String: String] = [:]
    for s in self {
      if let earlier = seen.updateValue(s, forKey: s) { return (earlier, s) }
    }
    return nil
  }
}
