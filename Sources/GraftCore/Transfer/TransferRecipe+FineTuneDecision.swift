/// The fine-tune stage and its decision: the budget, the learning-rate sweep, the fit, and
/// whether the fine-tuned model is kept.
///
///     1. skip when `keepOnlyIfBetter` and there is no validation split (nothing can decide),
///        or when the cost exceeds `budget` (`FineTuneBudget.cost`)
///     2. snapshot the model (the head-only weights and BatchNorm statistics)
///     3. unfreeze the top blocks; with `learningRateSearch`, sweep the base's rate (the head's
///        group at `headToBaseRatio` × it), undo the sweep, take a tenth of the rate where the
///        loss starts to rise (`beforeRiseOverTen`)
///     4. fine-tune `epochs` with the two groups (Adam)
///     5. with `keepOnlyIfBetter`: keep the result only if `improves(fineTuned, on: headOnly)`,
///        else load the snapshot back and freeze the base again
extension TransferRecipe {
  /// The rule that decides whether a fine-tune is kept: validation **loss** strictly lower and
  /// validation **accuracy** not lower. Both, because each alone misleads on the small splits
  /// transfer learning has: accuracy moves by whole items (mn04 on 140 cough patches: +2
  /// patches, 0.957 → 0.971, while the loss rose 0.076 → 0.077 — and the test split lost two
  /// clips), and a loss can fall while the decisions get worse. A fine-tune that overfits shows
  /// it as a rising loss first (CIFAR-10, 2 blocks: accuracy 0.721 → 0.726, loss 0.773 → 0.839).
  public static func improves(_ candidate: Evaluation, on reference: Evaluation) -> Bool {
    candidate.loss < reference.loss && candidate.metrics.accuracy >= reference.metrics.accuracy
  }

  /// Runs (or skips) the fine-tune stage of `fineTune` on `network` after the head stage,
  /// recording history, evaluation and outcome in `stages`.
  func decideFineTune<T: Dataset, V: Dataset>(
    _ fineTune: FineTune, _ network: GraftedNetwork, labelNames: [String]?, _ loaders: Loaders<T, V>,
    into stages: inout TransferStages
  ) throws {
    var outcome = FineTuneOutcome(decision: .kept, reason: "", blocks: min(fineTune.topBlocks, network.blocks.count),
                                  epochs: fineTune.epochs, baseLearningRate: fineTune.baseLearningRate,
                                  headLearningRate: fineTune.headLearningRate, search: nil, cost: 0,
                                  budget: fineTune.budget?.imageEpochs)
    let ask = "ask for it with an explicit block count (graft: --fine-tune-blocks \(outcome.blocks))"
    if let inputValues = Self.inputValuesPerExample(loaders.train) {
      outcome.cost = FineTuneBudget.cost(examples: loaders.train.dataset.count, epochs: fineTune.epochs,
                                         inputValues: inputValues)
    }
    if fineTune.keepOnlyIfBetter && loaders.validation == nil {
      outcome.decision = .noValidation
      outcome.reason = "not fine-tuned: no validation split to show whether it helps; \(ask)"
    } else if let budget = fineTune.budget, outcome.cost > budget.imageEpochs {
      outcome.decision = .overBudget
      outcome.reason = "not fine-tuned: \(outcome.blocks) blocks × \(fineTune.epochs) epochs would cost "
        + "\(Int(outcome.cost.rounded())) image-epochs at 224×224, over the budget of \(Int(budget.imageEpochs)); \(ask)"
    }
    if !outcome.ran {
      if let resume = checkpoints.resume, try Trainer.checkpointStage(at: resume) == "fine-tune" {
        throw CheckpointError(path: resume, reason: .incompatible("a fine-tune checkpoint, and this run skips fine-tuning: "
          + outcome.reason))
      }
      if !quiet { Console.writeError(outcome.reason + "\n") }
      stages.fineTuneOutcome = outcome
      return
    }

    let headOnly = Dictionary(uniqueKeysWithValues: network.model.stateDict().map { ($0.0, $0.1.copy()) })
    network.unfreezeTop(fineTune.topBlocks, trainBatchNorm: fineTune.trainBatchNorm)
    let (headParameters, baseParameters) = network.trainableParameters()
    var (headRate, baseRate) = (fineTune.headLearningRate, fineTune.baseLearningRate)
    if let search = fineTune.learningRateSearch {
      let sweep = sweepLearningRate(search, network, ratio: fineTune.headToBaseRatio, head: headParameters.map(\.1),
                                    base: baseParameters.map(\.1), loader: loaders.train, restoring: headOnly)
      outcome.search = sweep
      if let found = sweep.beforeRiseOverTen {
        (baseRate, headRate) = (found, found * fineTune.headToBaseRatio)
      }
      if !quiet {
        Console.writeError("fine-tune learning rate: " + (sweep.beforeRiseOverTen.map {
          "base \(formatScientific($0)), head \(formatScientific($0 * fineTune.headToBaseRatio)) (sweep of \(sweep.points.count) steps)"
        } ?? "the sweep's loss never fell; the policy's rates") + "\n")
      }
    }
    (outcome.baseLearningRate, outcome.headLearningRate) = (baseRate, headRate)
    let optimizer = Adam(groups: [
      ParameterGroup(headParameters.map(\.1), names: headParameters.map(\.0), learningRate: headRate, weightDecay: weightDecay),
      ParameterGroup(baseParameters.map(\.1), names: baseParameters.map(\.0), learningRate: baseRate, weightDecay: weightDecay),
    ])
    let trainer = self.trainer(network.model, optimizer, epochs: fineTune.epochs, label: "fine-tune",
                               labelNames: labelNames, forward: network.forward)
    var diverged: String? = nil
    do {
      (stages.fineTuneHistory, stages.fineTuneEvaluation) = try Self.fit(trainer, loaders.train, loaders.validation)
    } catch let error as TrainingError where fineTune.keepOnlyIfBetter {
      stages.fineTuneHistory = trainer.history
      diverged = error.description
    }
    stages.skipped += loaders.train.skipped

    guard fineTune.keepOnlyIfBetter, let head = stages.headEvaluation else {
      outcome.reason = "fine-tuned \(outcome.blocks) blocks for \(fineTune.epochs) epochs (kept: asked for)"
      stages.fineTuneOutcome = outcome
      return
    }
    let tuned = stages.fineTuneEvaluation
    if diverged == nil, let tuned, Self.improves(tuned, on: head) {
      outcome.reason = "fine-tuned \(outcome.blocks) blocks, kept: validation accuracy "
        + "\(fixed3(head.metrics.accuracy)) → \(fixed3(tuned.metrics.accuracy)), loss \(fixed3(head.loss)) → \(fixed3(tuned.loss))"
    } else {
      try network.model.load(headOnly)
      network.base.freeze()
      outcome.decision = .discarded
      outcome.reason = "fine-tuned \(outcome.blocks) blocks, discarded (head-only weights kept): " + (diverged ?? (tuned.map {
        "validation accuracy \(fixed3(head.metrics.accuracy)) → \(fixed3($0.metrics.accuracy)), "
          + "loss \(fixed3(head.loss)) → \(fixed3($0.loss))"
      } ?? "no evaluation"))
    }
    if !quiet { Console.writeError(outcome.reason + "\n") }
    stages.fineTuneOutcome = outcome
  }

