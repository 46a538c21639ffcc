import ArgumentParser
import Foundation
import GraftCore
import GraftText

extension TextDataFormat: ExpressibleByArgument {}
extension SequencePooling: ExpressibleByArgument {}

/// Where the labelled texts are and how to read them (`train`, `evaluate`).
struct TextDataOptions: ParsableArguments {
  @Option(help: "A CSV/TSV file of (text, label) or a folder with one folder of text files per label.")
  var data: String

  @Option(help: "Data layout (auto: a folder is folder, .csv is csv, a tab in the first line is tsv).")
  var format: TextDataFormat = .auto

  @Option(help: "Header name of the text column (default: text, sentence, review, …).")
  var textColumn: String?

  @Option(help: "Header name of the label column (default: label, class, sentiment, …).")
  var labelColumn: String?

  func load(allowSingleClass: Bool = false) throws -> TextDataset {
    try TextDataset.load(data, format: format, textColumn: textColumn, labelColumn: labelColumn,
                         allowSingleClass: allowSingleClass)
  }
}

enum TextCommandOutput {
  /// Skipped rows on stderr: the first `limit` in full, then a count.
  static func reportIssues(_ issues: [DataIssue], limit: Int = 10) {
    for issue in issues.prefix(limit) { Console.writeError("skipped \(issue)\n") }
    if issues.count > limit { Console.writeError("skipped \(issues.count - limit) more rows or files\n") }
  }

  static func percent(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }

  /// `metrics` as a JSON object, with `extra` keys added.
  static func metricsObject(_ m: ClassificationMetrics, _ extra: [String: JSONValue]) throws -> JSONValue {
    let encoded = try JSONValue(encoding: m)
    var object = encoded.object ?? [:]
    for (k, v) in extra { object[k] = v }
    return .object(object)
  }
}

