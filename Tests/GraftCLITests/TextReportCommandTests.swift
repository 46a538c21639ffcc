import Foundation
import Testing

/// `graft text train --report` and `graft text evaluate --report`: one self-contained page each.
@Suite struct TextReportCommandTests {
  typealias Fixture = TextClassifierCommandTests.Fixture

  func object(_ r: CLIResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\n\(r.stderr)")
  }

  func page(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
  }

  @Test func trainAndEvaluateWriteReports() throws {
    let f = try Fixture()
    let bundle = f.path("s.graft"), trainReport = f.path("train-report"), evalReport = f.path("eval-report")
    // A broken row (3 fields) on line 82 of the training table.
    let train = f.path("train.tsv")
    try (try page(train) + "broken\tpos\textra\n").write(toFile: train, atomically: true, encoding: .utf8)
    let t = try GraftBinary.run([
      "text", "train", "--data", train, "--embeddings", f.path("vectors.txt"), "--out", bundle,
      "--epochs", "15", "--hidden-size", "8", "--batch-size", "8", "--lr", "0.02", "--patience", "5",
      "--pooling", "max", "--seed", "1", "--fine-tune-embeddings-epochs", "1", "--quiet", "--report", trainReport,
      // The small model these expectations were written for (the defaults add more).
      "--no-bidirectional", "--no-word-logits", "--no-vocabulary-includes-embeddings", "--no-ngram-blend",
    ])
    #expect(t.status == 0, "\(t.stderr)")
    #expect(t.stdout.hasSuffix("wrote \(bundle)\nwrote report \(trainReport)/index.html\n"), "\(t.stdout)")
    let trainPage = try page(trainReport + "/index.html")
    #expect(trainPage.contains("Training curves") && trainPage.contains("<svg"))
    #expect(trainPage.contains("Confusion matrix") && trainPage.contains("Per class"))
    #expect(trainPage.contains("vectors for 14/14 words (100.0%)"))
    #expect(trainPage.contains("\(train):82: expected 2 fields, found 3"))
    #expect(trainPage.contains("<blockquote>") && !trainPage.lowercased().contains("http"))

    // Mistakes: positive words labelled neg, one with markup that must be escaped.
    let test = f.path("marked.tsv")
    try """
      text\tlabel
      the <b>superb</b> & great film\tneg
      a superb film\tneg
      the film was awful\tneg
      really great plot\tpos
      the dull plot\tneg
      a lovely film\tpos

      """.write(toFile: test, atomically: true, encoding: .utf8)
    let e = try GraftBinary.run(["text", "evaluate", bundle, "--data", test, "--report", evalReport, "--json"])
    // `graft evaluate` (any modality) writes the same page for a text bundle.
    let generic = try GraftBinary.run(["evaluate", bundle, "--data", test, "--report", f.path("generic-report")])
    #expect(generic.status == 0, "\(generic.stderr)")
    #expect(generic.stdout.hasSuffix("wrote report \(f.path("generic-report"))/index.html\n"), "\(generic.stdout)")
    let genericPage = try page(f.path("generic-report") + "/index.html")
    #expect(genericPage.contains("the &lt;b&gt;superb&lt;/b&gt; &amp; great film"))
    #expect(genericPage.components(separatedBy: "<figure class=\"wrong\"").count - 1 == 2)

    #expect(e.status == 0, "\(e.stderr)")
    let json = try object(e)
    #expect(json["report"] as? String == evalReport + "/index.html" && json["count"] as? Int == 6)
    let evalPage = try page(evalReport + "/index.html")
    #expect(evalPage.contains("Confusion matrix") && evalPage.contains("Per class"))
    #expect(evalPage.contains("the &lt;b&gt;superb&lt;/b&gt; &amp; great film"))
    #expect(!evalPage.contains("<b>superb</b>") && !evalPage.contains("& great"))
    #expect(!evalPage.lowercased().contains("http"))
    // Mistakes first: the first two figures are the two mislabelled rows.
    let figures = evalPage.components(separatedBy: "<figure class=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
    #expect(figures == ["wrong", "wrong", "right", "right", "right", "right"], "\(figures)")
    let names = evalPage.components(separatedBy: "<span class=\"name\">").dropFirst().map { $0.prefix { $0 != "<" } }
    #expect(Set(names.prefix(2)) == ["line 2", "line 3"])

    let plain = try GraftBinary.run(["text", "evaluate", bundle, "--data", test, "--report", evalReport])
    #expect(plain.status == 0 && plain.stdout.hasSuffix("wrote report \(evalReport)/index.html\n"), "\(plain.stdout)")
  }
}
