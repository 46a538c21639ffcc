import Foundation
import GraftCore

extension SoundEvaluation {
  /// An HTML report section for these clip predictions: facts, training curves (`stages`),
  /// confusion matrix and per-class table, ROC-AUC for two labels, and a grid of at most `limit`
  /// clips in `ReportExample.gridOrder` (confident mistakes first), each with a viridis picture of
  /// the log-mel spectrogram of its first `pictureSeconds` seconds made by `frontEnd` — the front
  /// end of the classifier evaluated (`SoundClassifier.frontEnd`) — encoded as PNG.
  /// Clips whose picture cannot be made (the file vanished, say) are shown without one.
  public func reportSection(heading: String = "Evaluation", facts: [ReportFact] = [], stages: [ReportStage] = [],
                            skipped: [String] = [], frontEnd: LogMelFrontEnd, pictureSeconds: Double = 5,
                            limit: Int = 48) -> ReportSection {
    reportSection(heading: heading, facts: facts, stages: stages, skipped: skipped,
                  secondsPerFrame: frontEnd.secondsPerFrame, pictureSeconds: pictureSeconds, limit: limit,
                  spectrogram: { try frontEnd.logMel(file: $0) })
  }

  /// `reportSection(…frontEnd:…)` with any source of pictures: `spectrogram(path)` returns the
  /// clip's spectrogram `[B, T]` in log units (frames `secondsPerFrame` apart), or nil for no picture.
  public func reportSection(heading: String = "Evaluation", facts: [ReportFact] = [], stages: [ReportStage] = [],
                            skipped: [String] = [], secondsPerFrame: Double, pictureSeconds: Double = 5,
                            limit: Int = 48, spectrogram: (String) throws -> Tensor?) -> ReportSection {
    var allFacts = facts
    if let positiveLabel { allFacts.append(ReportFact("positive label", positiveLabel)) }
    if let threshold { allFacts.append(ReportFact("decision threshold", String(format: "%.3f", threshold))) }
    let candidates = predictions.map { p in
      ReportExample(name: p.path, actual: p.actual ?? "?", predicted: p.label, confidence: Double(p.score))
    }
    let maxFrames = max(1, Int((pictureSeconds / secondsPerFrame).rounded()))
    let examples = ReportExample.gridOrder(candidates, limit: limit).map { example in
      var shown = example
      shown.name = Self.shortName(example.name)
      if let values = try? spectrogram(example.name) {
        let picture = Self.thumbnail(values, maxFrames: maxFrames)
        shown.png = try? picture.pngBytes()
      }
      return shown
    }
    return ReportSection(heading: heading, facts: allFacts, stages: stages, metrics: metrics, rocAUC: rocAUC,
                         examples: examples, exampleCount: predictions.count,
                         skipped: self.skipped.map(\.description) + skipped)
  }

  /// The picture of a clip in the grid: its first `maxFrames` frames, averaged down to at most
  /// 200 columns, one row per bin.
  static func thumbnail(_ values: Tensor, maxFrames: Int) -> RGBPicture {
    let (bins, frames) = (values.shape[0], values.shape[1])
    let shown = min(frames, maxFrames)
    var part = values
    if shown < frames {
      part = Tensor(uninitializedShape: [bins, shown])
      for b in 0..<bins { (part.data + b * shown).update(from: values.data + b * frames, count: shown) }
    }
    return SpectrogramPicture.render(part, width: min(shown, 200), height: bins)
  }

  /// The last two components of a path ("cough/clip01.wav"): the file and its class folder.
  static func shortName(_ path: String) -> String {
    let parts = path.split(separator: "/")
    return parts.suffix(2).joined(separator: "/")
  }
}

extension SoundTrainingRun {
  /// The report section of a training run: data and training facts, the stages' curves and the
  /// validation clips' metrics and grid (nil metrics and grid when nothing was held out).
  public func reportSection(heading: String = "Validation", facts: [ReportFact] = [], limit: Int = 48) -> ReportSection {
    var allFacts = facts + [
      ReportFact("labels", classifier.labels.joined(separator: ", ")),
      ReportFact("base", classifier.model.base.architecture.name),
      ReportFact("training clips", "\(trainClips) (\(trainPatches) patches of \(String(format: "%.2f", classifier.frontEnd.patchSeconds)) s)"),
      ReportFact("validation clips", String(validationClips)),
      ReportFact("feature cache", transfer.usedFeatureCache ? "yes" : "no"),
    ]
    let skippedLines = skipped.map(\.description)
    guard let validation else {
      allFacts.append(ReportFact("validation", "none (no clip held out)"))
      return ReportSection(heading: heading, facts: allFacts, stages: transfer.reportStages, skipped: skippedLines)
    }
    return validation.reportSection(heading: heading, facts: allFacts, stages: transfer.reportStages, skipped: skippedLines,
                                    frontEnd: classifier.frontEnd, limit: limit)
  }
}
