import Foundation
import GraftCore

/// The one JSON writer of the CLI: keys sorted, slashes unescaped, non-finite numbers as the
/// strings `"NaN"`, `"Infinity"`, `"-Infinity"` (a diverged loss still prints).
enum JSONOutput {
  /// `value` as JSON text with a final newline: pretty (one member a line) or on one line
  /// (JSON Lines, and the text commands' compact output).
  static func text<T: Encodable>(_ value: T, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
  }

  /// `value` as one line of JSON with a final newline.
  static func line<T: Encodable>(_ value: T) throws -> String { try text(value, pretty: false) }
}

/// Prints an `Encodable` value as sorted, pretty JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
  Console.writeOutput(try JSONOutput.text(value))
}
