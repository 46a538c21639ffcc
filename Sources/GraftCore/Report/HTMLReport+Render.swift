import Foundation

extension HTMLReport {
  /// The whole page: inline CSS, inline SVG charts, images as `data:` URIs. No script and no
  /// external reference, so it opens the same offline, from a mail attachment or a CI artifact.
  public func html() -> String {
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>\(escapeHTML(title))</title>
      <style>\(reportCSS)</style>
      </head>
      <body>
      <h1>\(escapeHTML(title))</h1>

      """
    if let subtitle { out += "<p class=\"subtitle\">\(escapeHTML(subtitle))</p>\n" }
    if sections.count > 1 {
      out += "<nav>" + sections.enumerated().map { i, s in
        "<a href=\"#section-\(i + 1)\">\(escapeHTML(s.heading))</a>"
      }.joined(separator: " · ") + "</nav>\n"
    }
    for (i, section) in sections.enumerated() {
      out += section.html(id: "section-\(i + 1)")
    }
    out += "<footer>Written by graft. Self-contained: no script, nothing loaded from the network.</footer>\n"
    out += "</body>\n</html>\n"
    return out
  }
}

extension ReportSection {
  func html(id: String) -> String {
    var out = "<section id=\"\(id)\">\n<h2>\(escapeHTML(heading))</h2>\n"
    if !facts.isEmpty {
      out += "<table class=\"facts\">\n"
      for fact in facts {
        out += "<tr><th>\(escapeHTML(fact.name))</th><td>\(escapeHTML(fact.value))</td></tr>\n"
      }
      out += "</table>\n"
    }
    let epochs = stages.flatMap(\.history.epochs)
    if !epochs.isEmpty {
      out += "<h3>Training curves</h3>\n<div class=\"charts\">\n"
      out += TrainingCurves(stages: stages).svg(metric: .loss)
      out += TrainingCurves(stages: stages).svg(metric: .accuracy)
      out += "</div>\n"
    }
    if let learningRateSweep {
      out += "<h3>Learning-rate sweep</h3>\n<div class=\"charts\">\n"
      out += LearningRateCurve(result: learningRateSweep, chosen: chosenLearningRate).svg() + "</div>\n"
    }
    if let metrics {
      out += metricsHTML(metrics)
    }
    if !examples.isEmpty {
      out += examplesHTML()
    }
    if !skipped.isEmpty {
      out += "<h3>Skipped (\(skipped.count))</h3>\n<ul class=\"skipped\">\n"
      for line in skipped { out += "<li>\(escapeHTML(line))</li>\n" }
      out += "</ul>\n"
    }
    return out + "</section>\n"
  }

  func metricsHTML(_ m: ClassificationMetrics) -> String {
    var out = "<h3>Metrics</h3>\n<p class=\"headline\">"
    out += "accuracy <b>\(percent(m.accuracy))</b> · macro F1 <b>\(fixed(m.macroF1))</b>"
    if let rocAUC { out += " · ROC-AUC <b>\(fixed(rocAUC))</b>" }
    out += " · \(m.count) examples</p>\n"

    // Confusion matrix: rows actual, columns predicted; shade by the row's fraction.
    out += "<div class=\"tables\">\n<table class=\"confusion\">\n<caption>Confusion matrix (rows: actual, columns: predicted)</caption>\n"
    out += "<tr><th></th>" + m.labels.map { "<th>\(escapeHTML($0))</th>" }.joined() + "</tr>\n"
    for (i, row) in m.confusion.enumerated() {
      let total = max(1, row.reduce(0, +))
      out += "<tr><th>\(escapeHTML(m.labels[i]))</th>"
      for (j, n) in row.enumerated() {
        let share = Double(n) / Double(total)
        let hue = i == j ? 140 : 0
        let style = n == 0 ? "" : " style=\"background: hsla(\(hue), 65%, 45%, \(fixed(0.12 + 0.75 * share)))\""
        out += "<td\(style)>\(n)</td>"
      }
      out += "</tr>\n"
    }
    out += "</table>\n"

    out += "<table class=\"perclass\">\n<caption>Per class</caption>\n"
    out += "<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n"
    for c in 0..<m.classCount {
      out += "<tr><th>\(escapeHTML(m.labels[c]))</th><td>\(fixed(m.precision[c]))</td><td>\(fixed(m.recall[c]))</td>"
      out += "<td>\(fixed(m.f1[c]))</td><td>\(m.support[c])</td></tr>\n"
    }
    out += "<tr class=\"total\"><th>macro</th><td>\(fixed(m.macroPrecision))</td><td>\(fixed(m.macroRecall))</td>"
    out += "<td>\(fixed(m.macroF1))</td><td>\(m.count)</td></tr>\n"
    out += "</table>\n</div>\n"
    return out
  }

  func examplesHTML() -> String {
    let mistakes = examples.filter(\.isMistake).count
    var out = "<h3>Examples</h3>\n<p class=\"note\">Mistakes first (most confident first), then correct predictions "
    out += "(least confident first). Showing \(examples.count)"
    if let exampleCount { out += " of \(exampleCount)" }
    out += "; \(mistakes) mistake\(mistakes == 1 ? "" : "s") shown.</p>\n<div class=\"grid\">\n"
    for e in examples {
      out += "<figure class=\"\(e.isMistake ? "wrong" : "right")\">\n"
      if let png = e.png {
        out += "<img alt=\"\(escapeHTML(e.name))\" src=\"data:image/png;base64,\(Data(png).base64EncodedString())\">\n"
      }
      if let text = e.text {
        out += "<blockquote>\(escapeHTML(truncated(text, 280)))</blockquote>\n"
      }
      out += "<figcaption><span class=\"name\">\(escapeHTML(e.name))</span><br>"
      if e.isMistake {
        out += "predicted <b>\(escapeHTML(e.predicted))</b> \(percent(e.confidence)) · actual <b>\(escapeHTML(e.actual))</b>"
      } else {
        out += "<b>\(escapeHTML(e.predicted))</b> \(percent(e.confidence)) ✓"
      }
      out += "</figcaption>\n</figure>\n"
    }
    return out + "</div>\n"
  }
}

/// Text safe inside HTML elements and double-quoted attributes.
func escapeHTML(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.utf8.count)
  for ch in s.unicodeScalars {
    switch ch {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.unicodeScalars.append(ch)
    }
  }
  return out
}

func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
func fixed(_ x: Double) -> String { String(format: "%.3f", x) }

func truncated(_ s: String, _ n: Int) -> String {
  s.count <= n ? s : String(s.prefix(n - 1)) + "…"
}

let reportCSS = """
  body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;margin:24px auto;max-width:1180px;padding:0 16px;background:#fff}
  h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;border-bottom:2px solid #e3e7ef;padding-bottom:4px;margin-top:32px}
  h3{font-size:15px;margin:20px 0 8px;color:#3a4560}.subtitle{color:#5b6478;margin:0 0 12px;font-family:ui-monospace,monospace;font-size:12px}
  nav{margin:8px 0 0}nav a{color:#2858c5}
  table{border-collapse:collapse;margin:0 16px 12px 0}th,td{padding:3px 9px;border:1px solid #e3e7ef;text-align:right}
  th{background:#f5f7fb;font-weight:600}table.facts th{text-align:left}table.facts td{text-align:left;font-family:ui-monospace,monospace;font-size:12px}
  caption{text-align:left;font-size:12px;color:#5b6478;padding-bottom:4px}tr.total td,tr.total th{border-top:2px solid #c9d0de}
  .tables,.charts{display:flex;flex-wrap:wrap;align-items:flex-start;gap:12px}
  .headline{font-size:15px}.note{color:#5b6478;font-size:12px}
  svg{background:#fff;border:1px solid #e3e7ef;border-radius:4px}svg text{font:11px system-ui,sans-serif;fill:#3a4560}
  .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
  figure{margin:0;padding:6px;border:2px solid #cfe8d6;border-radius:6px;background:#f7fbf8}
  figure.wrong{border-color:#e8a3a3;background:#fdf5f5}
  figure img{width:100%;image-rendering:pixelated;display:block;border-radius:3px}
  figcaption{font-size:12px;margin-top:4px;word-break:break-word}.name{color:#5b6478;font-family:ui-monospace,monospace;font-size:11px}
  blockquote{margin:0;font-size:12px;max-height:9em;overflow:hidden}
  .skipped li{font-family:ui-monospace,monospace;font-size:12px}
  footer{margin:40px 0 12px;color:#8a93a6;font-size:12px}
  """