  /// The learning-rate range test on the unfrozen network: the base's group at the swept rate,
  /// the head's at `ratio` × it, a throwaway Adam, batches of `loader` epoch after epoch. Undone
  /// afterwards: `restoring` (the state dict before the sweep: weights and BatchNorm statistics)
  /// is loaded back, the random generators of `Stochastic` modules are reset, gradients cleared.
  func sweepLearningRate<T: Dataset>(
    _ search: LearningRateSearch, _ network: GraftedNetwork, ratio: Float, head: [Tensor], base: [Tensor],
    loader: DataLoader<T>, restoring saved: [String: Tensor]
  ) -> LearningRateFinderResult {
    let generators = network.model.namedModules().compactMap { $0.1 as? any Stochastic }.map { ($0, $0.generator) }
    let optimizer = Adam(groups: [ParameterGroup(head, learningRate: 0, weightDecay: weightDecay),
                                  ParameterGroup(base, learningRate: 0, weightDecay: weightDecay)])
    var epoch = 0
    var batches = loader.batches(epoch: epoch)
    func nextBatch() -> Batch? {
      if let batch = batches.next() { return batch }
      epoch += 1
      batches = loader.batches(epoch: epoch)
      return batches.next()
    }
    let restore = {
      try? network.model.load(saved)  // taken from this model: keys and shapes match
      for (module, generator) in generators { module.generator = generator }
      for p in network.model.parameters() { p.grad = nil }
      network.model.eval()
    }
    network.model.train()
    return search.finder.run(restore: restore) { lr in
      guard let batch = nextBatch() else { return .nan }
      optimizer.groups[0].learningRate = lr * ratio
      optimizer.groups[1].learningRate = lr
      let loss = crossEntropy(logits: network.forward(batch), labels: batch.labels)
      optimizer.zeroGradients()
      loss.backward()
      optimizer.step()
      return loss.item
    }
  }

  /// Input values of one training example (from the first batch), nil when there is none.
  static func inputValuesPerExample<T: Dataset>(_ loader: DataLoader<T>) -> Int? {
    var batches = loader.batches(epoch: 0)
    guard let batch = batches.next(), batch.size > 0 else { return nil }
    return batch.inputs.count / batch.size
  }
}

private func fixed3(_ x: Double) -> String {
  guard x.isFinite else { return "\(x)" }
  let scaled = Int((abs(x) * 1000).rounded())
  let fraction = "\(scaled % 1000)"
  return (x < 0 ? "-" : "") + "\(scaled / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}
