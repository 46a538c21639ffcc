import Foundation
import Testing

/// `graft demo` on the committed SampleData/: all three scenarios (about 35 s in a debug build
/// on 2 cores), the JSON contract, and transfer beating scratch in each.
@Suite struct DemoCommandTests {
  static let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SampleData").path

  @Test func demoPrintsTheJSONContractAndTransferBeatsScratch() throws {
    for part in ["vision/base.safetensors", "text/embeddings.bin", "audio/base.safetensors"] {
      try #require(FileManager.default.fileExists(atPath: Self.sampleData + "/" + part), "SampleData/\(part) is missing")
    }
    let reportDir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-demo-report-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: reportDir) }
    let r = try GraftBinary.run(["demo", "--json", "--sample-data", Self.sampleData, "--report", reportDir])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["scenarios", "report"])
    #expect(object["report"] as? String == reportDir + "/index.html")
    // The report: a transfer and a scratch section per scenario, each with curves, metrics and a
    // grid — thumbnails for vision, spectrograms for audio, snippets for text — and no network.
    let html = try String(contentsOfFile: reportDir + "/index.html", encoding: .utf8)
    for name in ["vision", "text", "audio"] {
      #expect(html.contains("<h2>\(name): transfer") && html.contains("<h2>\(name): from scratch"), "\(name)")
    }
    #expect(html.components(separatedBy: "<section id=").count - 1 == 6)
    #expect(html.components(separatedBy: "Confusion matrix").count - 1 == 6)
    #expect(html.components(separatedBy: ">Loss per epoch</text>").count - 1 == 6)
    #expect(html.contains("<blockquote>") && html.contains("data:image/png;base64,"))
    #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))
    let scenarios = try #require(object["scenarios"] as? [[String: Any]])
    #expect(scenarios.compactMap { $0["name"] as? String } == ["vision", "text", "audio"])
    for s in scenarios {
      let name = s["name"] as? String ?? "?"
      #expect(Set(s.keys) == ["name", "train_examples", "test_examples", "transfer", "scratch", "seconds"], "\(name)")
      #expect((Self.number(s["train_examples"]) ?? 0) > 0 && (Self.number(s["test_examples"]) ?? 0) > 0, "\(name)")
      #expect((Self.number(s["seconds"]) ?? -1) >= 0, "\(name)")
      let transfer = try #require(s["transfer"] as? [String: Any])
      let scratch = try #require(s["scratch"] as? [String: Any])
      #expect(Set(transfer.keys) == ["accuracy", "macro_f1"] && Set(scratch.keys) == ["accuracy", "macro_f1"], "\(name)")
      let (ta, tf) = (try #require(Self.number(transfer["accuracy"])), try #require(Self.number(transfer["macro_f1"])))
      let (sa, sf) = (try #require(Self.number(scratch["accuracy"])), try #require(Self.number(scratch["macro_f1"])))
      #expect(ta > sa, "\(name): transfer accuracy \(ta), scratch \(sa)")
      #expect(tf > sf, "\(name): transfer macro-F1 \(tf), scratch \(sf)")
    }
  }

  @Test func oneScenarioTableNamesTheWinner() throws {
    let r = try GraftBinary.run(["demo", "--only", "text", "--quiet", "--sample-data", Self.sampleData])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("transfer acc") && r.stdout.contains("text"))
    #expect(r.stdout.contains("transfer beats scratch in 1 of 1 scenario"))
  }

  /// A JSON number as Double, whether it was parsed as an integer or not.
  static func number(_ value: Any?) -> Double? {
    switch value {
    case let d as Double: d
    case let i as Int: Double(i)
    case let n as NSNumber: n.doubleValue
    default: nil
    }
  }

  @Test func missingSampleDataIsOneLineAndExitOne() throws {
    let r = try GraftBinary.run(["demo", "--sample-data", "/nonexistent/graft-sample-data"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("/nonexistent/graft-sample-data"))
    let bad = try GraftBinary.run(["demo", "--only", "smell"])
    #expect(bad.status == 2)
  }
}
