import Foundation
import GraftCore
import Testing

private func history(_ losses: [Double], validation: [Double?]) -> TrainingHistory {
  var h = TrainingHistory()
  for (i, loss) in losses.enumerated() {
    h.epochs.append(EpochRecord(epoch: i + 1, trainLoss: loss, trainAccuracy: 1 - loss / 4,
                                validationLoss: validation[i], validationAccuracy: validation[i].map { 1 - $0 / 4 },
                                validationMacroF1: nil, validationROCAUC: nil, learningRate: 1e-3, seconds: 0.1))
  }
  return h
}

private func sampleReport() -> HTMLReport {
  let metrics = ClassificationMetrics(confusion: [[5, 1], [2, 7]], labels: ["cat", "dog <b>"])
  let examples = [
    ReportExample(name: "a.png", actual: "cat", predicted: "cat", confidence: 0.9),
    ReportExample(name: "b.png", actual: "cat", predicted: "dog <b>", confidence: 0.6, png: [0x89, 0x50, 0x4E, 0x47]),
    ReportExample(name: "c.png", actual: "dog <b>", predicted: "cat", confidence: 0.95, text: "x < y & \"z\""),
    ReportExample(name: "d.png", actual: "dog <b>", predicted: "dog <b>", confidence: 0.55),
  ]
  let section = ReportSection(
    heading: "Validation", facts: [ReportFact("data", "pets/train")],
    stages: [ReportStage(name: "head", history: history([2, 1.5, 1], validation: [2.2, 1.7, 1.2])),
             ReportStage(name: "fine-tune", history: history([0.8, 0.6], validation: [nil, 1.0]))],
    metrics: metrics, rocAUC: 0.875, examples: ReportExample.gridOrder(examples), exampleCount: 15,
    skipped: ["bad.png: not a PNG file"])
  return HTMLReport(title: "pets.graft <report>", subtitle: "graft vision train", sections: [section])
}

@Suite struct HTMLReportTests {
  @Test func gridOrderPutsConfidentMistakesFirstThenUnsureCorrect() {
    let e = [
      ReportExample(name: "right-sure", actual: "a", predicted: "a", confidence: 0.99),
      ReportExample(name: "wrong-unsure", actual: "a", predicted: "b", confidence: 0.51),
      ReportExample(name: "right-unsure", actual: "b", predicted: "b", confidence: 0.6),
      ReportExample(name: "wrong-sure", actual: "b", predicted: "a", confidence: 0.97),
    ]
    #expect(ReportExample.gridOrder(e).map(\.name) == ["wrong-sure", "wrong-unsure", "right-unsure", "right-sure"])
    #expect(ReportExample.gridOrder(e, limit: 2).map(\.name) == ["wrong-sure", "wrong-unsure"])
    #expect(ReportExample.gridOrder(e, limit: 0).isEmpty)
  }

  @Test func pageHasEverySectionAndEscapesText() {
    let html = sampleReport().html()
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("<title>pets.graft &lt;report&gt;</title>"))
    #expect(!html.contains("<b>\"z\""))
    #expect(html.contains("x &lt; y &amp; &quot;z&quot;"))
    #expect(html.contains("dog &lt;b&gt;"))
    #expect(!html.contains("dog <b>"))
    // Training curves: two charts, a stage boundary labelled fine-tune, 5 epochs on the axis.
    #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
    #expect(html.contains(">fine-tune</text>"))
    #expect(html.contains(">5</text>"))
    // Confusion matrix cells and per-class rows.
    #expect(html.contains("Confusion matrix"))
    for cell in ["<td style=\"background: hsla(140, 65%, 45%, 0.745)\">5</td>", ">7</td>", ">2</td>", ">1</td>"] {
      #expect(html.contains(cell), "missing \(cell)")
    }
    #expect(html.contains("<th>cat</th><td>0.714</td><td>0.833</td><td>0.769</td><td>6</td>"))
    #expect(html.contains("ROC-AUC <b>0.875</b>"))
    #expect(html.contains("accuracy <b>80.0%</b>"))
    // Example grid: the confident mistake first, a picture as a data URI, counts stated.
    let first = html.range(of: "c.png")!.lowerBound, second = html.range(of: "b.png")!.lowerBound
    let right = html.range(of: "d.png")!.lowerBound
    #expect(first < second && second < right)
    #expect(html.contains("src=\"data:image/png;base64,iVBORw==\""))
    #expect(html.contains("Showing 4 of 15; 2 mistakes shown."))
    #expect(html.contains("bad.png: not a PNG file"))
  }

  @Test func pageIsSelfContained() {
    let html = sampleReport().html()
    for banned in ["http://", "https://", "<script", "<link", "src=\"//", "@import", "url("] {
      #expect(!html.contains(banned), "\(banned) in the report")
    }
  }

  @Test func sectionsWithoutMetricsOrHistoryOmitThem() {
    let html = HTMLReport(title: "t", sections: [ReportSection(heading: "only facts", facts: [ReportFact("k", "v")])]).html()
    #expect(!html.contains("<svg"))
    #expect(!html.contains("Confusion matrix"))
    #expect(!html.contains("Examples"))
    #expect(html.contains("<tr><th>k</th><td>v</td></tr>"))
  }

  @Test func multipleSectionsGetANavigationBar() {
    let html = HTMLReport(title: "demo", sections: [ReportSection(heading: "vision"), ReportSection(heading: "text")]).html()
    #expect(html.contains("<a href=\"#section-1\">vision</a> · <a href=\"#section-2\">text</a>"))
    #expect(html.contains("<section id=\"section-2\">"))
  }

  @Test func writesIndexHTMLAtomicallyAndReportsABadDirectory() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-report-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = try sampleReport().write(toDirectory: dir + "/nested")
    #expect(path == dir + "/nested/index.html")
    #expect(try String(contentsOfFile: path, encoding: .utf8) == sampleReport().html())
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/nested") == ["index.html"])

    // A regular file where the directory should be: a typed error naming it.
    _ = FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8))
    #expect(throws: FileWriteError.self) { try sampleReport().write(toDirectory: dir + "/file") }
    do {
      try sampleReport().write(toDirectory: dir + "/file")
    } catch {
      #expect(error.path == dir + "/file")
    }
  }

  @Test func lossAxisRoundsUpToANiceValue() {
    let html = HTMLReport(title: "t", sections: [ReportSection(
      heading: "s", stages: [ReportStage(name: "head", history: history([2.3, 1.1], validation: [nil, nil]))])]).html()
    #expect(html.contains(">2.5</text>"))   // top of the loss axis: 2.3 rounds up to 2.5
    #expect(html.contains(">100%</text>"))  // top of the accuracy axis
    #expect(!html.contains(">validation</text>"))  // no validation series, no legend entry
  }
}
