import Foundation
import GraftCore

/// A trained sound classifier: a `Classifier` (audio base + head), the `LogMelFrontEnd` it was
/// trained with, and how patch scores become clip scores. Built by `train(…)` or read from a
/// bundle with `init(bundlePath:)`.
///
/// A clip is cut into patches (`LogMelFrontEnd`), every patch is classified, and the patches'
/// softmax probabilities are aggregated (`aggregation`, mean by default) into the clip's. For a
/// binary task with a positive label, the clip is positive when its aggregated positive
/// probability reaches `threshold` (chosen on validation clips when training); otherwise the
/// prediction is the label with the highest aggregated probability.
public final class SoundClassifier: ModalityClassifier {
  public let model: Classifier
  public let labels: [String]
  public let frontEnd: LogMelFrontEnd
  public let aggregation: PatchAggregation
  /// The positive class of a binary detector (`--positive`), if there is one.
  public let positiveLabel: String?
  /// Clip-level decision threshold on the positive probability (binary detectors only).
  public let threshold: Float?
  /// Patch hop, in frames, of `events(…)` (a quarter patch by default: 0.24 s).
  public let eventHopFrames: Int
  /// Patches classified per forward pass. Small, because activations, not arithmetic, grow with it:
  /// YAMNet's `--events` over a 10-minute file peaked at 270 MB with 64, 173 MB with 16 and 108 MB
  /// with 8 patches, and ran no slower (a 1-hour file: 408 → 186 MB; docs/BENCHMARKS.md).
  public var batchSize = 8

  public init(model: Classifier, labels: [String], frontEnd: LogMelFrontEnd, aggregation: PatchAggregation = .mean,
              positiveLabel: String? = nil, threshold: Float? = nil, eventHopFrames: Int? = nil) {
    precondition(labels.count >= 2, "SoundClassifier: \(labels.count) labels")
    precondition(positiveLabel.map { labels.count == 2 && labels.contains($0) } ?? true,
                 "SoundClassifier: positive label \(positiveLabel ?? "") of \(labels)")
    self.model = model
    self.labels = labels
    self.frontEnd = frontEnd
    self.aggregation = aggregation
    self.positiveLabel = positiveLabel
    self.threshold = positiveLabel == nil ? nil : threshold
    self.eventHopFrames = eventHopFrames ?? max(1, frontEnd.patchFrames / 4)
    model.eval()
  }

  /// Index of `positiveLabel` in `labels`.
  public var positiveIndex: Int? { positiveLabel.flatMap { labels.firstIndex(of: $0) } }

  // MARK: Bundles

  /// Reads an audio bundle (`modality: "audio"`) and rebuilds the classifier and its front end.
  public convenience init(bundlePath: String) throws(BundleError) {
    try self.init(bundle: try ModelBundle.read(from: bundlePath), path: bundlePath)
  }

  /// Rebuilds the classifier of a bundle already read (errors name it `<bundle>`).
  public convenience init(bundle: ModelBundle) throws(BundleError) {
    try self.init(bundle: bundle, path: "<bundle>")
  }

  /// Rebuilds the classifier `bundle` describes; `path` names it in errors.
  public convenience init(bundle: ModelBundle, path: String) throws(BundleError) {
    registerArchitectures()
    let config = bundle.config
    guard config.modality == Self.modality else {
      throw BundleError(path: path, reason: .wrongModality(expected: Self.modality, actual: config.modality))
    }
    let settings = try SettingsDecoder.decode(config.preprocessing, path: path) { try Preprocessing(json: $0.json) }
    if let positive = settings.positiveLabel, config.labels.count != 2 || !config.labels.contains(positive) {
      throw BundleError(path: path, reason: .invalidConfig("positive_label \"\(positive)\" is not one of two labels"))
    }
    let model = try bundle.makeClassifier(path: path)
    self.init(model: model, labels: config.labels, frontEnd: settings.frontEnd, aggregation: settings.aggregation,
              positiveLabel: settings.positiveLabel, threshold: settings.threshold, eventHopFrames: settings.eventHopFrames)
  }

  /// What a bundle's `preprocessing` holds for audio:
  /// `{"front_end": {…LogMelFrontEnd…}, "aggregation": "mean", "positive_label": "cough",
  ///   "threshold": 0.42, "threshold_criterion": "youden", "event_hop_frames": 24}`
  /// (`positive_label`, `threshold` and `threshold_criterion` only for binary detectors).
  public struct Preprocessing: Equatable, Sendable {
    public var frontEnd: LogMelFrontEnd
    public var aggregation: PatchAggregation
    public var positiveLabel: String?
    public var threshold: Float?
    public var thresholdCriterion: ThresholdCriterion?
    public var eventHopFrames: Int

