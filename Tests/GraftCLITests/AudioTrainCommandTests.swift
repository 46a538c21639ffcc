import Foundation
import GraftCore
import Testing

/// `graft audio train | predict | evaluate` on generated audio: "tone" clips hold a 1 kHz tone over
/// white noise, "noise" clips the noise alone (float WAV written byte by byte), plus a corrupt file.
@Suite(.serialized) struct AudioTrainCommandTests {
  let directory: String

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graft-cli-audio-train-\(getpid())-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { "\(directory)/\(name)" }

  /// Mono IEEE float WAV at 16 kHz (`HealthCommandTests.writeWAV`) under this test's directory.
  @discardableResult
  func writeWAV(_ name: String, _ samples: [Float]) throws -> String {
    let file = path(name)
    try HealthCommandTests.writeWAV(file, samples)
    return file
  }


  static func noise(seconds: Double, seed: UInt64) -> [Float] {
    var g = Generator(seed: seed)
    return (0..<Int(seconds * 16000)).map { _ in g.uniform(-0.3, 0.3) }
  }

  static func addTone(_ s: inout [Float], from: Double, to: Double) {
    for i in Int(from * 16000)..<min(s.count, Int(to * 16000)) { s[i] += 0.4 * Float(sin(2 * Double.pi * 1000 * Double(i) / 16000)) }
  }

  static func tone(seconds: Double, seed: UInt64) -> [Float] {
    var s = noise(seconds: seconds, seed: seed)
    addTone(&s, from: 0, to: seconds)
    return s
  }

  /// `data/{tone,noise}/*.wav`, 8 clips each of 1 to 2 s, and `data/tone/broken.wav`.
  func writeData() throws {
    for i in 0..<8 {
      let seconds = 1 + Double(i) / 7
      try writeWAV("data/tone/t\(i).wav", Self.tone(seconds: seconds, seed: UInt64(100 + i)))
      try writeWAV("data/noise/n\(i).wav", Self.noise(seconds: seconds, seed: UInt64(200 + i)))
    }
    try Data("RIFF\u{0}\u{0}\u{0}\u{0}WAVEnot really audio".utf8).write(to: URL(fileURLWithPath: path("data/tone/broken.wav")))
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
  }

  static let train = ["audio", "train", "--base", "none", "--arch", "audio_resnet", "--width-multiplier", "0.5",
                      "--epochs", "6", "--lr", "0.003", "--batch-size", "8", "--seed", "7", "--validation-fraction", "0.25"]

  func removeDirectory() { try? FileManager.default.removeItem(atPath: directory) }

  /// Checks an HTML report: one page, self-contained, with the metrics and pictures asked for.
  func expectReport(_ dir: String, pictures: Int) throws {
    let html = try String(contentsOfFile: dir + "/index.html", encoding: .utf8)
    #expect(html.contains("ROC-AUC") && html.contains("Confusion matrix"))
    #expect(html.components(separatedBy: "src=\"data:image/png;base64,").count - 1 == pictures)
    #expect(!html.contains("http:") && !html.contains("https:"))
  }

