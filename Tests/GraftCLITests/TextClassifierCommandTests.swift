import Foundation
import Testing

/// `graft text train|evaluate|predict`, run as a built binary on a generated sentiment task.
@Suite struct TextClassifierCommandTests {
  /// Positive words near +e0, negative near −e0, filler near 0, in GloVe format; sentences
  /// of filler with one sentiment word, labels "neg"/"pos".
  final class Fixture {
    let dir: URL
    init() throws {
      dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-text-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      let positive = ["good", "great", "lovely", "superb"], negative = ["bad", "awful", "dull", "poor"]
      let filler = ["the", "film", "was", "a", "plot", "really"]
      var vectors = ""
      for (words, sign) in [(positive, 1.0), (negative, -1.0), (filler, 0.0)] {
        for (k, w) in words.enumerated() {
          vectors += "\(w) \(sign) \(0.1 * Double(k)) \(-0.05 * Double(k)) 0.2\n"
        }
      }
      try vectors.write(to: dir.appendingPathComponent("vectors.txt"), atomically: true, encoding: .utf8)
      func rows(_ count: Int, offset: Int) -> String {
        (0..<count).map { i in
          let n = i + offset, isPositive = n % 2 == 0
          let word = (isPositive ? positive : negative)[(n / 2) % 4]
          let a = filler[n % 6], b = filler[(n / 3) % 6]
          return "\(n % 3 == 0 ? "\(a) \(word) \(b)" : "\(a) \(b) \(word)")\t\(isPositive ? "pos" : "neg")\n"
        }.joined()
      }
      try ("text\tlabel\n" + rows(80, offset: 0)).write(to: dir.appendingPathComponent("train.tsv"), atomically: true, encoding: .utf8)
      try ("text\tlabel\n" + rows(24, offset: 7)).write(to: dir.appendingPathComponent("test.tsv"), atomically: true, encoding: .utf8)
    }
    deinit { try? FileManager.default.removeItem(at: dir) }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
  }

  func object(_ r: CLIResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\n\(r.stderr)")
  }

  @Test func trainEvaluatePredict() throws {
    let f = try Fixture()
    let bundle = f.path("s.graft")
    let train = try GraftBinary.run([
      "text", "train", "--data", f.path("train.tsv"), "--embeddings", f.path("vectors.txt"), "--out", bundle,
      "--epochs", "15", "--hidden-size", "8", "--batch-size", "8", "--lr", "0.02", "--patience", "5",
      "--pooling", "max", "--bidirectional", "--seed", "1", "--json", "--quiet",
      // The small model these expectations were written for (the defaults add more).
      "--no-word-logits", "--no-vocabulary-includes-embeddings", "--fine-tune-embeddings-epochs", "0",
    ])
    #expect(train.status == 0, "\(train.stderr)")
    #expect(train.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("graft: warning: data: ") })  // health findings only
    let t = try object(train)
    #expect(t["labels"] as? [String] == ["neg", "pos"])
    #expect(try #require(t["accuracy"] as? Double) >= 0.9, "\(train.stdout)")
    #expect(t["confusion"] as? [[Int]] != nil && t["macro_f1"] as? Double != nil)
    let coverage = try #require(t["coverage"] as? [String: Any])
    #expect(coverage["total"] as? Int == 14 && coverage["found"] as? Int == 14 && coverage["missing"] as? Int == 0)
    #expect(t["bundle"] as? String == bundle && t["train_count"] as? Int == 64 && t["validation_count"] as? Int == 16)
    // The TF-IDF baseline on the same 16 validation texts, beside the LSTM's accuracy.
    let baseline = try #require(t["baseline"] as? [String: Any])
    #expect(baseline["validation_count"] as? Int == 16 && baseline["train_count"] as? Int == 64)
    #expect((baseline["name"] as? String ?? "").contains("TF-IDF"))
    #expect(baseline["transfer_accuracy"] as? Double == t["accuracy"] as? Double && baseline["verdict"] is String)

    let evaluate = try GraftBinary.run(["text", "evaluate", bundle, "--data", f.path("test.tsv"), "--json"])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    let e = try object(evaluate)
    #expect(e["count"] as? Int == 24 && e["labels"] as? [String] == ["neg", "pos"])
    #expect(try #require(e["accuracy"] as? Double) >= 0.9, "\(evaluate.stdout)")

    let texts = f.path("texts.txt")
    try "the film was superb\n\nreally awful plot\n".write(toFile: texts, atomically: true, encoding: .utf8)
    let predict = try GraftBinary.run(["text", "predict", bundle, "a lovely film", "--file", texts, "--json"])
    #expect(predict.status == 0, "\(predict.stderr)")
    let p = try object(predict)
    let predictions = try #require(p["predictions"] as? [[String: Any]])
    #expect(predictions.map { $0["text"] as? String } == ["a lovely film", "the film was superb", "really awful plot"])
    #expect(predictions.map { $0["label"] as? String } == ["pos", "pos", "neg"])
    for prediction in predictions {
      let probabilities = try #require(prediction["probabilities"] as? [String: Double])
      #expect(Set(probabilities.keys) == ["neg", "pos"] && abs(probabilities.values.reduce(0, +) - 1) < 1e-5)
    }
    let evaluateText = try GraftBinary.run(["text", "evaluate", bundle, "--data", f.path("test.tsv")])
    #expect(evaluateText.status == 0 && evaluateText.stdout.hasPrefix("\(f.path("test.tsv")): accuracy "))
    #expect(evaluateText.stdout.contains("confusion (rows: actual, columns: predicted)\n         neg   pos\n  neg    "))
    let plain = try GraftBinary.run(["text", "predict", bundle, "awful"])
    #expect(plain.status == 0 && plain.stdout.hasPrefix("neg\t0.") && plain.stdout.hasSuffix("\tawful\n"))

    // The generic commands dispatch text bundles too.
    let generic = try GraftBinary.run(["evaluate", bundle, "--data", f.path("test.tsv"), "--json"])
    #expect(generic.status == 0, "\(generic.stderr)")
    let g = try object(generic)
    #expect(g["accuracy"] as? Double == e["accuracy"] as? Double && g["confusion"] as? [[Int]] == e["confusion"] as? [[Int]])
    let genericPredict = try GraftBinary.run(["predict", bundle, "a lovely film", "--file", texts, "--top", "2", "--json"])
    #expect(genericPredict.status == 0, "\(genericPredict.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(genericPredict.stdout.utf8)) as? [[String: Any]])
    #expect(entries.map { $0["file"] as? String } == ["a lovely film", "the film was superb", "really awful plot"])
    #expect(entries.map { ($0["predictions"] as? [[String: Any]])?.first?["label"] as? String } == ["pos", "pos", "neg"])
    #expect(entries.allSatisfy { ($0["predictions"] as? [[String: Any]])?.count == 2 })

    // graft summary rebuilds the model and shows its layers and the training history.
    let summary = try GraftBinary.run(["summary", bundle])
    #expect(summary.status == 0, "\(summary.stderr)")
    #expect(summary.stdout.contains("modality      text") && summary.stdout.contains("labels        neg, pos"))
    #expect(summary.stdout.contains("lstm") && summary.stdout.contains("Total parameters:"))
    #expect(summary.stdout.contains("history: epoch"))
    let summaryJSON = try object(try GraftBinary.run(["summary", bundle, "--json"]))
    #expect(summaryJSON["modality"] as? String == "text")
    let layers = try #require(summaryJSON["layers"] as? [[String: Any]])
    #expect(layers.contains { $0["name"] as? String == "head" && $0["parameters"] as? Int == 2 * (2 * 8) + 2 })
  }

