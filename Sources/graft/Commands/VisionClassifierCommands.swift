import ArgumentParser
import GraftCore
import GraftVision

/// `graft vision predict`: `graft predict` restricted to vision bundles (the same code path).
struct VisionPredict: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Print the top labels of PNG images with a vision bundle (as `graft predict`).",
    discussion: """
      A file that cannot be read is reported on stderr (one line naming it and the reason) and \
      the exit status is 1; the other files are still predicted.

      Examples:
        graft vision predict pets.graft cat.png dog.png --top 3
        graft vision predict pets.graft cat.png --json
      """)

  @OptionGroup var options: PredictOptions

  func validate() throws { try options.validate() }
  func run() throws { try options.run(modality: ImageClassifier.modality) }
}

/// `graft vision evaluate`: `graft evaluate` restricted to vision bundles (the same code path).
struct VisionEvaluate: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "Evaluate a vision bundle on a class-per-folder directory (as `graft evaluate`).",
    discussion: """
      Examples:
        graft vision evaluate pets.graft --data pets/test --json
        graft vision evaluate pets.graft --data pets/test --report pets-report
      """)

  @OptionGroup var options: EvaluateOptions

  func validate() throws { try options.validate() }
  func run() throws { try options.run(modality: ImageClassifier.modality) }
}