  @Test func trainAndEvaluateWriteReports() throws {
    defer { removeDirectory() }
    try writeData()
    let bundle = path("tone.graft"), trainReport = path("train-report"), evalReport = path("eval-report")
    let quick = ["audio", "train", "--base", "none", "--arch", "smallcnn", "--width-multiplier", "0.25", "--epochs", "2",
                 "--batch-size", "8", "--seed", "7", "--validation-fraction", "0.25", "--positive", "tone"]
    let trained = try GraftBinary.run(quick + ["--data", path("data"), "--out", bundle, "--report", trainReport, "--json"])
    #expect(trained.status == 0, "\(trained.stderr)")
    #expect(try json(trained.stdout)["report"] as? String == trainReport + "/index.html")
    try expectReport(trainReport, pictures: 4)  // the 4 validation clips
    let trainHTML = try String(contentsOfFile: trainReport + "/index.html", encoding: .utf8)
    #expect(trainHTML.contains("<svg") && trainHTML.contains("broken.wav"))  // curves; the skipped file listed

    let evaluated = try GraftBinary.run(["audio", "evaluate", bundle, "--data", path("data"), "--report", evalReport])
    #expect(evaluated.status == 0, "\(evaluated.stderr)")
    #expect(evaluated.stdout.contains("wrote report \(evalReport)/index.html"))
    try expectReport(evalReport, pictures: 16)
    let evalJSON = try GraftBinary.run(["audio", "evaluate", bundle, "--data", path("data"), "--report", evalReport, "--json"])
    #expect(try json(evalJSON.stdout)["report"] as? String == evalReport + "/index.html")
    // The generic `graft evaluate` writes the same kind of page for an audio bundle.
    let generic = try GraftBinary.run(["evaluate", bundle, "--data", path("data"), "--report", path("generic-report")])
    #expect(generic.status == 0 && generic.stdout.contains("wrote report \(path("generic-report"))/index.html"),
            "\(generic.stderr)")
    try expectReport(path("generic-report"), pictures: 16)
  }

  @Test func trainPredictEventsEvaluate() throws {
    defer { removeDirectory() }
    try writeData()
    let bundle = path("tone.graft")
    let trained = try GraftBinary.run(Self.train + ["--data", path("data"), "--positive", "tone", "--out", bundle, "--json"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let summary = try json(trained.stdout)
    #expect(summary["labels"] as? [String] == ["noise", "tone"] && summary["positive_label"] as? String == "tone")
    #expect(summary["train_clips"] as? Int == 12 && summary["validation_clips"] as? Int == 4)
    let skipped = try #require(summary["skipped"] as? [[String: Any]])
    #expect(skipped.count == 1 && skipped.first?["path"] as? String == path("data/tone/broken.wav"))
    #expect((skipped.first?["reason"] as? String)?.isEmpty == false)
    let validation = try #require(summary["validation"] as? [String: Any])
    #expect(validation["accuracy"] as? Double == 1 && validation["roc_auc"] as? Double == 1)
    let threshold = try #require(summary["threshold"] as? Double)
    #expect(threshold > 0 && threshold < 1)
    #expect(FileManager.default.fileExists(atPath: bundle + "/config.json"))

    // predict: one line per file; JSON with probabilities.
    let tone = try writeWAV("new_tone.wav", Self.tone(seconds: 1.5, seed: 999))
    let noise = try writeWAV("new_noise.wav", Self.noise(seconds: 1.2, seed: 998))
    let text = try GraftBinary.run(["audio", "predict", bundle, tone, noise])
    #expect(text.status == 0, "\(text.stderr)")
    let lines = text.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 2 && lines[0].hasPrefix("\(tone)  tone 0.") || lines[0] == "\(tone)  tone 1.00", "\(text.stdout)")
    #expect(lines.count == 2 && lines[1].hasPrefix("\(noise)  noise "), "\(text.stdout)")
    let predicted = try json(try GraftBinary.run(["audio", "predict", bundle, tone, noise, "--json"]).stdout)
    let results = try #require(predicted["results"] as? [[String: Any]])
    #expect(results.map { $0["label"] as? String } == ["tone", "noise"])
    let probabilities = try #require(results.first?["probabilities"] as? [String: Double])
    #expect(abs((probabilities["tone"] ?? 0) + (probabilities["noise"] ?? 0) - 1) < 1e-5)
    #expect(predicted["threshold"] as? Double == threshold)

    // --events: two tone bursts planted in 8 s of noise, found within ±0.5 s.
    var long = Self.noise(seconds: 8, seed: 6)
    Self.addTone(&long, from: 2, to: 3)
    Self.addTone(&long, from: 5.5, to: 6.5)
    let recording = try writeWAV("long.wav", long)
    let events = try GraftBinary.run(["audio", "predict", bundle, recording, "--events"])
    #expect(events.status == 0, "\(events.stderr)")
    let eventLines = events.stdout.split(separator: "\n").map(String.init)
    #expect(eventLines.count == 2, "\(events.stdout)")
    func seconds(_ clock: Substring) -> Double {
      let parts = clock.split(separator: ":")
      return Double(parts[0])! * 60 + Double(parts[1])!
    }
    for (line, (start, end)) in zip(eventLines, [(2.0, 3.0), (5.5, 6.5)]) {
      let fields = line.split(separator: " ")
      #expect(fields.count == 3 && fields[1] == "tone", "\(line)")
      let times = fields[0].split(separator: "–")
      #expect(times.count == 2 && times[0].contains(".") && times[0].hasPrefix("0:0"), "\(line)")
      if times.count == 2 {
        #expect(abs(seconds(times[0]) - start) <= 0.5 && abs(seconds(times[1]) - end) <= 0.5, "\(line)")
      }
    }
    let eventJSON = try json(try GraftBinary.run(["audio", "predict", bundle, recording, "--events", "--json"]).stdout)
    let found = try #require((eventJSON["results"] as? [[String: Any]])?.first?["events"] as? [[String: Any]])
    #expect(found.count == 2 && found.allSatisfy { $0["label"] as? String == "tone" })

    // evaluate: clip-level metrics on the training folder (the corrupt file reported).
    let evaluated = try GraftBinary.run(["audio", "evaluate", bundle, "--data", path("data"), "--json"])
    #expect(evaluated.status == 0, "\(evaluated.stderr)")
    let metrics = try json(evaluated.stdout)
    #expect(metrics["count"] as? Int == 16 && metrics["accuracy"] as? Double == 1 && metrics["macro_f1"] as? Double == 1)
    #expect(metrics["labels"] as? [String] == ["noise", "tone"] && metrics["confusion"] as? [[Int]] == [[8, 0], [0, 8]])
    #expect(metrics["roc_auc"] as? Double == 1)
    #expect((metrics["skipped"] as? [[String: Any]])?.count == 1)
    let table = try GraftBinary.run(["audio", "evaluate", bundle, "--data", path("data")])
    #expect(table.status == 0 && table.stdout.contains("accuracy 1.0000") && table.stdout.contains("ROC-AUC 1.000"))
    #expect(table.stderr.contains("skipped \(path("data/tone/broken.wav")): "))

    // The generic commands dispatch audio bundles too.
    let generic = try json(try GraftBinary.run(["evaluate", bundle, "--data", path("data"), "--json"]).stdout)
    #expect(generic["accuracy"] as? Double == 1 && generic["roc_auc"] as? Double == 1)
    #expect(generic["confusion"] as? [[Int]] == [[8, 0], [0, 8]])
    let genericPredict = try GraftBinary.run(["predict", bundle, tone, noise, "--json"])
    #expect(genericPredict.status == 0, "\(genericPredict.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(genericPredict.stdout.utf8)) as? [[String: Any]])
    #expect(entries.map { ($0["predictions"] as? [[String: Any]])?.first?["label"] as? String } == ["tone", "noise"])
    let described = try GraftBinary.run(["summary", bundle])
    #expect(described.status == 0 && described.stdout.contains("modality      audio") && described.stdout.contains("Total parameters:"),
            "\(described.stderr)")

    // The bundle as the base of a new model (its base and front end reused; head only, cached).
    let csv = path("labels.csv")
    let rows = (0..<8).flatMap { ["data/tone/t\($0).wav,tone,train", "data/noise/n\($0).wav,noise,train"] }
    try Data((["file,label,split"] + rows + ["data/tone/t0.wav,tone,test", "broken-row"]).joined(separator: "\n").utf8)
      .write(to: URL(fileURLWithPath: csv))
    let again = try GraftBinary.run(["audio", "train", "--data", csv, "--where", "split=train", "--base", bundle,
                                     "--out", path("again.graft"), "--epochs", "3", "--json"])
    #expect(again.status == 0, "\(again.stderr)")
    let second = try json(again.stdout)
    #expect(second["base"] as? String == "audio_resnet" && second["feature_cache"] as? Bool == true)
    // The default head solver: a linear head on cached features is fitted exactly (--epochs unused).
    #expect(second["head_fit"] is [String: Any] && second["epochs"] as? Int == 1, "\(again.stdout)")
    let rowIssues = try #require(second["skipped"] as? [[String: Any]])
    #expect(rowIssues.count == 1 && rowIssues.first?["line"] as? Int == 19)
    let withArch = try GraftBinary.run(["audio", "train", "--data", csv, "--base", bundle, "--arch", "vggish",
                                        "--out", path("x.graft"), "--quiet"])
    #expect(withArch.status == 1 && withArch.stderr.hasSuffix("--arch applies to none and weights files\n"))

    // The bundle's base weights as a safetensors file with --arch: loaded as they are.
    let stored = try SafeTensors.read(bundle + "/model.safetensors").tensors
    let baseWeights = stored.filter { $0.key.hasPrefix("base.") }
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: baseWeights.map { (String($0.key.dropFirst(5)), $0.value) }),
                          to: path("base.safetensors"))
    let fromFile = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", path("base.safetensors"),
                                        "--arch", "audio_resnet", "--width-multiplier", "0.5", "--epochs", "2",
                                        "--fine-tune-blocks", "0", "--out", path("file.graft"), "--quiet"])
    #expect(fromFile.status == 0, "\(fromFile.stderr)")
    let reloaded = try SafeTensors.read(path("file.graft") + "/model.safetensors").tensors
    #expect(baseWeights.allSatisfy { reloaded[$0.key]?.scalars == $0.value.scalars })
    let wrongArch = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", path("base.safetensors"),
                                         "--arch", "vggish", "--width-multiplier", "0.5", "--out", path("w.graft"), "--quiet"])
    #expect(wrongArch.status == 1 && wrongArch.stderr.hasPrefix("graft: \(path("base.safetensors")): weights do not fit vggish"))
    #expect(wrongArch.stderr.split(separator: "\n").count == 1)
  }

  @Test func errorsAreOneLineAndExitOne() throws {
    defer { removeDirectory() }
    try writeData()
    let missingBundle = try GraftBinary.run(["audio", "predict", path("nope.graft"), path("x.wav")])
    #expect(missingBundle.status == 1 && missingBundle.stderr == "graft: \(path("nope.graft")): no such bundle\n")
    let noData = try GraftBinary.run(Self.train + ["--data", path("nothing"), "--out", path("o.graft")])
    #expect(noData.status == 1 && noData.stderr == "graft: \(path("nothing")): no such file or directory\n")
    let badPositive = try GraftBinary.run(Self.train + ["--data", path("data"), "--positive", "cough", "--out", path("o.graft"), "--quiet"])
    #expect(badPositive.status == 1, "\(badPositive.stderr)")
    #expect(badPositive.stderr == "graft: \(path("data")): positive label \"cough\" is not one of noise, tone\n")
    let noWeights = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", path("w.safetensors"), "--out", path("o.graft")])
    #expect(noWeights.status == 1 && noWeights.stderr.hasPrefix("graft: \(path("w.safetensors")): no such weights file"))
    #expect(noWeights.stderr.split(separator: "\n").count == 1)
    let usage = try GraftBinary.run(["audio", "train", "--data", path("data"), "--base", "none", "--out", path("o.graft")])
    #expect(usage.status == 2 && usage.stderr.contains("--base none needs --arch"))
    // A bundle that is not an audio bundle's directory at all, and a file that is not audio.
    try FileManager.default.createDirectory(atPath: path("empty.graft"), withIntermediateDirectories: true)
    let emptyBundle = try GraftBinary.run(["audio", "evaluate", path("empty.graft"), "--data", path("data")])
    #expect(emptyBundle.status == 1 && emptyBundle.stderr == "graft: \(path("empty.graft")): missing config.json\n")
  }
}
