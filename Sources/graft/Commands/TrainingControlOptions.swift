import ArgumentParser
import GraftCore

/// The fine-tune rate, the learning-rate sweep's printout and checkpoints: the options
/// `vision train` and `audio train` share.
struct TrainingControlOptions: ParsableArguments {
  @Option(name: .customLong("fine-tune-lr"), help: ArgumentHelp(
    "The base's fine-tuning rate: auto (a learning-rate sweep on the unfrozen model picks it; the head then trains at the policy's ratio times it) or a number.",
    valueName: "auto|rate"))
  var fineTuneLR: FineTuneRate = .auto

  @Flag(name: .customLong("lr-find"), help: "Print the fine-tune stage's learning-rate sweep: the loss against the rate as a text plot, and the suggestion (also in --json and --report whenever a sweep ran).")
  var lrFind = false

  @Option(help: ArgumentHelp("Write a training checkpoint here after every epoch of the stages trained by epochs (head, fine-tune).",
                             valueName: "file"))
  var checkpoint: String?

  @Option(help: ArgumentHelp("Continue from a checkpoint written by --checkpoint with the same data, base and options (a larger --epochs or --fine-tune-epochs extends the run); bit-identical to a run never stopped. Keeps writing to it unless --checkpoint names another file.",
                             valueName: "file"))
  var resume: String?

  var checkpoints: TrainingCheckpoints { TrainingCheckpoints(path: checkpoint, resume: resume) }

  /// The request's base rate: nil for auto.
  var baseLearningRate: Float? {
    if case .rate(let r) = fineTuneLR { return r }
    return nil
  }

  func validate() throws {
    if case .rate(let r) = fineTuneLR, !(r > 0) { throw ValidationError("--fine-tune-lr must be auto or positive") }
  }
}

/// `--fine-tune-lr`: `auto` or a positive number.
enum FineTuneRate: ExpressibleByArgument, Equatable {
  case auto
  case rate(Float)

  init?(argument: String) {
    if argument == "auto" { self = .auto; return }
    guard let r = Float(argument) else { return nil }
    self = .rate(r)
  }

  var defaultValueDescription: String {
    switch self {
    case .auto: return "auto"
    case .rate(let r): return "\(r)"
    }
  }
}
