import ArgumentParser
import Foundation
import GraftCore

struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run the demo: the core trains a small network on generated data.",
    discussion: """
      Today the demo exercises the tensor core: a two-layer MLP learns three
      interleaved spirals (generated, seeded) with the autodiff tape and SGD.
      The transfer-learning scenarios (vision, text, audio) join it as their
      modules land.

      Examples:
        graft demo
        graft demo --json --seed 7
      """)

  @Flag(help: "Print the result as JSON.")
  var json = false

  @Option(help: "Training epochs.")
  var epochs = 60

  @Option(help: "Random seed: the same seed gives the same result.")
  var seed: UInt64 = 42

  @Flag(help: "No progress output.")
  var quiet = false

  func validate() throws {
    if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
  }

  func run() throws {
    let result = CoreDemo.run(epochs: epochs, seed: seed, quiet: quiet || json)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      Console.writeOutput(String(decoding: try encoder.encode(result), as: UTF8.self) + "\n")
    } else {
      Console.writeOutput("""
        core demo: 2-layer MLP on 3 spirals (seed \(seed))
          train examples  \(result.trainExamples)
          test examples   \(result.testExamples)
          train accuracy  \(String(format: "%.3f", result.trainAccuracy))
          test accuracy   \(String(format: "%.3f", result.testAccuracy))
          seconds         \(String(format: "%.1f", result.seconds))

        """)
    }
  }
}
