import Foundation
import GraftCore
import GraftText
import Testing

/// A text training run split by a checkpoint ends with the weights of the run that was not.
@Suite struct TextResumeTests {
  static func train(_ recipe: TransferRecipe, _ checkpointing: TextCheckpointing) throws -> TextClassifier {
    let (dataset, table) = try TextClassifierTrainingTests.data()
    var options = TextTrainingOptions()
    options.hiddenSize = 4
    options.validationFraction = 0.25  // early stopping and best-weight restore take part
    return try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: options,
                                    checkpointing: checkpointing).0
  }

  static func weights(_ c: TextClassifier) -> [String: [Float]] {
    Dictionary(uniqueKeysWithValues: c.model.stateDict().map { ($0.0, $0.1.scalars) })
  }

  static func directory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-text-resume-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test(arguments: [1, 3, 5])
  func resumingFromAnyEpochIsBitExact(stopAfter: Int) throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // 4 head epochs then 2 of fine-tuning: stopping after 1 and 3 resumes the head stage, after 5 the second.
    let recipe = TextClassifier.recipe(epochs: 4, learningRate: 0.02, batchSize: 8, patience: 10, fineTuneEmbeddingsEpochs: 2)
    let whole = try Self.train(recipe, TextCheckpointing(path: dir + "/whole.ckpt"))
    let first = try Self.train(recipe, TextCheckpointing(path: dir + "/split.ckpt", stopAfterEpochs: stopAfter))
    #expect(Self.weights(first) != Self.weights(whole))
    let resumed = try Self.train(recipe, TextCheckpointing(resume: dir + "/split.ckpt"))
    #expect(Self.weights(resumed) == Self.weights(whole))
    #expect(resumed.model.embedding.weight.requiresGrad == false)
  }

  @Test func aRunThatStoppedEarlyResumesToItsBestWeights() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // A learning rate that overshoots, so validation loss stops improving early.
    let recipe = TextClassifier.recipe(epochs: 30, learningRate: 0.3, batchSize: 8, patience: 0)
    let whole = try Self.train(recipe, TextCheckpointing(path: dir + "/run.ckpt"))
    let again = try Self.train(recipe, TextCheckpointing(resume: dir + "/run.ckpt"))
    #expect(Self.weights(again) == Self.weights(whole))
  }

  @Test func aCheckpointOfAnotherModelIsRefused() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let recipe = TextClassifier.recipe(epochs: 1, batchSize: 8)
    _ = try Self.train(recipe, TextCheckpointing(path: dir + "/run.ckpt"))
    let (dataset, table) = try TextClassifierTrainingTests.data()
    var wider = TextTrainingOptions()
    wider.hiddenSize = 5
    #expect(throws: CheckpointError.self) {
      try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: wider,
                               checkpointing: TextCheckpointing(resume: dir + "/run.ckpt"))
    }
    #expect(throws: CheckpointError.self) {
      try TextClassifier.train(base: table, on: dataset, recipe: recipe, options: wider,
                               checkpointing: TextCheckpointing(resume: dir + "/missing.ckpt"))
    }
  }
}