struct TextTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train an LSTM text classifier on pretrained word vectors and write a model bundle.",
    discussion: """
      The vocabulary is built on the training split (words without a vector only when seen twice; then the embedding file's words, within --max-vocab); the file's vectors are imported for it and stay frozen, while words the file lacks get vectors of their own that train. A BiLSTM with max pooling plus a bag-of-words weight per word and class (--word-logits, at 25 × --lr) train with Adam until validation loss stops improving for --patience epochs (at most --epochs; the best epoch's weights are kept). With --fine-tune-embeddings-epochs N the file's vectors then train too, at --embedding-lr. --checkpoint FILE saves the training state after every epoch; --resume FILE continues it with the same command, ending where the uninterrupted run would have, bit for bit. Then the raw-input baseline, logistic regression on TF-IDF of words and word pairs, is fitted on the same split, and its probabilities are averaged into the model's at the weight the validation split chooses (--no-ngram-blend keeps the LSTM alone); the bundle stores it. Prints the vocabulary coverage, the final validation metrics (of the LSTM, then of the blend). --report DIR writes DIR/index.html: coverage, training curves, confusion matrix, per-class table and validation texts (mistakes first).

      JSON: {"accuracy", "macro_f1", "labels", "confusion", "per_class", "coverage", "bundle", "report", …}.

      Examples:
        graft text train --data reviews.tsv --embeddings glove.6B.50d.txt \\
          --out sentiment.graft
        graft text train --data reviews/ --embeddings vectors.bin \\
          --out sentiment.graft --checkpoint run.ckpt --report sentiment-report --json
        graft text train --data reviews/ --embeddings vectors.bin \\
          --out sentiment.graft --resume run.ckpt
      """)

  @OptionGroup var source: TextDataOptions
  @Option(help: "Pretrained vectors: word2vec (binary or text), GloVe or fastText .vec.") var embeddings: String
  @Option(help: "Embedding file format (auto: detected).")
  var embeddingsFormat: EmbeddingFormatChoice = .auto
  @Option(help: "The bundle to write (NAME.graft).") var out: String
  @Option(help: "Cut texts to this many tokens.") var maxLen = Self.defaults.maxLength
  @Option(help: "Keep tokens seen at least this often in the training split.") var minFrequency = Self.defaults.minFrequency
  @Option(help: "Keep words without a pretrained vector only when seen at least this often (rarer ones become <unk>).")
  var minFrequencyWithoutVector = Self.defaults.minFrequencyWithoutVector
  @Option(help: "Largest vocabulary (with <pad> and <unk>).") var maxVocab = Self.defaults.maxVocabularySize
  @Flag(inversion: .prefixedNo, help: "Also put the embedding file's words in the vocabulary (within --max-vocab), so unseen words keep their vector.")
  var vocabularyIncludesEmbeddings = Self.defaults.vocabularyIncludesEmbeddingWords
  @Flag(inversion: .prefixedNo, help: "Words the embedding file lacks get vectors that train from the first epoch (the file's stay frozen).")
  var trainableOov = Self.defaults.trainableOOV
  @Flag(inversion: .prefixedNo, help: "Bidirectional LSTM.") var bidirectional = Self.defaults.bidirectional
  @Option(help: "LSTM layers: 1 or 2.") var layers = Self.defaults.layers
  @Option(help: "LSTM hidden size.") var hiddenSize = Self.defaults.hiddenSize
  @Option(help: "Pooling over time: last, max or mean.") var pooling: SequencePooling = Self.defaults.pooling
  @Flag(inversion: .prefixedNo, help: "Add a bag-of-words weight per word and class to the logits (trained with the LSTM).")
  var wordLogits = Self.defaults.wordLogits
  @Option(help: "Learning rate of the word weights as a multiple of --lr.")
  var wordLogitsLrScale: Float = Self.defaults.wordLogitsLearningRateScale
  @Flag(inversion: .prefixedNo, help: "Average the baseline's TF-IDF word and word-pair logistic regression into the model's probabilities, at the weight (0 to 1 by 0.05; 0: the LSTM alone) that gives the lowest validation log-loss; the regression is stored in the bundle.")
  var ngramBlend = Self.defaults.ngramBlend
  @Option(help: "Dropout before the linear head.") var headDropout: Float = Self.defaults.headDropout
  @Option(help: "Most epochs with frozen vectors (early stopping on validation loss ends them sooner).")
  var epochs = TextClassifier.defaultEpochs
  @Option(help: "Most epochs that also train the pretrained vectors, after the first stage (0: none).")
  var fineTuneEmbeddingsEpochs = TextClassifier.defaultFineTuneEmbeddingsEpochs
  @Option(help: "Batch size.") var batchSize = TextClassifier.defaultBatchSize
  @Option(help: "Adam learning rate.") var lr: Float = TextClassifier.defaultLearningRate
  @Option(help: "Learning rate of the pretrained vectors when fine-tuning (default: --lr / 10).") var embeddingLr: Float?
  @Option(help: "Share of the data held out for validation.") var validationFraction = Self.defaults.validationFraction
  @Option(help: "Early-stopping patience in epochs.") var patience = TextClassifier.defaultPatience
  @Option(help: "Random seed (split, initialisation, shuffling).") var seed: UInt64 = 42
  @Option(help: ArgumentHelp("Write a training checkpoint to FILE after every epoch.", valueName: "file"))
  var checkpoint: String?
  @Option(help: ArgumentHelp("Continue from a checkpoint of the same command (data, vectors and options); it keeps being written unless --checkpoint names another file.",
                             valueName: "file"))
  var resume: String?
  @Option(help: ArgumentHelp("Write an HTML report to DIR/index.html.", valueName: "dir")) var report: String?
  @Flag(help: "Print JSON.") var json = false
  @Flag(help: "No per-epoch progress on stderr.") var quiet = false

  static let defaults = TextTrainingOptions()

  func validate() throws {
    if !(wordLogitsLrScale >= 0) { throw ValidationError("--word-logits-lr-scale must not be negative") }
    if minFrequencyWithoutVector < 1 { throw ValidationError("--min-frequency-without-vector must be at least 1") }
    if !(headDropout >= 0 && headDropout < 1) { throw ValidationError("--head-dropout must be in [0, 1)") }
    if !(1...2).contains(layers) { throw ValidationError("--layers must be 1 or 2") }
    if maxLen < 1 { throw ValidationError("--max-len must be at least 1") }
    if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    if fineTuneEmbeddingsEpochs < 0 { throw ValidationError("--fine-tune-embeddings-epochs must not be negative") }
    if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
    if hiddenSize < 1 { throw ValidationError("--hidden-size must be at least 1") }
    if minFrequency < 1 { throw ValidationError("--min-frequency must be at least 1") }
    if maxVocab < 2 { throw ValidationError("--max-vocab must be at least 2") }
    if !(lr > 0) { throw ValidationError("--lr must be positive") }
    if let embeddingLr, !(embeddingLr > 0) { throw ValidationError("--embedding-lr must be positive") }
    if !(validationFraction >= 0 && validationFraction < 1) { throw ValidationError("--validation-fraction must be in [0, 1)") }
    if patience < 0 { throw ValidationError("--patience must not be negative") }
  }

  func run() throws {
    let dataset = try source.load()
    let table = try EmbeddingTable.load(embeddings, format: embeddingsFormat.format)
    EmbeddingWarnings.print(table.report, path: embeddings, policy: .keepFirst)
    var options = TextTrainingOptions()
    options.maxLength = maxLen
    options.minFrequency = minFrequency
    options.minFrequencyWithoutVector = minFrequencyWithoutVector
    options.vocabularyIncludesEmbeddingWords = vocabularyIncludesEmbeddings
    options.trainableOOV = trainableOov
    options.headDropout = headDropout
    options.wordLogits = wordLogits
    options.wordLogitsLearningRateScale = wordLogitsLrScale
    options.maxVocabularySize = maxVocab
    options.bidirectional = bidirectional
    options.layers = layers
    options.hiddenSize = hiddenSize
    options.pooling = pooling
    options.validationFraction = validationFraction
    options.ngramBlend = ngramBlend
    options.oov = .randomNormal(seed: seed)
    let recipe = TextClassifier.recipe(epochs: epochs, learningRate: lr, batchSize: batchSize, patience: patience,
                                       fineTuneEmbeddingsEpochs: fineTuneEmbeddingsEpochs, embeddingLearningRate: embeddingLr,
                                       seed: seed, quiet: quiet)
    TextCommandOutput.reportIssues(dataset.issues)
    let health = HealthOutput.texts(dataset)
    HealthOutput.warn(health)
    let (classifier, report) = try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: options,
                                                        checkpointing: TextCheckpointing(path: checkpoint, resume: resume))
    try classifier.write(to: out)
    let reportPage = try self.report.map { dir in
      try writeReport([TextReport.section(training: report, data: source.data, embeddings: embeddings, bundle: out)],
                      title: "\(out): training report", to: dir)
    }
    let coverage = report.coverage
    let transferAccuracy = report.validatedOnTrainingSplit ? nil : report.validation.accuracy
    if json {
      let value = try TextCommandOutput.metricsObject(report.validation, [
        "coverage": .object([
          "total": .number(Double(coverage.total)), "found": .number(Double(coverage.found)),
          "missing": .number(Double(coverage.missing)), "rate": .number(coverage.rate),
          "token_rate": .number(report.tokenCoverage), "sample_missing": .array(coverage.sampleMissing.map(JSONValue.string)),
        ]),
        "bundle": .string(out), "train_count": .number(Double(report.trainCount)),
        "validation_count": .number(Double(report.validationCount)),
        "vocabulary_size": .number(Double(report.vocabularySize)),
        "epochs": .number(Double(report.history.epochs.count)),
        "fine_tune_epochs": .number(Double(report.fineTuneHistory?.epochs.count ?? 0)),
        "skipped": .number(Double(dataset.issues.count)),
        "world_size": .number(Double(ProcessGroups.current.size)),
        "baseline": try BaselineOutput.json(report.baseline, transferAccuracy: transferAccuracy),
        "ngram_blend": try report.blend.map { try TextCommandOutput.metricsObject($0.metrics, ["weight": .number($0.weight)]) }
          ?? .null,
      ].merging(reportPage.map { ["report": .string($0)] } ?? [:]) { a, _ in a })
      Console.writeOutput(try JSONOutput.line(Self.adding(health, to: value)))
      return
    }
    var text = "\(source.data): \(dataset.count) examples, labels \(dataset.labels.joined(separator: ", "))"
    text += dataset.issues.isEmpty ? "\n" : "; \(dataset.issues.count) rows or files skipped\n"
    text += "\(embeddings): \(table.count) words, \(table.dimension) dimensions\n"
    text += "vocabulary: \(report.vocabularySize) tokens from \(report.trainCount) training texts; "
    text += "vectors for \(coverage.found)/\(coverage.total) (\(TextCommandOutput.percent(coverage.rate))) of the words, "
    text += "\(TextCommandOutput.percent(report.tokenCoverage)) of the tokens\n"
    if !coverage.sampleMissing.isEmpty {
      text += "  no vector\(trainableOov ? " (trained from scratch)" : ""): \(coverage.sampleMissing.joined(separator: " "))\n"
    }
    let history = report.history.epochs.count, fineTune = report.fineTuneHistory?.epochs.count ?? 0
    text += "epochs: \(history)\(fineTune > 0 ? " + \(fineTune) fine-tuning the vectors" : "")"
    text += report.history.bestEpoch.map { ", best \($0)" } ?? ""
    text += "\n"
    text += "validation (\(report.validationCount) texts): " + metricsText(report.validation, unit: "texts") + "\n"
    text += BaselineOutput.text(report.baseline, transferAccuracy: transferAccuracy) + "\n"
    if let blend = report.blend {
      text += blend.weight > 0
        ? String(format: "blend: the model averages the LSTM (%.2f) and that regression (%.2f): ", 1 - blend.weight, blend.weight)
          + metricsText(blend.metrics, unit: "texts") + " (weight chosen on this validation split)\n"
        : "blend: the LSTM alone (averaging in the regression did not lower the validation log-loss)\n"
    }
    text += "wrote \(out)\n"
    if let reportPage { text += "wrote report \(reportPage)\n" }
    Console.writeOutput(text)
  }
}

