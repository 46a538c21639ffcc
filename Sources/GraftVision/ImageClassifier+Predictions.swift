import Foundation
import GraftCore

extension ImageClassifier {
  /// One evaluated file: what it is, what the model said, and how sure it was.
  public struct FilePrediction: Equatable, Sendable, Codable {
    public var path: String
    /// The label of the file's class folder.
    public var actual: String
    /// The most probable label.
    public var predicted: String
    /// The probability the model gave `predicted`, in [0, 1].
    public var probability: Double

    public init(path: String, actual: String, predicted: String, probability: Double) {
      self.path = path
      self.actual = actual
      self.predicted = predicted
      self.probability = probability
    }

    public var isCorrect: Bool { actual == predicted }
  }

  /// A class-per-folder evaluation with one prediction per file (see `evaluateFolder(on:)`).
  public struct FolderEvaluation {
    /// Loss, metrics and probabilities, in file order.
    public var evaluation: Evaluation
    /// The folder scan: class counts and the files skipped as unreadable.
    public var report: ImageFolder.Report
    /// Items that failed to decode after passing the scan.
    public var skipped: [SkippedItem]
    /// One entry per evaluated file, sorted by path (the folder's item order).
    public var predictions: [FilePrediction]

    /// Every skipped file as one "path: reason" line (scan failures, then decode failures).
    public var skippedLines: [String] {
      report.skipped.map(\.description) + skipped.map(\.description)
    }
  }

  /// `evaluate(on:)` with the per-file predictions: metrics on a class-per-folder directory,
  /// and for each file its path, actual label, predicted label and that label's probability.
  public func evaluateFolder(on root: String, batchSize: Int = 32, verify: ImageFolder.Verification = .header)
    throws -> FolderEvaluation
  {
    let folder = try ImageFolder(root: root, preprocessing: preprocessing, verify: verify)
    var map: [Int] = []
    for name in folder.classes {
      guard let index = labels.firstIndex(of: name) else {
        throw ImageClassifierError(path: root + "/" + name,
                                   reason: .unknownClass(name: name, known: labels))
      }
      map.append(index)
    }
    let items = folder.items.map { ImageFolder.Item(path: $0.path, label: map[$0.label]) }
    let (evaluation, predictions, skipped) = evaluate(items: items, batchSize: batchSize)
    return FolderEvaluation(evaluation: evaluation, report: folder.report, skipped: skipped, predictions: predictions)
  }

  /// Runs the model over `items` (labels are indices into `labels`) in order, in inference mode.
  /// Items that fail to decode are left out of the metrics and the predictions and returned.
  public func evaluate(items: [ImageFolder.Item], batchSize: Int = 32)
    -> (evaluation: Evaluation, predictions: [FilePrediction], skipped: [SkippedItem])
  {
    precondition(batchSize >= 1, "evaluate: batch size \(batchSize)")
    // In an MPI job each rank runs its contiguous share of the files; rows and skipped files are
    // gathered on every rank in file order.
    let group = ProcessGroups.current
    var skipped: [SkippedItem] = []
    model.eval()
    let evaluation = group.shardedEvaluation(count: items.count, labelNames: labels) { share in
      let data = ImageFileList(items: share.map { items[$0] }, preprocessing: preprocessing)
      let loader = DataLoader(data, sampler: BatchSampler(count: data.count, batchSize: batchSize, order: .sequential))
      var local = Trainer.evaluate(loader, labelNames: labels) { model($0.inputs) }
      local.indices = local.indices.map { share[$0] }
      skipped = loader.skipped.map { SkippedItem(index: share[$0.index], error: $0.error) }
      return local
    }
    if group.size > 1 {
      let issues = group.gatherCodable(skipped.map { SkippedFile(index: $0.index, issue: Self.issue($0, items: items)) })
      skipped = issues.flatMap { $0 }.map { SkippedItem(index: $0.index, error: $0.issue) }
    }
    let probabilities = evaluation.probabilities
    guard probabilities.rank == 2, probabilities.shape[1] > 0 else { return (evaluation, [], skipped) }
    let classCount = probabilities.shape[1], p = probabilities.scalars
    let best = probabilities.argmax(axis: 1)
    let predictions = evaluation.indices.enumerated().map { row, index in
      FilePrediction(path: items[index].path, actual: labels[evaluation.labels[row]], predicted: labels[best[row]],
                     probability: Double(p[row * classCount + best[row]]))
    }
    return (evaluation, predictions, skipped)
  }

  /// A skipped file as it travels between ranks.
  struct SkippedFile: Codable {
    var index: Int
    var issue: DataIssue
  }

  /// The `DataIssue` of a file that failed to decode (its PNG error, or the error's text).
  static func issue(_ item: SkippedItem, items: [ImageFolder.Item]) -> DataIssue {
    if let issue = item.error as? DataIssue { return issue }
    if let png = item.error as? PNGError { return DataIssue(path: png.path, reason: png.reason.description) }
    return DataIssue(path: items[item.index].path, reason: item.description)
  }
}

extension ImageClassifier.Training {
  /// The trained model with its labels and preprocessing, ready to predict.
  public var classifier: ImageClassifier {
    ImageClassifier(model: result.model, labels: bundle.config.labels, preprocessing: preprocessing)
  }

  /// Predicts every file of the validation split with the trained model: per-file predictions
  /// and metrics (the same model and inputs as `metrics`). Nil without a validation split.
  public func validationEvaluation(batchSize: Int = 32) -> ImageClassifier.FolderEvaluation? {
    guard !validationItems.isEmpty else { return nil }
    let (evaluation, predictions, failed) = classifier.evaluate(items: validationItems, batchSize: batchSize)
    return ImageClassifier.FolderEvaluation(evaluation: evaluation, report: report, skipped: failed,
                                            predictions: predictions)
  }
}

/// Files with labels, decoded and preprocessed on demand (the evaluation twin of `ImageFolder`).
struct ImageFileList: Dataset {
  let items: [ImageFolder.Item]
  let preprocessing: ImageFolder.Preprocessing

  var count: Int { items.count }
  func label(at index: Int) -> Int? { items[index].label }
  func example(at index: Int) throws -> LabeledTensor {
    let item = items[index]
    return LabeledTensor(input: preprocessing.apply(to: try PNGDecoder.decode(at: item.path)), label: item.label)
  }
}
