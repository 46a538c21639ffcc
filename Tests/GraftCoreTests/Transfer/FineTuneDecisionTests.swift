import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// The fine-tune decision (`FineTune.keepOnlyIfBetter`, `budget`, `learningRateSearch`), the
/// default policy that asks for it, and resuming a transfer run from a checkpoint; on the
/// embedding-table network of `TransferRecipeNetworkTests` (a base of one block).
@Suite(.serialized) struct FineTuneDecisionTests {
  typealias Network = TransferRecipeNetworkTests.MeanOfEmbeddings
  typealias Sequences = TransferRecipeNetworkTests.Sequences

  static func run(_ recipe: TransferRecipe, validation: Bool = true) throws -> (Network, TransferStages) {
    let model = Network(seed: 3)
    let stages = try recipe.run(model.grafted, labelNames: ["low", "high"], train: Sequences(count: 48, seed: 1),
                                validation: validation ? Sequences(count: 16, seed: 2) : nil,
                                collate: Sequences.collate, collateValidation: Sequences.collate)
    return (model, stages)
  }

  /// A validation set whose labels are the opposite of what training teaches: the more
  /// confident the model, the worse its validation loss.
  struct Flipped: Dataset {
    let sequences = Sequences(count: 16, seed: 2)
    var count: Int { sequences.count }
    func label(at index: Int) -> Int? { sequences.label(at: index).map { 1 - $0 } }
    func example(at index: Int) -> ([Int], Int) { (sequences.items[index], 1 - sequences.labels[index]) }
  }

  static func runFlipped(_ recipe: TransferRecipe) throws -> (Network, TransferStages) {
    let model = Network(seed: 3)
    let stages = try recipe.run(model.grafted, labelNames: ["low", "high"], train: Sequences(count: 48, seed: 1),
                                validation: Flipped(), collate: Sequences.collate, collateValidation: Sequences.collate)
    return (model, stages)
  }

  static func state(_ m: Network) -> [[Float]] { m.stateDict().map(\.1.scalars) }

  static func decided(_ blocks: Int = 1, epochs: Int, rate: Float) -> FineTune {
    var fineTune = FineTune(topBlocks: blocks, epochs: epochs, baseLearningRate: rate, headLearningRate: rate)
    fineTune.keepOnlyIfBetter = true
    return fineTune
  }

  /// A head barely trained (one epoch at 1e-4): fine-tuning at 0.05 helps, so it is kept, and the
  /// model is exactly the one an unconditional fine-tune gives.
  @Test func aFineTuneThatHelpsIsKept() throws {
    var recipe = TransferRecipe(headEpochs: 1, headLearningRate: 1e-4, batchSize: 8, seed: 5, quiet: true)
    let (headOnly, headStages) = try Self.run(recipe)
    recipe.fineTune = Self.decided(epochs: 4, rate: 0.05)
    let (model, stages) = try Self.run(recipe)
    let outcome = try #require(stages.fineTuneOutcome)
    #expect(outcome.decision == .kept && outcome.kept, "\(outcome.reason)")
    let head = try #require(stages.headEvaluation), tuned = try #require(stages.fineTuneEvaluation)
    #expect(tuned.metrics.accuracy > head.metrics.accuracy, "\(head.metrics.accuracy) → \(tuned.metrics.accuracy)")
    #expect(stages.finalEvaluation?.loss == tuned.loss)
    recipe.fineTune?.keepOnlyIfBetter = false
    let (always, alwaysStages) = try Self.run(recipe)
    #expect(Self.state(model) == Self.state(always))
    #expect(alwaysStages.fineTuneOutcome?.decision == .kept)
    #expect(Self.state(model) != Self.state(headOnly))
    #expect(headStages.fineTuneOutcome == nil)
  }

  /// A fine-tune that makes validation worse (a validation split labelled against the training
  /// set: the sharper model is more confidently wrong): discarded, and the model is bit for bit
  /// the head-only one (weights of head and base), with the base frozen again.
  @Test func aFineTuneThatHurtsIsDiscarded() throws {
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    let (headOnly, headStages) = try Self.runFlipped(recipe)
    recipe.fineTune = Self.decided(epochs: 2, rate: 0.5)
    let (model, stages) = try Self.runFlipped(recipe)
    let outcome = try #require(stages.fineTuneOutcome)
    #expect(outcome.decision == .discarded && !outcome.kept, "\(outcome.reason)")
    let head = try #require(stages.headEvaluation), tuned = try #require(stages.fineTuneEvaluation)
    #expect(tuned.loss > head.loss && tuned.metrics.accuracy <= head.metrics.accuracy)
    #expect(Self.state(model) == Self.state(headOnly))
    #expect(model.embedding.weight.requiresGrad == false)
    #expect(stages.finalEvaluation?.loss == headStages.headEvaluation?.loss)
    // Unconditional, the same stage keeps the worse model.
    recipe.fineTune?.keepOnlyIfBetter = false
    let (always, _) = try Self.runFlipped(recipe)
    #expect(Self.state(always) != Self.state(headOnly))
  }

