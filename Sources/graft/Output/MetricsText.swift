import Foundation
import GraftCore

/// Classification metrics as text, the one renderer every `train` and `evaluate` prints:
///
///     accuracy 0.9412  macro-F1 0.9405  (153 clips)
///     ROC-AUC 0.984  threshold 0.805 for cough
///       class      precision  recall  f1      support
///       cough      0.9524     0.9412  0.9467  85
///       non_cough  0.9275     0.9412  0.9343  68
///     confusion (rows: actual, columns: predicted)
///                  cough      non_cough
///       cough      80         5
///       non_cough  4          64
///
/// `unit` names what was counted; the second line appears only with a ROC-AUC or a threshold
/// for a positive label (two-label audio). No final newline.
func metricsText(_ m: ClassificationMetrics, unit: String = "items", rocAUC: Double? = nil, threshold: Float? = nil,
                 positiveLabel: String? = nil) -> String {
  var lines = [String(format: "accuracy %.4f  macro-F1 %.4f  (%d \(unit))", m.accuracy, m.macroF1, m.count)]
  var binary: [String] = []
  if let rocAUC { binary.append(String(format: "ROC-AUC %.3f", rocAUC)) }
  if let threshold, let positiveLabel { binary.append(String(format: "threshold %.3f for ", threshold) + positiveLabel) }
  if !binary.isEmpty { lines.append(binary.joined(separator: "  ")) }
  let width = max(m.labels.map(\.count).max() ?? 0, 5)
  func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
  lines.append("  \(pad("class"))  precision  recall  f1      support")
  for c in m.perClass {
    lines.append("  \(pad(c.label))  " + String(format: "%-9.4f  %-6.4f  %-6.4f  %d", c.precision, c.recall, c.f1, c.support))
  }
  lines.append("confusion (rows: actual, columns: predicted)")
  // Columns as wide as the longest label; no spaces at the ends of lines.
  func columns(_ first: String, _ cells: [String]) -> String {
    var line = "  \(pad(first))  " + cells.map(pad).joined(separator: " ")
    while line.last == " " { line.removeLast() }
    return line
  }
  lines.append(columns("", m.labels))
  for (label, row) in zip(m.labels, m.confusion) { lines.append(columns(label, row.map { String($0) })) }
  return lines.joined(separator: "\n")
}