    public init(frontEnd: LogMelFrontEnd, aggregation: PatchAggregation, positiveLabel: String?, threshold: Float?,
                thresholdCriterion: ThresholdCriterion?, eventHopFrames: Int) {
      self.frontEnd = frontEnd
      self.aggregation = aggregation
      self.positiveLabel = positiveLabel
      self.threshold = threshold
      self.thresholdCriterion = thresholdCriterion
      self.eventHopFrames = eventHopFrames
    }

    public var json: [String: JSONValue] {
      var out: [String: JSONValue] = [
        "front_end": (try? JSONValue(encoding: frontEnd)) ?? .null, "aggregation": .string(aggregation.rawValue),
        "event_hop_frames": .number(Double(eventHopFrames)),
      ]
      if let positiveLabel { out["positive_label"] = .string(positiveLabel) }
      if let threshold { out["threshold"] = .number(Double(threshold)) }
      if let thresholdCriterion { out["threshold_criterion"] = .string(thresholdCriterion.rawValue) }
      return out
    }

    /// Reads what `json` wrote; throws naming the first bad field.
    init(json: [String: JSONValue]) throws(SettingsError) {
      let s = SettingsDecoder(json)
      frontEnd = try s.decodable("front_end", LogMelFrontEnd.self)
      aggregation = try s.choice("aggregation", PatchAggregation.self)
      positiveLabel = json["positive_label"]?.string
      threshold = s.contains("threshold") ? Float(try s.double("threshold")) : nil
      thresholdCriterion = json["threshold_criterion"]?.string.flatMap(ThresholdCriterion.init(rawValue:))
      eventHopFrames = try s.int("event_hop_frames", in: 1...Int(Int32.max))
    }
  }

  /// This classifier's bundle preprocessing entry.
  public var preprocessing: Preprocessing {
    Preprocessing(frontEnd: frontEnd, aggregation: aggregation, positiveLabel: positiveLabel, threshold: threshold,
                  thresholdCriterion: nil, eventHopFrames: eventHopFrames)
  }

  // MARK: Prediction

  /// Softmax probabilities `[P, C]` of each patch of `patches`.
  public func probabilities(_ patches: Patches) -> Tensor {
    probabilities(patches.tensor)
  }

  /// Softmax probabilities `[P, C]` of patches `[P, 1, L, M]`, in batches of `batchSize`.
  public func probabilities(_ patches: Tensor) -> Tensor {
    let count = patches.shape[0]
    var rows: [Tensor] = []
    withoutGradients {
      for start in stride(from: 0, to: count, by: batchSize) {
        let n = min(batchSize, count - start)
        rows.append(softmax(model(patches.slice(axis: 0, start: start, count: n)), axis: 1))
      }
    }
    return rows.count == 1 ? rows[0] : Tensor.concat(rows, axis: 0)
  }

  /// The clip-level decision for aggregated probabilities `[C]`: for a binary detector, positive
  /// when the positive probability reaches `threshold` (the stored one when nil); argmax otherwise.
  public func decide(_ clipProbabilities: [Float], threshold: Float? = nil) -> Int {
    if let positive = positiveIndex, let limit = threshold ?? self.threshold {
      return clipProbabilities[positive] >= limit ? positive : 1 - positive
    }
    return clipProbabilities.indices.max { clipProbabilities[$0] < clipProbabilities[$1] } ?? 0
  }

  /// The prediction for one clip's patches (`threshold` overrides the stored one).
  public func predict(_ patches: Patches, path: String, threshold: Float? = nil) -> ClipPrediction {
    let clip = aggregation(probabilities(patches))
    let index = decide(clip, threshold: threshold)
    return ClipPrediction(path: path, label: labels[index], labelIndex: index, probabilities: clip, labels: labels,
                          patches: patches.count, positiveScore: positiveIndex.map { clip[$0] })
  }

  /// Reads the bundle at `bundlePath` and predicts each file: a prediction, or the reason the file
  /// could not be read (one file's failure does not stop the others). What a generic
  /// `graft predict` calls for audio bundles.
  public static func predict(bundlePath: String, files: [String], threshold: Float? = nil) throws(BundleError)
    -> [Result<ClipPrediction, PreprocessingError>] {
    let classifier = try SoundClassifier(bundlePath: bundlePath)
    return files.map { file in Result { () throws(PreprocessingError) in try classifier.predict(file: file, threshold: threshold) } }
  }

  /// Decodes `path`, cuts it into patches (`frontEnd.patchHopFrames` apart) and predicts the clip
  /// (`threshold` overrides the stored one).
  public func predict(file path: String, threshold: Float? = nil) throws(PreprocessingError) -> ClipPrediction {
    predict(try frontEnd.patches(file: path), path: path, threshold: threshold)
  }
}