  @Test func trainPrintsTheCoverageReport() throws {
    let f = try Fixture()
    let r = try GraftBinary.run([
      "text", "train", "--data", f.path("train.tsv"), "--embeddings", f.path("vectors.txt"), "--out", f.path("t.graft"),
      "--epochs", "1", "--hidden-size", "4", "--quiet",
    ])
    #expect(r.status == 0 && r.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("graft: warning: data: ") },
            "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "\(f.path("train.tsv")): 80 examples, labels neg, pos")
    #expect(lines.contains("\(f.path("vectors.txt")): 14 words, 4 dimensions"))
    #expect(lines.contains("vocabulary: 16 tokens from 64 training texts; vectors for 14/14 (100.0%) of the words, 100.0% of the tokens"))
    #expect(lines.contains { $0.hasPrefix("validation (16 texts): accuracy ") })
    #expect(lines.last == "wrote \(f.path("t.graft"))")
  }

  @Test func badEmbeddingFileExitsOneNamingIt() throws {
    let f = try Fixture()
    let bad = f.path("bad.txt")
    try "good 1 2 3\nbad 1 x 3\n".write(toFile: bad, atomically: true, encoding: .utf8)
    let r = try GraftBinary.run(["text", "train", "--data", f.path("train.tsv"), "--embeddings", bad, "--out", f.path("x.graft")])
    #expect(r.status == 1)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr.hasPrefix("graft: \(bad): ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: f.path("x.graft")))

    let missing = try GraftBinary.run(["text", "evaluate", f.path("none.graft"), "--data", f.path("test.tsv")])
    #expect(missing.status == 1 && missing.stderr == "graft: \(f.path("none.graft")): no such bundle\n")
    let noData = try GraftBinary.run(["text", "train", "--data", f.path("nope.tsv"), "--embeddings", bad, "--out", f.path("x.graft")])
    #expect(noData.status == 1 && noData.stderr == "graft: \(f.path("nope.tsv")): no such file or folder\n")
    let usage = try GraftBinary.run(["text", "train", "--data", "a", "--embeddings", "b", "--out", "c", "--layers", "3"])
    #expect(usage.status == 2 && usage.stderr.contains("--layers must be 1 or 2"))
    let noTexts = try GraftBinary.run(["text", "predict", f.path("none.graft")])
    #expect(noTexts.status == 2 && noTexts.stderr.contains("give texts as arguments or with --file"))
  }
}
