import ArgumentParser
import GraftCore

/// `--head-solver`, shared by `vision train` and `audio train`: how a head on cached features is
/// trained. The rule itself lives in `TransferRecipe` (`headSolver`); this only parses the choice.
enum HeadSolverChoice: String, ExpressibleByArgument, CaseIterable {
  /// The exact fit when features are cached and the head is linear, Adam with early stopping
  /// otherwise.
  case auto
  /// The exact fit, required: a usage error where features cannot be cached.
  case lbfgs
  /// Adam epochs with early stopping, even on cached features.
  case adam

  static let help = ArgumentHelp(
    "How the head is trained: auto (an exact L2-regularised softmax fit by L-BFGS when features are cached and the head is linear — the strength chosen on the validation split, or by 3-fold cross-validation when there is none or it has under 10 per class; otherwise Adam with early stopping), lbfgs (the exact fit, required) or adam (Adam epochs at --lr, early stopping on validation loss).",
    valueName: "auto|lbfgs|adam")

  /// The recipe's `headSolver`: nil for Adam everywhere. `minimumValidationPerClass` overrides
  /// `LinearHeadSolver.defaultMinimumValidationPerClass` (the hidden `--head-cv-below`).
  func solver(minimumValidationPerClass: Int?, refitsTinyValidation: Bool = true) -> LinearHeadSolver? {
    switch self {
    case .adam: return nil
    case .auto, .lbfgs:
      return LinearHeadSolver(minimumValidationPerClass: minimumValidationPerClass
                                ?? LinearHeadSolver.defaultMinimumValidationPerClass,
                              refitsTinyValidation: refitsTinyValidation)
    }
  }

  /// `--no-head-refit`'s help (vision and audio train).
  static let noRefitHelp = ArgumentHelp(
    "Keep the exact head fitted on the training split even when the validation split is too small to choose its L2 on (under 10 in a class); by default such a head-only model is refitted on the training and validation items together once the split has served every decision.")
}

/// The recipe for `source` with the user's numbers over `TransferRecipe.defaults(for:)`: `epochs`
/// (the cap) and `lr` when given, the head solver, batch size, seed and quietness.
func transferRecipe(for source: BaseSource, epochs: Int?, lr: Float?, headSolver: HeadSolverChoice,
                    minimumValidationPerClass: Int?, refitsTinyValidation: Bool = true, batchSize: Int, seed: UInt64,
                    quiet: Bool) -> TransferRecipe {
  var recipe = TransferRecipe.defaults(for: source)
  if let epochs { recipe.headEpochs = epochs }
  if let lr { recipe.headLearningRate = lr }
  recipe.headSolver = headSolver.solver(minimumValidationPerClass: minimumValidationPerClass,
                                        refitsTinyValidation: refitsTinyValidation)
  recipe.batchSize = batchSize
  recipe.seed = seed
  recipe.quiet = quiet
  return recipe
}

/// The epochs-and-rate help both `train` commands print.
enum TrainingHelp {
  static let epochs = ArgumentHelp(
    "Epoch cap of a head trained by Adam (augmentation, --head-solver adam) and of training from scratch (--base none); early stopping on validation loss (patience 5, best weights restored) usually ends the run sooner, and without a validation split the cap is what stops it. Default \(TransferRecipe.defaultEpochCap); \(TransferRecipe.scratchEpochCap) for none. The exact solver uses no epochs.",
    valueName: "n")
  static let lr = ArgumentHelp(
    "Adam's learning rate for the head (default \(TransferRecipe.defaultLearningRate)) or, with none, for every block and the head (default \(TransferRecipe.scratchLearningRate)); fine-tuning rates are fractions of it.",
    valueName: "rate")
}
