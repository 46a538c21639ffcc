#if canImport(Glibc)
import Glibc
#endif

/// Parses a decimal number as gensim does (`numpy.float32(str)`: Python's correctly rounded
/// `float()` to double, then rounded to float32).
///
/// Accepted: optional sign, digits with an optional fraction, an optional exponent, or
/// `inf`/`infinity`/`nan` in any case (as Python's `float()`); at least one digit. Nothing else:
/// no hex, no leading or trailing spaces, no `_`.
/// Fast path (Clinger 1990): when the significant digits fit in 2^53 and the decimal exponent in
/// ±22, one exact IEEE multiplication or division gives the correctly rounded double. Other
/// inputs go to `strtod(3)`, which rounds correctly; the double is then rounded to float32.
enum FloatParser {
  private static let powersOfTen: [Double] = (0...22).map { e in
    var v = 1.0
    for _ in 0..<e { v *= 10 }
    return v
  }

  /// The value of `[start, end)`, or nil when it is not a number.
  @inline(__always)
  static func parse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
    var i = start
    guard i < end else { return nil }
    var negative = false
    if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
    var mantissa: UInt64 = 0
    var significant = 0
    var exponent = 0
    var sawDigit = false
    var exact = true
    while i < end, p[i] &- 0x30 < 10 {
      let d = UInt64(p[i] &- 0x30)
      sawDigit = true
      if mantissa != 0 || d != 0 {
        if significant < 19 { mantissa = mantissa &* 10 &+ d; significant += 1 } else { exact = false; exponent += 1 }
      }
      i += 1
    }
    if i < end && p[i] == UInt8(ascii: ".") {
      i += 1
      while i < end, p[i] &- 0x30 < 10 {
        let d = UInt64(p[i] &- 0x30)
        sawDigit = true
        if mantissa != 0 || d != 0 {
          if significant < 19 { mantissa = mantissa &* 10 &+ d; significant += 1; exponent -= 1 } else { exact = false }
        } else {
          exponent -= 1
        }
        i += 1
      }
    }
    guard sawDigit else { return special(p, i, end, negative) }
    if i < end && (p[i] | 0x20) == UInt8(ascii: "e") {
      i += 1
      var negativeExponent = false
      if i < end && p[i] == UInt8(ascii: "-") { negativeExponent = true; i += 1 } else if i < end && p[i] == UInt8(ascii: "+") { i += 1 }
      var e = 0
      var exponentDigits = 0
      while i < end, p[i] &- 0x30 < 10 {
        if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }
        exponentDigits += 1
        i += 1
      }
      guard exponentDigits > 0 else { return nil }
      exponent += negativeExponent ? -e : e
    }
    guard i == end else { return nil }
    if mantissa == 0 { return negative ? -0.0 : 0.0 }
    if exact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
      var d = Double(mantissa)
      d = exponent < 0 ? d / powersOfTen[-exponent] : d * powersOfTen[exponent]
      return Float(negative ? -d : d)
    }
    return viaStrtod(p, start, end)
  }

  /// `inf`, `infinity`, `nan` (any case) after an optional sign, as Python's `float()`.
  private static func special(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ negative: Bool) -> Float? {
    var word = ""
    for k in i..<end {
      guard p[k] < 0x80 else { return nil }
      word.unicodeScalars.append(Unicode.Scalar(p[k] | 0x20))
    }
    switch word {
    case "inf", "infinity": return negative ? -.infinity : .infinity
    case "nan": return .nan
    default: return nil
    }
  }

  /// The corresponding C function is `strtod(3)`, on a NUL-terminated copy of the field.
  private static func viaStrtod(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Float? {
    let count = end - start
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { copy -> Float? in
      guard let base = copy.baseAddress else { return nil }
      UnsafeMutableRawPointer(base).copyMemory(from: p + start, byteCount: count)
      base[count] = 0
      var stop: UnsafeMutablePointer<CChar>?
      let d = strtod(base, &stop)
      guard let stop, base.distance(to: stop) == count else { return nil }
      return Float(d)
    }
  }
}
