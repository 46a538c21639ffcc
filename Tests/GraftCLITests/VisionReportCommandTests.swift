import Foundation
import GraftCore
import GraftVision
import Testing

/// `graft vision train --report DIR` and `graft vision preview`, run as processes.
@Suite struct VisionReportCommandTests {
  /// (class, confidence) of each grid figure, in page order: "wrong" or "right", and the percentage.
  static func figures(_ html: String) -> [(wrong: Bool, percent: Double)] {
    html.components(separatedBy: "<figure class=\"").dropFirst().map { chunk in
      let wrong = chunk.hasPrefix("wrong")
      let caption = chunk.components(separatedBy: "<figcaption>").last ?? ""
      let afterLabel = caption.components(separatedBy: "</b> ").dropFirst().first ?? ""
      return (wrong, Double(afterLabel.prefix { $0 != "%" }) ?? -1)
    }
  }

  @Test func trainWritesASelfContainedReport() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 8)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // One epoch at a tiny rate: a weak model, so the grid has mistakes and correct predictions.
    let train = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "4",
      "--size", "12", "--out", dir + "/s.graft", "--epochs", "1", "--lr", "0.0001", "--batch-size", "4",
      "--validation", "0.5", "--quiet", "--report", dir + "/report",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stdout.hasSuffix("wrote \(dir)/s.graft\nwrote report \(dir)/report/index.html\n"), "\(train.stdout)")
    let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Confusion matrix (rows: actual, columns: predicted)"))
    #expect(html.contains("<caption>Per class</caption>"))
    #expect(html.contains("data:image/png;base64,"))
    #expect(!html.contains("http://") && !html.contains("https://"))
    // From scratch every block trains with the head: features are not cached.
    #expect(html.contains("<th>feature cache</th><td>not used") && html.contains("<th>classes</th><td>bar 8, disc 8, frame 8</td>"))
    #expect(html.contains("Loss per epoch") && html.contains("corrupt.png"))
    let figures = Self.figures(html)
    #expect(figures.count == 12)   // half of each class: 4 + 4 + 4
    #expect(figures.allSatisfy { $0.percent >= 0 })
    #expect(figures.contains { $0.wrong } && figures.contains { !$0.wrong }, "\(figures)")
    // Mistakes first, most confident first; then correct ones, least confident first.
    let firstRight = figures.firstIndex { !$0.wrong } ?? figures.count
    #expect(figures[firstRight...].allSatisfy { !$0.wrong })
    let wrong = figures[..<firstRight].map(\.percent), right = figures[firstRight...].map(\.percent)
    #expect(wrong == wrong.sorted(by: >) && right == right.sorted())

    // `graft evaluate --report` on the training folder: every readable image in the grid.
    let evaluate = try GraftBinary.run(["evaluate", dir + "/s.graft", "--data", dir + "/shapes", "--json",
                                        "--report", dir + "/eval-report"])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    #expect(try VisionTrainCommandTests.json(evaluate.stdout)["report"] as? String == dir + "/eval-report/index.html")
    let evalPage = try String(contentsOfFile: dir + "/eval-report/index.html", encoding: .utf8)
    #expect(evalPage.contains("evaluation report") && evalPage.contains("<th>bundle</th><td>\(dir)/s.graft</td>"))
    #expect(Self.figures(evalPage).count == 24 && evalPage.contains("corrupt.png"))
    #expect(!evalPage.contains("http://") && !evalPage.contains("https://"))
  }

  @Test func trainWithoutValidationReportsCurvesAndFactsOnly() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 2)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let train = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "4",
      "--size", "12", "--out", dir + "/s.graft", "--epochs", "2", "--validation", "0", "--quiet", "--json",
      "--report", dir + "/report",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    let object = try VisionTrainCommandTests.json(train.stdout)
    #expect(object["report"] as? String == dir + "/report/index.html")
    let html = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Accuracy per epoch") && html.contains("<th>epochs</th><td>head 2</td>"))
    #expect(!html.contains("Confusion matrix") && !html.contains("<figure"))
  }

  @Test func previewWritesASeededGrid() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func preview(_ out: String, seed: Int) throws -> CLIResult {
      try GraftBinary.run(["vision", "preview", "--data", dir + "/shapes", "--augment", "flip,crop,rotate,jitter",
                           "--out", dir + "/" + out, "--count", "5", "--size", "20", "--seed", "\(seed)"])
    }
    let a = try preview("a.png", seed: 1), b = try preview("b.png", seed: 1), c = try preview("c.png", seed: 2)
    #expect(a.status == 0 && b.status == 0 && c.status == 0, "\(a.stderr)")
    #expect(a.stdout.hasSuffix("wrote \(dir)/a.png (5 samples, 68×46)\n"), "\(a.stdout)")
    let image = try PNGDecoder.decode(at: dir + "/a.png")
    #expect((image.width, image.height, image.channels) == (3 * 20 + 4 * 2, 2 * 20 + 3 * 2, 3))
    let bytes = { (name: String) in try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)) }
    #expect(try bytes("a.png") == bytes("b.png"))
    #expect(try bytes("a.png") != bytes("c.png"))

    let bad = try GraftBinary.run(["vision", "preview", "--data", dir + "/shapes", "--augment", "flip,mixup",
                                   "--out", dir + "/x.png"])
    #expect(bad.status == 2 && bad.stderr.contains("unknown --augment \"mixup\""))
    #expect(!FileManager.default.fileExists(atPath: dir + "/x.png"))
    let missing = try GraftBinary.run(["vision", "preview", "--data", dir + "/nowhere", "--augment", "flip",
                                       "--out", dir + "/x.png"])
    #expect(missing.status == 1 && missing.stderr == "graft: \(dir)/nowhere: no such directory\n")
  }
}
