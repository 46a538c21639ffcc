import Foundation

extension JSONValue {
  /// Any `Encodable` value as a `JSONValue`, through `JSONEncoder` (so the keys and number
  /// forms are the value's own `Codable` ones): for adding fields to an encoded object or
  /// storing a value in a bundle's free-form `config.json` parts. Throws what `JSONEncoder`
  /// throws (a non-finite number, for one); `try?` callers store nothing or `.null`.
  public init<T: Encodable>(encoding value: T) throws {
    self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
  }
}
