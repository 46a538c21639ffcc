import Foundation
import GraftCore

extension JSONValue {
  /// Any `Encodable` value as a `JSONValue` (through `JSONEncoder`); `.null` if it cannot be encoded.
  static func encoding<T: Encodable>(_ value: T) -> JSONValue {
    guard let data = try? JSONEncoder().encode(value),
          let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return .null }
    return json
  }
}
