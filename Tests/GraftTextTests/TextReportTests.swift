import Foundation
@testable import GraftCore
@testable import GraftText
import Testing

@Suite struct TextReportTests {
  static let labels = ["neg", "pos"]

  static func prediction(_ i: Int, actual: String, predicted: String, p: Double, text: String? = nil) -> TextExamplePrediction {
    TextExamplePrediction(source: "line \(i + 2)", text: text ?? "text \(i)", actual: actual, predicted: predicted,
                          probability: p)
  }

  /// 60 predictions: every fifth wrong, with rising confidence; one long text; one with markup.
  static let predictions: [TextExamplePrediction] = (0..<60).map { i in
    let actual = labels[i % 2]
    let wrong = i % 5 == 0
    return prediction(i, actual: actual, predicted: wrong ? labels[1 - i % 2] : actual, p: 0.5 + Double(i) / 200,
                      text: i == 3 ? String(repeating: "long ", count: 200) : i == 55 ? "<b>superb</b> & fun" : nil)
  }

  static let issues = [
    DataIssue(path: "test.tsv", line: 7, reason: "expected 2 fields, found 3"),
    DataIssue(path: "test.tsv", line: 19, reason: "empty text"),
  ]

  static var metrics: ClassificationMetrics {
    let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
    return ClassificationMetrics(predicted: predictions.map { index[$0.predicted]! }, actual: predictions.map { index[$0.actual]! },
                                 classCount: 2, labels: labels)
  }

  @Test func evaluationSectionOrdersMistakesFirstAndListsSkippedRows() throws {
    let evaluation = TextEvaluation(metrics: Self.metrics, predictions: Self.predictions, issues: Self.issues, rocAUC: 0.75)
    let section = TextReport.section(evaluation: evaluation, bundle: "s.graft", data: "test.tsv")
    #expect(section.heading == "Evaluation")
    #expect(section.facts.contains(ReportFact("bundle", "s.graft")) && section.facts.contains(ReportFact("data", "test.tsv")))
    #expect(section.facts.contains(ReportFact("examples", "60")) && section.facts.contains(ReportFact("skipped", "2 rows or files")))
    #expect(section.metrics == Self.metrics && section.rocAUC == 0.75 && section.stages.isEmpty)
    #expect(section.exampleCount == 60 && section.examples.count == TextReport.exampleLimit)
    // 12 mistakes (i = 0, 5, …, 55), the most confident (i = 55) first; then correct, least confident first.
    #expect(section.examples.prefix(12).allSatisfy(\.isMistake) && !section.examples[12].isMistake)
    #expect(section.examples.first?.name == "line 57" && section.examples.first?.text == "<b>superb</b> & fun")
    #expect(section.examples[12].name == "line 3")
    #expect(section.examples.first?.confidence == 0.5 + 55.0 / 200)
    let long = try #require(section.examples.first { $0.name == "line 5" }?.text)
    #expect(long.count == TextReport.snippetLength && long.hasSuffix("…"))
    #expect(section.skipped == ["test.tsv:7: expected 2 fields, found 3", "test.tsv:19: empty text"])

    let html = HTMLReport(title: "t", sections: [section]).html()
    #expect(html.contains("&lt;b&gt;superb&lt;/b&gt; &amp; fun") && !html.contains("<b>superb</b>"))
    #expect(html.contains("test.tsv:7: expected 2 fields, found 3"))
  }

  @Test func trainingSectionHasFactsStagesAndValidationExamples() {
    var history = TrainingHistory()
    history.epochs = [EpochRecord(epoch: 1, trainLoss: 0.7, trainAccuracy: 0.5, validationLoss: 0.6, validationAccuracy: 0.6,
                                  learningRate: 0.01, seconds: 0.1)]
    var fineTune = history
    fineTune.epochs[0].trainLoss = 0.4
    let report = TextTrainingReport(
      labels: Self.labels, trainCount: 240, validationCount: 60, vocabularySize: 120,
      coverage: EmbeddingCoverage(total: 118, found: 100, sampleMissing: ["zzz", "qqq"]), tokenCoverage: 0.9,
      validation: Self.metrics, validationPredictions: Self.predictions, validationROCAUC: nil, history: history,
      fineTuneHistory: fineTune, issues: Self.issues, embeddingCount: 5000, embeddingDimension: 50)
    let section = TextReport.section(training: report, data: "train.tsv", embeddings: "glove.txt", bundle: "s.graft")
    let facts = Dictionary(uniqueKeysWithValues: section.facts.map { ($0.name, $0.value) })
    #expect(facts["data"] == "train.tsv" && facts["bundle"] == "s.graft")
    #expect(facts["embeddings"] == "glove.txt (5000 words × 50)")
    #expect(facts["vocabulary"] == "120 tokens (with <pad> and <unk>)")
    #expect(facts["coverage"] == "vectors for 100/118 words (84.7%), 90.0% of the training tokens")
    #expect(facts["no vector"] == "zzz qqq")
    #expect(facts["examples"] == "240 training, 60 validation")
    #expect(facts["epochs"] == "1 train, 1 fine-tune (embeddings unfrozen)")
    #expect(section.stages.map(\.name) == ["train", "fine-tune"] && section.stages[1].history == fineTune)
    #expect(section.metrics == Self.metrics && section.examples.count == 48 && section.examples[0].isMistake)
    #expect(section.skipped.count == 2)
  }

  @Test func evaluationOfADatasetKeepsSourcesAndProbabilities() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-text-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("d.tsv").path
    try "text\tlabel\ngood film\tpos\n\nbad\tfilm\tneg\nawful film\tneg\n".write(toFile: path, atomically: true, encoding: .utf8)
    let dataset = try TextDataset.load(path)
    #expect(dataset.sources == ["line 2", "line 5"] && dataset.issues.map(\.line) == [4])
    let vocabulary = Vocabulary(words: ["good", "awful", "film"])
    let preprocessing = TextPreprocessing(tokenizer: Tokenizer(), vocabulary: vocabulary, maxLength: 8)
    let config = LSTMClassifierConfig(vocabularySize: vocabulary.count, embeddingDimension: 3, hiddenSize: 4, classCount: 2)
    let classifier = TextClassifier(model: LSTMClassifier(config, seed: 1), preprocessing: preprocessing, labels: ["neg", "pos"])
    let evaluation = try classifier.evaluation(of: dataset)
    let probabilities = classifier.probabilities(dataset.texts)
    #expect(evaluation.predictions.map(\.source) == ["line 2", "line 5"])
    #expect(evaluation.predictions.map(\.actual) == ["pos", "neg"])
    for (prediction, p) in zip(evaluation.predictions, probabilities) {
      #expect(prediction.probability == Double(p.max()!) && prediction.predicted == (p[1] > p[0] ? "pos" : "neg"))
    }
    #expect(evaluation.metrics == (try classifier.evaluate(dataset)) && evaluation.issues.count == 1)
    #expect(evaluation.rocAUC != nil)
  }
}
