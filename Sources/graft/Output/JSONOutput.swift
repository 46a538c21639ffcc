import Foundation
import GraftCore

/// Prints an `Encodable` value as sorted, pretty JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  Console.writeOutput(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
}

/// The metrics as text: accuracy, macro-F1, per-class scores and the confusion matrix.
func metricsText(_ m: ClassificationMetrics) -> String {
  var lines = [String(format: "accuracy %.4f  macro-F1 %.4f  (%d items)", m.accuracy, m.macroF1, m.count)]
  let width = max(m.labels.map(\.count).max() ?? 0, 5)
  func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
  lines.append("  \(pad("class"))  precision  recall  f1      support")
  for c in m.perClass {
    lines.append("  \(pad(c.label))  " + String(format: "%-9.4f  %-6.4f  %-6.4f  %d", c.precision, c.recall, c.f1, c.support))
  }
  lines.append("confusion (rows: true, columns: predicted)")
  for (label, row) in zip(m.labels, m.confusion) {
    lines.append("  \(pad(label))  " + row.map { String($0) }.joined(separator: " "))
  }
  return lines.joined(separator: "\n")
}
