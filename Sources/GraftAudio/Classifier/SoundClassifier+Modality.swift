import GraftCore
import Synchronization

extension SoundClassifier {
  public static let modality = "audio"

  public var network: Module { model }

  /// Fine-tuning a pretrained base: BatchNorm on its running statistics, the unfrozen blocks and
  /// the head at one rate, found by a sweep (`LearningRateSearch`) unless given (explicit rates
  /// without a sweep: a tenth of the head stage's). With no block count given, the default
  /// decides (`AutomaticFineTune`): the top 2 blocks for 3 epochs when that fits the budget and
  /// a validation split exists, kept only if validation improves. (Random weights follow
  /// `FineTunePolicy.scratch`: every block, at the full rate.)
  public static let fineTunePolicy: FineTunePolicy = {
    var policy = FineTunePolicy(name: "audio", baseLearningRateScale: 0.1, headLearningRateScale: 0.1)
    policy.learningRateSearch = .default
    policy.automatic = AutomaticFineTune(blocks: 2, epochs: 3)
    return policy
  }()

  /// The architectures an audio base can be: GraftAudio's and GraftCore's `smallcnn`.
  public static var architectures: [String] { AudioArchitectures.names + ["smallcnn"] }

  /// The architecture a user's choices describe: `widthMultiplier` scales every width of the
  /// standard network (vggish's `width_multiplier`, audio_resnet's base width 16, smallcnn's
  /// 32, 64, 128, mn's 0.4); `widths` gives smallcnn's block widths or audio_resnet's base
  /// width (one value). Combinations an architecture has no use for are errors.
  public static func architecture(name: String, widths: [Int]? = nil, widthMultiplier: Double? = nil)
    throws(ArchitectureError) -> ArchitectureSpec
  {
    guard architectures.contains(name) else { throw ArchitectureError(.unknown(name)) }
    let scale = widthMultiplier ?? 1
    guard scale > 0 && scale <= 16 else {
      throw ArchitectureError(.invalidHyperparameter("the width multiplier must lie in (0, 16]"))
    }
    if let widths, widths.isEmpty || !widths.allSatisfy({ $0 >= 1 && $0 <= 4096 }) {
      throw ArchitectureError(.invalidHyperparameter("widths must be integers in 1…4096"))
    }
    func scaled(_ w: Int) -> JSONValue { .number(Double(max(1, Int((Double(w) * scale).rounded())))) }
    switch name {
    case "smallcnn":
      return ArchitectureSpec(name: name, hyperparameters: ["input_channels": 1,
                                                            "widths": .array((widths ?? [32, 64, 128]).map(scaled))])
    case "audio_resnet":
      if let widths, widths.count != 1 { throw ArchitectureError(.invalidHyperparameter("audio_resnet takes one width")) }
      return ArchitectureSpec(name: name, hyperparameters: ["input_channels": 1, "base_width": scaled(widths?.first ?? 16)])
    default:
      if widths != nil { throw ArchitectureError(.invalidHyperparameter("\(name) takes a width multiplier, not widths")) }
      if name == "vggish" { return ArchitectureSpec(name: name, hyperparameters: ["width_multiplier": .number(scale)]) }
      return ArchitectureSpec(name: name, hyperparameters: widthMultiplier.map { ["width_mult": .number(0.4 * $0)] } ?? [:])
    }
  }

  /// The `top` most probable labels of each audio file (patch probabilities aggregated as the
  /// bundle says); a file that cannot be decoded gets its reason instead.
  public func predict(inputs: [String], top: Int) -> [InputPrediction] {
    inputs.map { file in
      do throws(PreprocessingError) {
        let p = try predict(file: file)
        let ranked = zip(p.labels, p.probabilities).sorted { $0.1 > $1.1 }.prefix(max(1, top))
        return InputPrediction(input: file, result: .success(ranked.map { LabelScore(label: $0.0, probability: Double($0.1)) }))
      } catch {
        return InputPrediction(input: file, result: .failure(DataIssue(path: error.path, reason: error.reason.description)))
      }
    }
  }

  /// Clip-level metrics on the labelled clips at `data` (a folder per label or a CSV), the
  /// clips skipped, `roc_auc` for two labels, and the report section with spectrograms.
  public func evaluate(data: String, batchSize: Int) throws -> ClassifierEvaluation {
    let evaluation = evaluate(try SoundDataSource.load(data))
    let skipped = evaluation.skipped.map { DataIssue(path: $0.path, line: $0.line, reason: $0.reason) }
    let extra: [String: JSONValue] = evaluation.rocAUC.map { ["roc_auc": .number($0)] } ?? [:]
    return ClassifierEvaluation(metrics: evaluation.metrics, skipped: skipped, extra: extra) { facts in
      self.reportSection(for: evaluation, facts: facts)
    }
  }

  /// The report section of an evaluation by this classifier: `facts`, labels and base, metrics
  /// and the clips' spectrograms (mistakes first).
  public func reportSection(for evaluation: SoundEvaluation, heading: String = "Evaluation",
                            facts: [ReportFact] = []) -> ReportSection {
    evaluation.reportSection(
      heading: heading,
      facts: facts + [ReportFact("labels", labels.joined(separator: ", ")),
                      ReportFact("base", model.base.architecture.name)],
      frontEnd: frontEnd)
  }
}
