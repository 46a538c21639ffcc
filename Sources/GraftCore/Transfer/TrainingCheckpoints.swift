/// Checkpoints of a transfer run (`TransferRecipe.checkpoints`).
///
/// Every stage that trains by epochs — the head when it is not fitted exactly, the whole
/// network of a random base, the fine-tune stage — writes `path` after each epoch
/// (`Trainer.saveCheckpoint`, labelled with the stage's name). `resume` names a checkpoint of
/// such a stage: the run does again, from the same data and seed, what came before that stage
/// (deterministic: the cached-feature head, the fine-tune stage's learning-rate sweep), then that
/// stage continues from the checkpoint's epoch with its weights, optimizer state and random
/// generators. The result is bit-identical to a run that was never interrupted, provided
/// the data, seed and options are the same (the epoch count may be larger: a 2-epoch run
/// resumed with 4 equals a 4-epoch run when nothing depends on the total, as here: no schedule).
public struct TrainingCheckpoints: Sendable, Equatable {
  /// Written after every epoch; nil: `resume` when given (continue writing the same file), else none.
  public var path: String?
  /// The checkpoint to continue from.
  public var resume: String?

  public init(path: String? = nil, resume: String? = nil) {
    self.path = path
    self.resume = resume
  }

  /// The stage labels a checkpoint can carry.
  public static let stages = ["head", "fine-tune"]

  /// Where the trainer of `stage` writes: `path`, else the resumed file — but not while a stage
  /// before the resumed one runs again (the head before a fine-tune checkpoint), which would
  /// overwrite the checkpoint it is about to continue from.
  func writePath(stage: String) -> String? {
    if let resume, let resumed = try? Trainer.checkpointStage(at: resume),
       let i = Self.stages.firstIndex(of: stage), let j = Self.stages.firstIndex(of: resumed), i < j {
      return path == resume ? nil : path
    }
    return path ?? resume
  }

  /// Checks before anything trains that `resume` is a checkpoint of a stage this run has:
  /// "head", or "fine-tune" when `fineTunes`.
  func check(fineTunes: Bool) throws(CheckpointError) {
    guard let resume else { return }
    let stage = try Trainer.checkpointStage(at: resume)
    guard let stage, Self.stages.contains(stage) else {
      throw CheckpointError(path: resume, reason: .incompatible(
        "written by \(stage.map { "a \"\($0)\" trainer" } ?? "a trainer without a stage label"), not a transfer stage"))
    }
    if stage == "fine-tune" && !fineTunes {
      throw CheckpointError(path: resume, reason: .incompatible(
        "a fine-tune checkpoint, and this run does not fine-tune (give the same --fine-tune-blocks as the run that wrote it)"))
    }
  }
}
