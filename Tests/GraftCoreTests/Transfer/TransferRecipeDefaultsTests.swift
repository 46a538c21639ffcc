import Foundation
@testable import GraftCore
import Testing
import _GraftTestSupport

/// The recipe's defaults (issue 15): a linear head on cached features is fitted exactly, any
/// other head stage runs Adam with early stopping that restores the best weights, and random
/// weights train every block with the head from the first epoch.
@Suite(.serialized) struct TransferRecipeDefaultsTests {
  static var train: TensorDataset { SyntheticImages.make(count: 60, seed: 51) }
  static var validation: TensorDataset { SyntheticImages.make(count: 30, seed: 52) }

  static func base(seed: UInt64 = 53) -> SmallCNN {
    var g = Generator(seed: seed)
    return SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
  }

  @Test func theDefaultsConverge() {
    let recipe = TransferRecipe()
    #expect(recipe.headSolver == LinearHeadSolver())
    #expect(recipe.earlyStopping == EarlyStopping(monitor: .validationLoss, patience: 5, restoreBest: true))
    #expect(recipe.headEpochs == TransferRecipe.defaultEpochCap && recipe.headLearningRate == 1e-3 && recipe.freezeBase)
    let scratch = TransferRecipe.defaults(for: .scratch(ArchitectureSpec(name: "smallcnn")))
    #expect(scratch.headEpochs == 30 && scratch.headLearningRate == 3e-3 && !scratch.freezeBase)
    #expect(scratch.earlyStopping == .recipeDefault && scratch.fineTune == nil)
    #expect(TransferRecipe.defaults(for: .weights("base.safetensors")).headSolver != nil)
  }

  /// auto: the exact fit for a linear head on cached features; Adam where features are not cached
  /// (augmentation), for an mlp head, or when the solver is switched off.
  @Test func theDefaultPicksTheSolver() throws {
    var recipe = TransferRecipe(headEpochs: 2, batchSize: 16, seed: 5, quiet: true)
    let exact = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: Self.validation)
    #expect(exact.usedFeatureCache && exact.headFit != nil && exact.headHistory.epochs.count == 1)
    #expect(exact.headFit?.selection == "validation")  // 10 validation rows per class