extension TextTrain {
  /// `value` (an object) with `"health"` added.
  static func adding(_ health: DatasetHealth, to value: JSONValue) -> JSONValue {
    guard var object = value.object else { return value }
    object["health"] = health.json
    return .object(object)
  }
}

struct TextPredict: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Print the label probabilities of texts with a text classifier bundle.",
    discussion: """
      Texts come from the arguments and from --file (one text per non-empty line). Text output: one line per text, label, probability and the text, tab-separated.

      JSON: {"labels": [...], "predictions": [{"text", "label", "probabilities": {label: p}}]}.

      Examples:
        graft text predict sentiment.graft "what a lovely film" "dull and far too long"
        graft text predict sentiment.graft --file reviews.txt --json
      """)

  @Argument(help: "The model bundle (NAME.graft).") var bundle: String
  @Argument(help: "Texts to classify.") var texts: [String] = []
  @Option(help: "A UTF-8 file with one text per line.") var file: String?
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    var all = texts
    if let file {
      guard let data = FileManager.default.contents(atPath: file) else {
        throw TextDatasetError(path: file, reason: FileManager.default.fileExists(atPath: file) ? .unreadable("cannot read") : .missing)
      }
      guard let content = String(validating: [UInt8](data), as: UTF8.self) else {
        throw TextDatasetError(path: file, reason: .unreadable("not valid UTF-8"))
      }
      all += content.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
    }
    if all.isEmpty { throw ValidationError("give texts as arguments or with --file") }
    let classifier = try TextClassifier(bundlePath: bundle)
    let predictions = classifier.predict(all)
    if json {
      struct Report: Encodable {
        var labels: [String]
        var predictions: [TextPrediction]
      }
      Console.writeOutput(try JSONOutput.line(Report(labels: classifier.labels, predictions: predictions)))
    } else {
      for p in predictions {
        let probability = p.probabilities[classifier.labels.firstIndex(of: p.label) ?? 0]
        Console.writeOutput("\(p.label)\t\(String(format: "%.4f", probability))\t\(p.text)\n")
      }
    }
  }
}

