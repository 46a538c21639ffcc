import Foundation

/// Line charts of per-epoch loss or accuracy, train and validation, as inline SVG. Stages are
/// drawn one after another on the epoch axis with a dashed line where the next one starts.
struct TrainingCurves {
  enum Metric {
    case loss, accuracy

    var title: String { self == .loss ? "Loss" : "Accuracy" }
  }

  var stages: [ReportStage]

  static let width = 460.0, height = 250.0
  static let left = 48.0, right = 12.0, top = 26.0, bottom = 34.0

  func series(_ metric: Metric) -> (train: [Double?], validation: [Double?]) {
    let epochs = stages.flatMap(\.history.epochs)
    switch metric {
    case .loss: return (epochs.map { finite($0.trainLoss) }, epochs.map { $0.validationLoss.flatMap(finite) })
    case .accuracy: return (epochs.map { finite($0.trainAccuracy) }, epochs.map { $0.validationAccuracy.flatMap(finite) })
    }
  }

  func svg(metric: Metric) -> String {
    let (train, validation) = series(metric)
    let n = train.count
    let values = (train + validation).compactMap { $0 }
    let yMax: Double
    switch metric {
    case .accuracy: yMax = 1
    case .loss: yMax = niceCeiling(max(values.max() ?? 1, 1e-3))
    }
    let w = Self.width, h = Self.height
    let plotW = w - Self.left - Self.right, plotH = h - Self.top - Self.bottom
    func x(_ i: Int) -> Double { Self.left + (n <= 1 ? plotW / 2 : plotW * Double(i) / Double(n - 1)) }
    func y(_ v: Double) -> Double { Self.top + plotH * (1 - min(max(v / yMax, 0), 1)) }

    var out = "<svg width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"\(metric.title) per epoch\">\n"
    out += "<text x=\"\(Self.left)\" y=\"16\" style=\"font-weight:600\">\(metric.title) per epoch</text>\n"
    // Horizontal grid and y labels.
    for k in 0...4 {
      let v = yMax * Double(k) / 4
      let yy = y(v)
      out += "<line x1=\"\(f(Self.left))\" y1=\"\(f(yy))\" x2=\"\(f(w - Self.right))\" y2=\"\(f(yy))\" stroke=\"#e8ebf2\"/>\n"
      let label = metric == .accuracy ? String(format: "%.0f%%", v * 100) : String(format: "%.2g", v)
      out += "<text x=\"\(f(Self.left - 6))\" y=\"\(f(yy + 4))\" text-anchor=\"end\">\(label)</text>\n"
    }
    // x labels: epochs 1…n, at most ~10 ticks.
    let step = max(1, Int((Double(n) / 10).rounded(.up)))
    for i in stride(from: 0, to: n, by: step) {
      out += "<text x=\"\(f(x(i)))\" y=\"\(f(h - Self.bottom + 16))\" text-anchor=\"middle\">\(i + 1)</text>\n"
    }
    out += "<text x=\"\(f(Self.left + plotW / 2))\" y=\"\(f(h - 4))\" text-anchor=\"middle\">epoch</text>\n"
    // Stage boundaries.
    var start = 0
    for (k, stage) in stages.enumerated() {
      if k > 0, start < n {
        let xx = (x(start - 1) + x(start)) / 2
        out += "<line x1=\"\(f(xx))\" y1=\"\(f(Self.top))\" x2=\"\(f(xx))\" y2=\"\(f(h - Self.bottom))\" stroke=\"#9aa3b5\" stroke-dasharray=\"4 3\"/>\n"
        // Accuracy curves rise to the top and loss curves fall to the bottom: label the free side.
        let labelY = metric == .accuracy ? h - Self.bottom - 6 : Self.top + 12
        out += "<text x=\"\(f(xx + 4))\" y=\"\(f(labelY))\">\(escapeHTML(stage.name))</text>\n"
      }
      start += stage.history.epochs.count
    }
    out += polyline(train, x: x, y: y, color: "#2858c5")
    out += polyline(validation, x: x, y: y, color: "#d9730d")
    // Legend.
    let lx = w - Self.right - 150
    out += "<rect x=\"\(f(lx))\" y=\"6\" width=\"10\" height=\"3\" fill=\"#2858c5\"/><text x=\"\(f(lx + 14))\" y=\"11\">train</text>\n"
    if validation.contains(where: { $0 != nil }) {
      out += "<rect x=\"\(f(lx + 60))\" y=\"6\" width=\"10\" height=\"3\" fill=\"#d9730d\"/><text x=\"\(f(lx + 74))\" y=\"11\">validation</text>\n"
    }
    return out + "</svg>\n"
  }

  /// A line through the present values (a gap where one is missing) with a dot on each.
  func polyline(_ values: [Double?], x: (Int) -> Double, y: (Double) -> Double, color: String) -> String {
    var out = ""
    var run: [String] = []
    func flush() {
      if run.count > 1 {
        out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(run.joined(separator: " "))\"/>\n"
      }
      run = []
    }
    for (i, v) in values.enumerated() {
      guard let v else { flush(); continue }
      run.append("\(f(x(i))),\(f(y(v)))")
      out += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
    }
    flush()
    return out
  }
}

private func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }

private func f(_ v: Double) -> String { String(format: "%.1f", v) }

/// The smallest of 1, 2, 2.5, 5 × 10^k at or above `v`.
func niceCeiling(_ v: Double) -> Double {
  let p = pow(10, floor(log10(v)))
  for m in [1.0, 2, 2.5, 5, 10] where m * p >= v * (1 - 1e-12) { return m * p }
  return 10 * p
}
