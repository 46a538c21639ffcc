import Foundation

/// Reads a settings object — a bundle's `preprocessing`, or one object inside it — field by
/// field, each read naming its key and what it must be when it fails. Every modality parses its
/// preprocessing through it, so a damaged `config.json` gives one kind of error:
/// `decode(_:path:_:)` turns a `SettingsError` into `BundleError.invalidConfig("preprocessing: …")`.
///
/// ```swift
/// let p = try SettingsDecoder.decode(bundle.config.preprocessing, path: path) { s in
///   Size(width: try s.int("width", in: 1...16_384), height: try s.int("height", in: 1...16_384))
/// }
/// ```
public struct SettingsDecoder {
  public let json: [String: JSONValue]
  /// Where this object sits in the settings (`front_end.`), prefixed to the keys errors name.
  public let prefix: String

  public init(_ json: [String: JSONValue], prefix: String = "") {
    self.json = json
    self.prefix = prefix
  }

  /// Parses a bundle's settings with `parse`; its `SettingsError` (or any error) becomes
  /// `BundleError.invalidConfig("preprocessing: …")` naming the bundle at `path`.
  public static func decode<T>(_ json: [String: JSONValue], path: String,
                               _ parse: (SettingsDecoder) throws -> T) throws(BundleError) -> T {
    do {
      return try parse(SettingsDecoder(json))
    } catch {
      throw BundleError(path: path, reason: .invalidConfig("preprocessing: \(error)"))
    }
  }

  public func contains(_ key: String) -> Bool { json[key] != nil && json[key] != .null }

  public func error(_ key: String, _ expected: String) -> SettingsError {
    SettingsError(key: prefix + key, expected: expected)
  }

  /// An integer in `range`.
  public func int(_ key: String, in range: ClosedRange<Int>) throws(SettingsError) -> Int {
    guard let v = json[key]?.int, range.contains(v) else {
      throw error(key, "an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return v
  }

  /// A finite number.
  public func double(_ key: String) throws(SettingsError) -> Double {
    guard let v = json[key]?.double, v.isFinite else { throw error(key, "a number") }
    return v
  }

  public func bool(_ key: String) throws(SettingsError) -> Bool {
    guard let v = json[key]?.bool else { throw error(key, "true or false") }
    return v
  }

  public func string(_ key: String) throws(SettingsError) -> String {
    guard let v = json[key]?.string else { throw error(key, "a string") }
    return v
  }

  /// One of `T`'s raw values.
  public func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(SettingsError) -> T
    where T.RawValue == String
  {
    guard let name = json[key]?.string, let v = T(rawValue: name) else {
      throw error(key, "one of " + T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
    }
    return v
  }

  /// A non-empty list of numbers.
  public func floats(_ key: String) throws(SettingsError) -> [Float] {
    guard let a = json[key]?.array, !a.isEmpty else { throw error(key, "a list of numbers") }
    let values = a.compactMap(\.double).map(Float.init)
    guard values.count == a.count else { throw error(key, "a list of numbers") }
    return values
  }

  /// A list of strings.
  public func strings(_ key: String) throws(SettingsError) -> [String] {
    guard let a = json[key]?.array else { throw error(key, "a list of strings") }
    let values = a.compactMap(\.string)
    guard values.count == a.count else { throw error(key, "a list of strings") }
    return values
  }

  /// The object at `key`, read by a decoder whose errors name `key.` first.
  public func object(_ key: String) throws(SettingsError) -> SettingsDecoder {
    guard let o = json[key]?.object else { throw error(key, "an object") }
    return SettingsDecoder(o, prefix: prefix + key + ".")
  }

  /// The value at `key` through its `Decodable` conformance (a front end's settings).
  public func decodable<T: Decodable>(_ key: String, _ type: T.Type) throws(SettingsError) -> T {
    guard let value = json[key] else { throw error(key, "present") }
    do {
      return try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    } catch {
      throw SettingsError(key: prefix + key, expected: Self.reason(error), asIs: true)
    }
  }

  static func reason(_ error: any Error) -> String {
    switch error {
    case DecodingError.dataCorrupted(let c): return c.debugDescription
    case DecodingError.keyNotFound(let key, _): return "\(key.stringValue) is missing"
    case DecodingError.typeMismatch(_, let c): return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): wrong type"
    case DecodingError.valueNotFound(_, let c): return "\(c.codingPath.map(\.stringValue).joined(separator: ".")): missing value"
    default: return String(describing: error)
    }
  }
}

/// A settings field that is missing or wrong: its key (dotted, from the settings' root) and what
/// it must be.
public struct SettingsError: Error, Equatable, CustomStringConvertible {
  public let key: String
  public let expected: String
  /// `expected` is a whole sentence (a nested decoder's reason), not "must be …".
  let asIs: Bool

  public init(key: String, expected: String) {
    self.init(key: key, expected: expected, asIs: false)
  }

  init(key: String, expected: String, asIs: Bool) {
    self.key = key
    self.expected = expected
    self.asIs = asIs
  }

  /// A rule between fields that does not hold (`mean and std need one entry per channel`).
  public static func rule(_ text: String) -> SettingsError { SettingsError(key: "", expected: text, asIs: true) }

  public var description: String {
    if asIs { return key.isEmpty ? expected : "\(key): \(expected)" }
    return "\(key) must be \(expected)"
  }
}