    let augmented = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: Self.validation,
                                   augmented: true)
    #expect(!augmented.usedFeatureCache && augmented.headFit == nil && augmented.headHistory.epochs.count == 2)

    recipe.head = .mlp(hidden: 5, dropout: 0)
    let mlp = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: Self.validation)
    #expect(mlp.usedFeatureCache && mlp.headFit == nil && mlp.headHistory.epochs.count == 2)

    recipe.head = .linear
    recipe.headSolver = nil
    let adam = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: Self.validation)
    #expect(adam.usedFeatureCache && adam.headFit == nil && adam.headHistory.epochs.count == 2)
  }

  /// A head trained by Adam stops when validation loss stops improving and comes back with the
  /// best epoch's weights: the returned evaluation is the best epoch's, not the last one's.
  @Test func earlyStoppingRestoresTheBestHeadWeights() throws {
    // Shuffled validation labels: validation loss soon rises while the head fits the training set.
    var g = Generator(seed: 54)
    let noisy = SyntheticImages.make(count: 30, seed: 55)
    let shuffled = TensorDataset(inputs: noisy.inputs, labels: g.permutation(30).map { noisy.labels[$0] })
    let recipe = TransferRecipe(head: .mlp(hidden: 16, dropout: 0), headEpochs: 60, headLearningRate: 0.05,
                                batchSize: 8, seed: 6, quiet: true)
    let result = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: shuffled)
    let history = result.headHistory
    #expect(history.epochs.count < 60 && history.stopReason?.contains("val_loss") == true, "\(history.epochs.count)")
    let best = try #require(history.bestEpoch)
    let losses = history.epochs.compactMap(\.validationLoss)
    #expect(losses[best - 1] == losses.min() && losses.last! > losses.min()!)
    let returned = try #require(result.headEvaluation?.loss)
    #expect(abs(returned - losses[best - 1]) < 1e-6, "returned \(returned), best \(losses[best - 1]), last \(losses.last!)")
  }

  /// Random weights: one stage in which every block trains with the head at the scratch rate
  /// (one parameter group), BatchNorm on batch statistics (its running statistics move), never
  /// on cached features, with no second stage.
  @Test func scratchTrainsEveryBlockAtTheFullRateWithBatchNormTraining() throws {
    let spec = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 1, "widths": [4, 8]])
    let loaded = try BaseSource.scratch(spec).load()
    var recipe = TransferRecipe.defaults(for: .scratch(spec))
    recipe.headEpochs = 1
    recipe.batchSize = 16
    recipe.quiet = true
    let filled = loaded.recipe(recipe, fineTune: FineTuneRequest(), pretrained: FineTunePolicy(
      name: "pretrained", baseLearningRateScale: 0.01, headLearningRateScale: 0.1))
    let before = loaded.network.stateDict().map { ($0.0, $0.1.scalars) }
    let result = try filled.run(base: loaded.network, classCount: 3, train: Self.train, validation: Self.validation)
    #expect(!result.usedFeatureCache && result.fineTuneHistory == nil && result.headFit == nil)
    #expect(result.headHistory.epochs.first?.learningRate == TransferRecipe.scratchLearningRate)
    let after = Dictionary(uniqueKeysWithValues: loaded.network.stateDict().map { ($0.0, $0.1.scalars) })
    for (key, values) in before where !key.hasSuffix("num_batches_tracked") {
      #expect(after[key] != values, "\(key) did not train")  // weights, BN affine and running statistics
    }
    #expect(before.contains { $0.0.hasSuffix("running_mean") } && before.contains { $0.0.hasPrefix("blocks.1.") })
  }

  /// A validation split too small to choose λ on (2 per class) has served its decisions once the
  /// head is fitted: a head-only result is refitted on both splits with the chosen λ, and its
  /// validation metrics stay those of the held-out head. A kept fine-tune, the rule off, or a
  /// large enough split leave the head as fitted on the training rows.
  @Test func tinyValidationRefitsAHeadOnlyModelOnBothSplits() throws {
    let tiny = SyntheticImages.make(count: 6, seed: 56)
    let recipe = TransferRecipe(headEpochs: 2, batchSize: 16, seed: 5, quiet: true)
    let result = try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: tiny)
    #expect(result.headFit?.refittedOn == 66)
    #expect(result.headFit?.description.contains("refitted with that L2 on all 66 training and validation rows") == true)

    // The same solver on the same frozen features, by hand.
    let base = Self.base()
    base.eval()
    let train = base.features(Self.train.inputs), held = base.features(tiny.inputs)
    let solver = LinearHeadSolver()
    let fit = solver.fit(train: train, labels: Self.train.labels, validation: (held, tiny.labels), classCount: 3)
    #expect(fit.choseOverBothSplits && fit.refittedOn == nil)
    let refitted = solver.refit(fit, train: train, labels: Self.train.labels, validation: (held, tiny.labels),
                                classCount: 3)
    #expect(refitted.l2 == fit.l2 && refitted.refittedOn! == (train: 60, validation: 6))
    let head = try #require(result.model.head as? Linear)
    assertClose(head.weight, refitted.weight, tolerance: 1e-4)
    assertClose(head.bias, refitted.bias, tolerance: 1e-4)
    var moved: Float = 0
    for i in 0..<fit.weight.count { moved = max(moved, abs(fit.weight.data[i] - refitted.weight.data[i])) }
    #expect(moved > 1e-3, "the refit changed nothing")
    // The validation metrics are of the head fitted on the training rows.
    let before = RawInputBaseline.predict(held, weight: fit.weight, bias: fit.bias)
    let accuracy = Double(zip(before, tiny.labels).filter { $0 == $1 }.count) / 6
    #expect(abs((result.headEvaluation?.metrics.accuracy ?? -1) - accuracy) < 1e-9)

    var off = recipe
    off.headSolver = LinearHeadSolver(refitsTinyValidation: false)
    #expect(try off.run(base: Self.base(), classCount: 3, train: Self.train, validation: tiny).headFit?.refittedOn == nil)
    #expect(try recipe.run(base: Self.base(), classCount: 3, train: Self.train, validation: Self.validation)
      .headFit?.refittedOn == nil)
    var tuned = recipe
    tuned.fineTune = FineTune(topBlocks: 1, epochs: 1, baseLearningRate: 1e-4, headLearningRate: 1e-3)
    let kept = try tuned.run(base: Self.base(), classCount: 3, train: Self.train, validation: tiny)
    #expect(kept.fineTuneOutcome?.kept == true && kept.headFit?.refittedOn == nil)
  }
}

