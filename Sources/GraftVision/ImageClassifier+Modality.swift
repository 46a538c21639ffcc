import GraftCore

extension ImageClassifier {
  public var network: Module { model }

  /// The `top` most probable labels of each PNG file; a file that cannot be decoded gets its
  /// reason instead (the others are still predicted).
  public func predict(inputs: [String], top: Int) -> [InputPrediction] {
    let k = max(1, min(top, labels.count))
    return inputs.map { path in
      do throws(PNGError) {
        return InputPrediction(input: path, result: .success(try predict(file: path, top: k)))
      } catch {
        return InputPrediction(input: path, result: .failure(DataIssue(path: error.path, reason: error.reason.description)))
      }
    }
  }

  /// Metrics on the class-per-folder directory `data` (`evaluateFolder(on:)`), its skipped files
  /// (scan failures, then decode failures) and the report section with the thumbnail grid.
  public func evaluate(data: String, batchSize: Int) throws -> ClassifierEvaluation {
    let result = try evaluateFolder(on: data, batchSize: batchSize)
    let skipped = result.report.skipped.map { DataIssue(path: $0.path, reason: $0.reason.description) }
      + result.skipped.map { item in
        (item.error as? DataIssue) ?? (item.error as? PNGError).map { DataIssue(path: $0.path, reason: $0.reason.description) }
          ?? DataIssue(path: data, reason: item.description)
      }
    return ClassifierEvaluation(metrics: result.evaluation.metrics, loss: result.evaluation.loss, skipped: skipped) { facts in
      self.reportSection(for: result, heading: "Evaluation", facts: facts)
    }
  }
}
