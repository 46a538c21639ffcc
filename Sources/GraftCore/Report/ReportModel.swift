/// What an HTML report shows (`--report DIR`): one page, one or more sections.
///
/// The model is plain data so each modality fills it from its own evaluation: vision with
/// thumbnails, audio with spectrogram pictures, text with snippets. `HTMLReport.html()` renders
/// it to one self-contained page (inline CSS and SVG, images as `data:` URIs, no script, nothing
/// fetched from the network); `HTMLReport.write(toDirectory:)` writes `DIR/index.html` atomically.
public struct HTMLReport: Sendable {
  /// The page title, e.g. "pets.graft: training report".
  public var title: String
  /// One line under the title (the command that produced it, say).
  public var subtitle: String?
  public var sections: [ReportSection]

  public init(title: String, subtitle: String? = nil, sections: [ReportSection]) {
    self.title = title
    self.subtitle = subtitle
    self.sections = sections
  }
}

/// One evaluated model: facts, training curves, metrics and an example grid.
public struct ReportSection: Sendable {
  /// The section heading, e.g. "Validation" or "vision: transfer".
  public var heading: String
  /// Key–value lines shown as a table: data, base, examples, seconds…
  public var facts: [ReportFact]
  /// Training stages (e.g. "head", "fine-tune"), each drawn as loss and accuracy curves.
  public var stages: [ReportStage]
  /// Metrics of the evaluated split: confusion matrix and per-class table. Nil: none shown.
  public var metrics: ClassificationMetrics?
  /// ROC-AUC of a binary task, shown with the metrics.
  public var rocAUC: Double?
  /// The example grid, in the order given (use `ReportExample.gridOrder`).
  public var examples: [ReportExample]
  /// How many examples were evaluated in all (the grid may show fewer).
  public var exampleCount: Int?
  /// Files or rows skipped, one line each ("path: reason").
  public var skipped: [String]
  /// The fine-tune stage's learning-rate sweep, drawn after the training curves (nil: none).
  public var learningRateSweep: LearningRateFinderResult? = nil
  /// The base's fine-tune rate that was used, marked on the sweep.
  public var chosenLearningRate: Float? = nil

  public init(heading: String, facts: [ReportFact] = [], stages: [ReportStage] = [],
              metrics: ClassificationMetrics? = nil, rocAUC: Double? = nil, examples: [ReportExample] = [],
              exampleCount: Int? = nil, skipped: [String] = []) {
    self.heading = heading
    self.facts = facts
    self.stages = stages
    self.metrics = metrics
    self.rocAUC = rocAUC
    self.examples = examples
    self.exampleCount = exampleCount
    self.skipped = skipped
  }
}

/// A name and a value shown in a section's fact table.
public struct ReportFact: Sendable, Equatable {
  public var name: String
  public var value: String

  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// The per-epoch history of one training stage.
public struct ReportStage: Sendable {
  public var name: String
  public var history: TrainingHistory

  public init(name: String, history: TrainingHistory) {
    self.name = name
    self.history = history
  }
}

/// One prediction shown in the grid.
public struct ReportExample: Sendable, Equatable {
  /// What the example is: a file path, a clip name, a row number.
  public var name: String
  public var actual: String
  public var predicted: String
  /// The probability the model gave `predicted`, in [0, 1].
  public var confidence: Double
  /// A text snippet (text classifiers).
  public var text: String?
  /// A picture as PNG bytes: an image thumbnail or a spectrogram.
  public var png: [UInt8]?

  public var isMistake: Bool { actual != predicted }

  public init(name: String, actual: String, predicted: String, confidence: Double,
              text: String? = nil, png: [UInt8]? = nil) {
    self.name = name
    self.actual = actual
    self.predicted = predicted
    self.confidence = confidence
    self.text = text
    self.png = png
  }

  /// The grid order: mistakes first, the most confident mistakes leading (the model was surest
  /// and wrong); then correct predictions, least confident first. Ties keep the input order.
  /// At most `limit` examples, so callers make pictures only for those shown.
  public static func gridOrder(_ examples: [ReportExample], limit: Int = 48) -> [ReportExample] {
    let ranked = examples.enumerated().sorted { a, b in
      let (x, y) = (a.element, b.element)
      if x.isMistake != y.isMistake { return x.isMistake }
      if x.confidence != y.confidence { return x.isMistake ? x.confidence > y.confidence : x.confidence < y.confidence }
      return a.offset < b.offset
    }
    return ranked.prefix(max(0, limit)).map(\.element)
  }
}

extension ReportStage {
  /// A training run's stages: the first (`name`), then fine-tuning when it ran (has epochs).
  public static func stages(_ first: TrainingHistory, named name: String = "head",
                            fineTune: TrainingHistory?) -> [ReportStage] {
    var stages = [ReportStage(name: name, history: first)]
    if let fineTune, !fineTune.epochs.isEmpty { stages.append(ReportStage(name: "fine-tune", history: fineTune)) }
    return stages
  }
}

extension TransferResult {
  /// The head stage and, when it ran, the fine-tuning stage, for a report's curves.
  public var reportStages: [ReportStage] { ReportStage.stages(headHistory, fineTune: fineTuneHistory) }
}