extension LinearHeadSolverTests {
  /// Too small a validation split (2 per class here) does not choose λ: cross-validation over the
  /// training and validation rows does, and the head is still fitted on the training rows only.
  @Test func tinyValidationChoosesTheStrengthByCrossValidationOverBothSplits() throws {
    var g = Generator(seed: 61)
    let d = 4
    func rows(_ n: Int) -> (Tensor, [Int]) {
      let labels = (0..<n).map { $0 % 3 }
      let x = Tensor.randomNormal([n, d], using: &g)
      for i in 0..<n { x.data[i * d + labels[i]] += 1.5 }
      return (x, labels)
    }
    let (train, labels) = rows(24), (held, heldLabels) = rows(6)
    let grid = [1.0, 0.1, 0.01]
    let pooled = LinearHeadSolver(l2Grid: grid).fit(train: train, labels: labels, validation: (held, heldLabels),
                                                    classCount: 3)
    #expect(pooled.selection.hasPrefix("3-fold cross-validation over training and validation rows"), "\(pooled.selection)")
    #expect(pooled.selection.contains("2 per class") && pooled.trials.count == grid.count)
    let best = pooled.trials.min { $0.validationLoss < $1.validationLoss }!
    #expect(best.l2 == pooled.l2)
    // The trials are those of cross-validating the pooled rows (standardised by the training rows).
    let solver = LinearHeadSolver(l2Grid: grid)
    let (mean, scale) = LinearHeadSolver.standardisation(train)
    let both = Tensor.concat([LinearHeadSolver.standardised(train, mean: mean, scale: scale),
                              LinearHeadSolver.standardised(held, mean: mean, scale: scale)], axis: 0)
    let direct = solver.crossValidate(both, labels: labels + heldLabels, classCount: 3, weights: nil,
                                      lbfgs: LBFGS(maxIterations: 300, gradientTolerance: 1e-5, relativeTolerance: 1e-9))
    #expect(direct.map(\.validationLoss) == pooled.trials.map(\.validationLoss))
    // Fitted on the training rows only: the same head as a fit of the chosen λ on them alone.
    let alone = LinearHeadSolver(l2Grid: [pooled.l2]).fit(train: train, labels: labels, validation: nil, classCount: 3)
    assertClose(pooled.weight, alone.weight, tolerance: 2e-3)
    assertClose(pooled.bias, alone.bias, tolerance: 2e-3)

    // Enough validation rows, or the rule off: λ on validation.
    let off = LinearHeadSolver(l2Grid: grid, minimumValidationPerClass: 0)
      .fit(train: train, labels: labels, validation: (held, heldLabels), classCount: 3)
    #expect(off.selection == "validation")
    #expect(LinearHeadSolver.smallestClassCount([0, 0, 1, 2, 2], presentIn: [0, 1, 2], classCount: 3) == 1)
    #expect(LinearHeadSolver.smallestClassCount([0, 0, 1], presentIn: [0, 1, 2], classCount: 3) == 0)
  }
}
