import Foundation

/// The learning-rate sweep (`LearningRateFinderResult`) as inline SVG: the smoothed loss against
/// the learning rate on a log axis, the suggestion marked with a dashed vertical line.
struct LearningRateCurve {
  var result: LearningRateFinderResult
  /// The rate that was used, marked on the plot (nil: `result.beforeRiseOverTen`).
  var chosen: Float?

  static let width = 460.0, height = 250.0
  static let left = 48.0, right = 12.0, top = 26.0, bottom = 34.0

  func svg() -> String {
    let points = result.points.filter { $0.learningRate > 0 && $0.smoothedLoss.isFinite }
    let w = Self.width, h = Self.height
    var out = "<svg width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"Loss against learning rate\">\n"
    out += "<text x=\"\(Self.left)\" y=\"16\" style=\"font-weight:600\">Learning-rate sweep (fine-tune)</text>\n"
    guard let first = points.first, let last = points.last, points.count >= 2 else {
      return out + "<text x=\"\(Self.left)\" y=\"60\">\(points.count) point(s): nothing to plot</text>\n</svg>\n"
    }
    let x0 = log10(Double(first.learningRate)), x1 = max(log10(Double(last.learningRate)), x0 + 1e-9)
    let losses = points.map { Double($0.smoothedLoss) }
    let low = losses.min() ?? 0, high = max(losses.max() ?? 1, low + 1e-9)
    let plotW = w - Self.left - Self.right, plotH = h - Self.top - Self.bottom
    func x(_ lr: Float) -> Double { Self.left + plotW * (log10(Double(lr)) - x0) / (x1 - x0) }
    func y(_ v: Double) -> Double { Self.top + plotH * (1 - (v - low) / (high - low)) }
    for k in 0...4 {
      let v = low + (high - low) * Double(k) / 4
      out += "<line x1=\"\(f(Self.left))\" y1=\"\(f(y(v)))\" x2=\"\(f(w - Self.right))\" y2=\"\(f(y(v)))\" stroke=\"#e8ebf2\"/>\n"
      out += "<text x=\"\(f(Self.left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
    }
    for decade in Int(x0.rounded(.up))...Int(x1.rounded(.down)) {
      let xx = Self.left + plotW * (Double(decade) - x0) / (x1 - x0)
      out += "<text x=\"\(f(xx))\" y=\"\(f(h - Self.bottom + 16))\" text-anchor=\"middle\">1e\(decade)</text>\n"
    }
    out += "<text x=\"\(f(Self.left + plotW / 2))\" y=\"\(f(h - 4))\" text-anchor=\"middle\">learning rate (log scale)</text>\n"
    let line = points.map { "\(f(x($0.learningRate))),\(f(y(Double($0.smoothedLoss))))" }.joined(separator: " ")
    out += "<polyline fill=\"none\" stroke=\"#2858c5\" stroke-width=\"2\" points=\"\(line)\"/>\n"
    if let mark = chosen ?? result.beforeRiseOverTen, mark >= first.learningRate, mark <= last.learningRate {
      let xx = x(mark)
      out += "<line x1=\"\(f(xx))\" y1=\"\(f(Self.top))\" x2=\"\(f(xx))\" y2=\"\(f(h - Self.bottom))\" stroke=\"#d9730d\" stroke-dasharray=\"4 3\"/>\n"
      out += "<text x=\"\(f(min(xx + 4, w - Self.right - 70)))\" y=\"\(f(Self.top + 12))\">\(formatScientific(mark))</text>\n"
    }
    return out + "</svg>\n"
  }
}

private func f(_ v: Double) -> String { String(format: "%.1f", v) }
