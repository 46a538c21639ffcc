import Foundation
import GraftCore

/// Builds the vision part of an HTML report (`--report DIR`): a `ReportSection` with the
/// evaluated split's metrics, an example grid of thumbnails (mistakes first), the training curves
/// and the facts of the run.
///
/// ```swift
/// let classifier = try ImageClassifier(bundlePath: "pets.graft")
/// let evaluation = try classifier.evaluateFolder(on: "pets/test")
/// let section = ImageReport.section(heading: "Test", evaluation: evaluation,
///                                   facts: [ReportFact("data", "pets/test")])
/// try HTMLReport(title: "pets.graft", sections: [section]).write(toDirectory: "report")
/// ```
public enum ImageReport {
  /// The longest side of a grid thumbnail, in pixels.
  public static let thumbnailSide = 96
  /// How many examples the grid shows at most.
  public static let exampleLimit = 48

  /// One section: `evaluation`'s metrics and grid (none when nil: curves and facts only), the
  /// training `stages`, `facts`, and every skipped file (the evaluation's and `skipped`).
  /// Only the examples shown get a thumbnail, so the cost does not grow with the split.
  public static func section(
    heading: String, evaluation: ImageClassifier.FolderEvaluation?, stages: [ReportStage] = [],
    facts: [ReportFact] = [], skipped: [String] = [], limit: Int = exampleLimit
  ) -> ReportSection {
    var lines = skipped
    for line in evaluation?.skippedLines ?? [] where !lines.contains(line) { lines.append(line) }
    let evaluated = evaluation.map { $0.evaluation.metrics.count > 0 } ?? false
    return ReportSection(
      heading: heading, facts: facts, stages: stages,
      metrics: evaluated ? evaluation?.evaluation.metrics : nil,
      rocAUC: evaluated ? evaluation?.evaluation.rocAUC : nil,
      examples: evaluation.map { examples($0.predictions, limit: limit) } ?? [],
      exampleCount: evaluation?.predictions.count, skipped: lines)
  }

  /// The grid: at most `limit` predictions in `ReportExample.gridOrder` (mistakes first, most
  /// confident first; then correct ones, least confident first), each with a PNG thumbnail.
  public static func examples(_ predictions: [ImageClassifier.FilePrediction], limit: Int = exampleLimit)
    -> [ReportExample]
  {
    let all = predictions.map {
      ReportExample(name: $0.path, actual: $0.actual, predicted: $0.predicted, confidence: $0.probability)
    }
    return ReportExample.gridOrder(all, limit: limit).map { example in
      var shown = example
      shown.png = thumbnailPNG(at: example.name)
      return shown
    }
  }

  /// `image` in 8 bits, scaled down (never up) so that its longer side is at most `maxSide`.
  public static func thumbnail(of image: Image, maxSide: Int = thumbnailSide) -> Image {
    precondition(maxSide >= 1, "thumbnail: side \(maxSide)")
    let image = image.to8Bit()
    let longer = max(image.width, image.height)
    guard longer > maxSide else { return image }
    let scale = Double(maxSide) / Double(longer)
    let width = min(maxSide, max(1, Int((Double(image.width) * scale).rounded())))
    let height = min(maxSide, max(1, Int((Double(image.height) * scale).rounded())))
    return image.resized(width: width, height: height, filter: .bilinear)
  }

  /// The PNG bytes of the thumbnail of the file at `path`; nil when it cannot be decoded (the
  /// example is then shown without a picture).
  public static func thumbnailPNG(at path: String, maxSide: Int = thumbnailSide) -> [UInt8]? {
    guard let image = try? PNGDecoder.decode(at: path), image.width > 0, image.height > 0 else { return nil }
    return try? PNGEncoder.encode(thumbnail(of: image, maxSide: maxSide), path: path)
  }
}

extension ImageClassifier {
  /// The report section of an evaluation by this classifier (`graft evaluate --report`): its
  /// metrics and thumbnail grid, with the classifier's labels and input size added to `facts`.
  public func reportSection(for evaluation: FolderEvaluation, heading: String = "Evaluation",
                            facts: [ReportFact] = []) -> ReportSection {
    let input = ReportFact("input", "\(preprocessing.width)×\(preprocessing.height)"
      + (preprocessing.resizeShorterSide.map { " (shorter side \($0), centre crop)" } ?? ""))
    return ImageReport.section(heading: heading, evaluation: evaluation,
                               facts: facts + [ReportFact("labels", labels.joined(separator: ", ")), input])
  }
}

extension ImageClassifier.Training {
  /// The report section of this run (`graft vision train --report`): the validation split's
  /// metrics and grid (predicted again with the trained model; none with no validation split),
  /// the head and fine-tune curves, `facts`, and the files skipped by the scan or in training.
  public func reportSection(heading: String = "Validation", facts: [ReportFact] = [], batchSize: Int = 32)
    -> ReportSection
  {
    let skippedLines = report.skipped.map(\.description) + skipped.map(\.description)
    return ImageReport.section(heading: heading, evaluation: validationEvaluation(batchSize: batchSize),
                               stages: result.reportStages, facts: facts, skipped: skippedLines)
  }
}