struct TextEvaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate a text classifier bundle on labelled texts.",
    discussion: """
      The labels of the data must be labels of the bundle (a single class is allowed). Malformed rows are reported on stderr and skipped. --report DIR writes DIR/index.html: confusion matrix, per-class table, the texts (mistakes first) and the skipped rows.

      JSON: {"count", "accuracy", "macro_f1", "labels", "confusion", "per_class", "skipped", "report", …}.

      Examples:
        graft text evaluate sentiment.graft --data test.tsv
        graft text evaluate sentiment.graft --data test.csv --json \\
          --text-column review --label-column sentiment
        graft text evaluate sentiment.graft --data test.tsv --report sentiment-test
      """)

  @Argument(help: "The model bundle (NAME.graft).") var bundle: String
  @OptionGroup var source: TextDataOptions
  @Option(help: ArgumentHelp("Write an HTML report to DIR/index.html.", valueName: "dir")) var report: String?
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    let classifier = try TextClassifier(bundlePath: bundle)
    let dataset = try source.load(allowSingleClass: true)
    TextCommandOutput.reportIssues(dataset.issues)
    let evaluation = try classifier.evaluation(of: dataset)
    let metrics = evaluation.metrics
    let reportPage = try report.map { dir in
      try writeReport([classifier.reportSection(for: evaluation, facts: [ReportFact("bundle", bundle),
                                                                          ReportFact("data", source.data)])],
                      title: "\(bundle): evaluation report", to: dir)
    }
    if json {
      var extra: [String: JSONValue] = ["skipped": .number(Double(dataset.issues.count))]
      if let reportPage { extra["report"] = .string(reportPage) }
      Console.writeOutput(try JSONOutput.line(TextCommandOutput.metricsObject(metrics, extra)))
    } else {
      var text = "\(source.data): " + metricsText(metrics, unit: "texts") + "\n"
      if let reportPage { text += "wrote report \(reportPage)\n" }
      Console.writeOutput(text)
    }
  }
}
