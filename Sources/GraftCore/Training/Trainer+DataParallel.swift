extension Trainer {
  /// One epoch of data-parallel training over `group` (more than one process).
  ///
  /// Every rank holds the same model (same seed, same steps) and walks the same global batches
  /// (`BatchSampler` is a pure function of seed and epoch); each takes its contiguous share of
  /// every global batch (`BatchSampler.shard`). After the backward pass each rank's mean
  /// gradient is weighted by its example count, and one bucketed all-reduce sums the gradients
  /// together with the counts and losses; dividing by the global count gives exactly the
  /// gradient of the global batch's mean loss (only the summation order differs from one
  /// process), so every rank takes the same optimizer step. A rank whose share is empty (every
  /// item failed to decode) contributes zeros; a tail batch with fewer than two items per rank is
  /// left out (`DataLoader.batches(epoch:shard:)`). A
  /// non-finite global loss stops every rank at the same step with the same error. The epoch's
  /// metrics are summed over ranks; BatchNorm running statistics (per rank while training, as
  /// PyTorch DDP) are broadcast from rank 0 at the end of the epoch, so validation and the saved
  /// model are the same on every rank.
  func trainEpochDataParallel<T: Dataset>(_ loader: DataLoader<T>, epoch: Int, group: any ProcessGroup,
                                          bar: ProgressBar) throws -> RunningMetrics {
    model.train()
    var running = RunningMetrics()
    var globalSeen = 0
    for (b, batch) in loader.batches(epoch: epoch, shard: (group.rank, group.size)).enumerated() {
      if let schedule = options.schedule {
        schedule.apply(to: optimizer, step: epoch * loader.batchCount + b)
      }
      optimizer.zeroGradients()
      var localLoss: Float = 0
      if batch.size > 0 {
        let logits = forward(batch)
        let loss = lossFunction(logits, batch)
        localLoss = loss.item
        if localLoss.isFinite { loss.backward() }
        running.add(loss: localLoss, logits: logits, actual: batch.labels)
      }
      let parameters = optimizer.parameters
      for p in parameters where p.requiresGrad && p.grad == nil { p.grad = Tensor.zeros(p.shape) }
      let gradients = parameters.compactMap(\.grad)
      let n = Float(batch.size)
      for g in gradients { scale(g, by: n) }
      let totals = Tensor(shape: [2], [n, batch.size > 0 ? localLoss * n : 0])
      group.allReduceSum(gradients + [totals])
      let count = totals.data[0], meanLoss = totals.data[1] / max(count, 1)
      guard meanLoss.isFinite else {
        throw TrainingError(reason: .nonFiniteLoss(epoch: epoch + 1, batch: b + 1, value: meanLoss,
                                                   learningRate: optimizer.groups.first?.learningRate ?? 0))
      }
      guard count > 0 else { continue }  // no rank had an example: no step anywhere
      for g in gradients { scale(g, by: 1 / count) }
      reduceGradients(parameters)
      if let maxNorm = options.gradientClipNorm { _ = clipGradientNorm(parameters, maxNorm: maxNorm) }
      optimizer.step()
      globalSeen += Int(count)
      bar.advance(fields: "loss \(Trainer.fixed(Double(meanLoss), 4))")
    }
    broadcastBuffers(from: 0, group: group)
    let total = running.summed(over: group)
    if globalSeen == 0 { throw TrainingError(reason: .noTrainingData) }
    return total
  }

  /// Replaces every buffer of the model (BatchNorm running statistics, counters) with rank
  /// `root`'s.
  func broadcastBuffers(from root: Int, group: any ProcessGroup) {
    for buffer in model.buffers() where buffer.count > 0 {
      group.broadcast(UnsafeMutableRawBufferPointer(start: buffer.data, count: buffer.count * MemoryLayout<Float>.stride),
                      from: root)
    }
  }

  private func scale(_ t: Tensor, by factor: Float) {
    let p = t.data
    for i in 0..<t.count { p[i] *= factor }
  }
}
