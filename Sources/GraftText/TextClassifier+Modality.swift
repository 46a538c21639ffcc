import GraftCore

extension TextClassifier {
  public var network: Module { model }

  /// The `top` most probable labels of each text (`inputs` are the texts themselves).
  public func predict(inputs: [String], top: Int) -> [InputPrediction] {
    predict(inputs).map { p in
      let ranked = zip(p.labels, p.probabilities).sorted { $0.1 > $1.1 }.prefix(max(1, top))
      return InputPrediction(input: p.text, result: .success(ranked.map { LabelScore(label: $0.0, probability: Double($0.1)) }))
    }
  }

  /// Metrics on the labelled texts at `data` (a TSV/CSV file or a folder per label, a single
  /// class allowed), the rows it skipped and the report section with the texts, mistakes first.
  public func evaluate(data: String, batchSize: Int) throws -> ClassifierEvaluation {
    let dataset = try TextDataset.load(data, format: .auto, allowSingleClass: true)
    let evaluation = try evaluation(of: dataset)
    let skipped = evaluation.issues.map { DataIssue(path: $0.path, line: $0.line, reason: $0.reason) }
    return ClassifierEvaluation(metrics: evaluation.metrics, skipped: skipped) { facts in
      self.reportSection(for: evaluation, facts: facts)
    }
  }

  /// The report section of an evaluation by this classifier: `facts`, the vocabulary and labels,
  /// metrics and the texts (mistakes first).
  public func reportSection(for evaluation: TextEvaluation, heading: String = "Evaluation",
                            facts: [ReportFact] = []) -> ReportSection {
    TextReport.section(evaluation: evaluation, facts: facts, classifier: self, heading: heading)
  }
}

/// Registers `TextClassifier` with `ModalityRegistry` (modality "text"; idempotent). Call it
/// module-qualified, `GraftText.registerArchitectures()`, beside the other modalities'.
public func registerArchitectures() { _ = TextRegistration.registered }

enum TextRegistration {
  static let registered: Bool = {
    ModalityRegistry.register(TextClassifier.self)
    return true
  }()
}