  /// A fine-tune whose loss diverges is discarded too, instead of failing the run.
  @Test func aDivergingFineTuneIsDiscarded() throws {
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    let (headOnly, _) = try Self.run(recipe)
    recipe.fineTune = Self.decided(epochs: 3, rate: 1e30)
    let (model, stages) = try Self.run(recipe)
    #expect(stages.fineTuneOutcome?.decision == .discarded, "\(stages.fineTuneOutcome?.reason ?? "")")
    #expect(Self.state(model) == Self.state(headOnly))
    recipe.fineTune?.keepOnlyIfBetter = false
    #expect(throws: TrainingError.self) { try Self.run(recipe) }
  }

  /// The rule: a lower loss and an accuracy no lower.
  @Test func improvementIsALowerLossAtNoLowerAccuracy() throws {
    let poor = try #require(try Self.run(TransferRecipe(headEpochs: 1, headLearningRate: 1e-4, batchSize: 8, seed: 5,
                                                         quiet: true)).1.headEvaluation)
    let good = try #require(try Self.run(TransferRecipe(headEpochs: 4, headLearningRate: 0.05, batchSize: 8, seed: 5,
                                                         quiet: true)).1.headEvaluation)
    #expect(good.metrics.accuracy > poor.metrics.accuracy)
    #expect(TransferRecipe.improves(good, on: poor) && !TransferRecipe.improves(poor, on: good))
    var lower = good, higher = good
    lower.loss = good.loss * 0.9
    higher.loss = good.loss * 1.1
    #expect(TransferRecipe.improves(lower, on: good) && !TransferRecipe.improves(good, on: good))
    #expect(!TransferRecipe.improves(higher, on: good))
    // `calm`: less accurate than `good` but with half its loss.
    var calm = good
    calm.metrics = poor.metrics
    calm.loss = good.loss * 0.5
    #expect(!TransferRecipe.improves(calm, on: good))  // a lower loss at a lower accuracy: not kept
    #expect(!TransferRecipe.improves(good, on: calm))  // more accurate at a higher loss (overfitting): not kept
  }

  /// No validation split: a conditional fine-tune cannot be decided and is skipped; over the
  /// budget it is skipped too; both leave the head-only model and say how to ask.
  @Test func skippedWithoutValidationOrOverBudget() throws {
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    let (headOnly, _) = try Self.run(recipe, validation: false)
    recipe.fineTune = Self.decided(epochs: 2, rate: 0.05)
    let (model, stages) = try Self.run(recipe, validation: false)
    #expect(stages.fineTuneOutcome?.decision == .noValidation && stages.fineTuneHistory == nil)
    #expect(stages.fineTuneOutcome?.reason.contains("--fine-tune-blocks 1") == true)
    #expect(Self.state(model) == Self.state(headOnly))

    recipe.fineTune?.budget = FineTuneBudget(imageEpochs: 1e-6)
    let (_, withValidation) = try Self.run(TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5,
                                                          quiet: true))
    let (budgeted, over) = try Self.run(recipe)
    let outcome = try #require(over.fineTuneOutcome)
    #expect(outcome.decision == .overBudget && over.fineTuneHistory == nil && outcome.cost > 1e-6)
    #expect(over.finalEvaluation?.loss == withValidation.headEvaluation?.loss)
    // The cost: 48 sequences × 2 epochs × (tokens of the first batch's padded rows) / 150,528.
    #expect(outcome.cost < 48 * 2 * 5 / FineTuneBudget.unitInputValues + 1e-12)
    recipe.fineTune?.budget = FineTuneBudget(imageEpochs: 1)
    #expect(try Self.run(recipe).1.fineTuneOutcome?.decision != .overBudget)
    _ = budgeted
  }

  /// Found rates: the sweep runs on the unfrozen model, the head's rate is the ratio times the
  /// base's, and the sweep leaves no trace — the run equals one given the found rates outright.
  @Test func theSweepPicksTheRatesAndIsUndone() throws {
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    var fineTune = FineTune(topBlocks: 1, epochs: 2, baseLearningRate: 1, headLearningRate: 1)
    fineTune.learningRateSearch = LearningRateSearch(start: 1e-5, end: 10, steps: 30)
    fineTune.headToBaseRatio = 10
    recipe.fineTune = fineTune
    let (found, stages) = try Self.run(recipe)
    let outcome = try #require(stages.fineTuneOutcome)
    let sweep = try #require(outcome.search)
    let rate = try #require(sweep.beforeRiseOverTen)
    #expect(sweep.points.count >= 10 && outcome.baseLearningRate == rate && outcome.headLearningRate == rate * 10)
    #expect(rate >= 1e-5 && rate < 10)
    recipe.fineTune = FineTune(topBlocks: 1, epochs: 2, baseLearningRate: rate, headLearningRate: rate * 10)
    let (given, _) = try Self.run(recipe)
    #expect(Self.state(found) == Self.state(given))
  }

  /// The fine-tune suggestion: a tenth of the last rate before the loss rises past 1.5× its lowest
  /// (and its lowest + 0.05).
  @Test func theSuggestionIsATenthOfTheRiseEdge() {
    let finder = LearningRateFinder(start: 1e-4, end: 1, steps: 9, smoothing: 0)  // rates 1e-4, 3.2e-4, 1e-3, …
    let rising = finder.run { lr in lr < 0.005 ? 1 - lr : 2 }
    #expect(abs((rising.riseEdge ?? 0) - 3.1623e-3) < 1e-6 && abs((rising.beforeRiseOverTen ?? 0) - 3.1623e-4) < 1e-7)
    let flat = finder.run { lr in 1 - lr }
    #expect(flat.riseEdge == nil && flat.beforeRiseOverTen == flat.cautious)
    // Near zero loss, noise above 1.5× the lowest is not a rise; the margin of 0.05 must be passed too.
    let nearZero = finder.run { lr in lr < 3e-4 ? 0.02 : lr < 0.05 ? 0.04 : 0.5 }
    #expect(abs((nearZero.riseEdge ?? 0) - 3.1623e-2) < 1e-5)
  }

  /// The default policy: no block count → the automatic stage (kept only if better, budgeted,
  /// rates found); an explicit count → that many blocks, always kept; an explicit rate → no sweep.
  @Test func theDefaultPolicyDecides() {
    var policy = FineTunePolicy(name: "test", baseLearningRateScale: 0.01, headLearningRateScale: 0.1, defaultEpochs: 3)
    policy.learningRateSearch = .default
    policy.automatic = AutomaticFineTune(blocks: 2, epochs: 3, budget: FineTuneBudget(imageEpochs: 100))
    let automatic = policy.fineTune(FineTuneRequest(), learningRate: 1, headEpochs: 50, blockCount: 5)
    #expect(automatic?.topBlocks == 2 && automatic?.epochs == 3 && automatic?.keepOnlyIfBetter == true)
    #expect(automatic?.budget == FineTuneBudget(imageEpochs: 100) && automatic?.learningRateSearch == .default)
    #expect(abs((automatic?.headToBaseRatio ?? 0) - 10) < 1e-4)
    let explicit = policy.fineTune(FineTuneRequest(blocks: 4), learningRate: 1, headEpochs: 50, blockCount: 5)
    #expect(explicit?.topBlocks == 4 && explicit?.keepOnlyIfBetter == false && explicit?.budget == nil)
    #expect(policy.fineTune(.headOnly, learningRate: 1, headEpochs: 50, blockCount: 5) == nil)
    var given = FineTuneRequest(blocks: 1)
    given.baseLearningRate = 1e-3
    let fixed = policy.fineTune(given, learningRate: 1, headEpochs: 50, blockCount: 5)
    #expect(fixed?.learningRateSearch == nil && fixed?.baseLearningRate == 1e-3)
    #expect(abs((fixed?.headLearningRate ?? 0) - 1e-2) < 1e-7)
  }

  /// `--resume`: 2 fine-tune epochs with a checkpoint, resumed to 4, equal 4 straight, bit for
  /// bit (the head stage runs again, deterministically, without overwriting the checkpoint).
  @Test func resumingAFineTuneEqualsAnUninterruptedRun() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/run.ckpt"
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    recipe.fineTune = FineTune(topBlocks: 1, epochs: 4, baseLearningRate: 0.02, headLearningRate: 0.02)
    let (straight, straightStages) = try Self.run(recipe)

    recipe.fineTune?.epochs = 2
    recipe.checkpoints = TrainingCheckpoints(path: path)
    _ = try Self.run(recipe)
    #expect(try Trainer.checkpointStage(at: path) == "fine-tune")
    recipe.fineTune?.epochs = 4
    recipe.checkpoints = TrainingCheckpoints(resume: path)
    let (resumed, resumedStages) = try Self.run(recipe)
    #expect(Self.state(resumed) == Self.state(straight))
    #expect(resumedStages.fineTuneHistory?.epochs.map(\.trainLoss) == straightStages.fineTuneHistory?.epochs.map(\.trainLoss))

    // The head stage resumes the same way.
    var head = TransferRecipe(headEpochs: 4, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    let (headStraight, _) = try Self.run(head)
    head.headEpochs = 2
    head.checkpoints = TrainingCheckpoints(path: path)
    _ = try Self.run(head)
    head.headEpochs = 4
    head.checkpoints = TrainingCheckpoints(resume: path)
    #expect(Self.state(try Self.run(head).0) == Self.state(headStraight))

    // A fine-tune checkpoint given to a run that does not fine-tune is refused before training.
    recipe.fineTune = FineTune(topBlocks: 1, epochs: 2, baseLearningRate: 0.02, headLearningRate: 0.02)
    recipe.checkpoints = TrainingCheckpoints(path: path)
    _ = try Self.run(recipe)
    head.fineTune = nil
    head.checkpoints = TrainingCheckpoints(resume: path)
    #expect(throws: CheckpointError.self) { try Self.run(head) }
  }
}
