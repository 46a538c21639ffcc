/// A batch of a classification task.
public struct Batch {
  /// Inputs with the batch axis first ([B, ...]).
  public var inputs: Tensor
  public var labels: [Int]
  /// Valid lengths of variable-length sequences (text), when they apply.
  public var lengths: [Int]?
  /// Dataset indices of the items, in batch order.
  public var indices: [Int]

  public init(inputs: Tensor, labels: [Int], lengths: [Int]? = nil, indices: [Int]) {
    self.inputs = inputs
    self.labels = labels
    self.lengths = lengths
    self.indices = indices
  }

  public var size: Int { labels.count }
}

/// An item that could not be produced, kept for the run's report.
public struct SkippedItem: CustomStringConvertible {
  public var index: Int
  public var error: any Error
  public var description: String { String(describing: error) }

  public init(index: Int, error: any Error) {
    self.index = index
    self.error = error
  }
}

/// Turns a dataset into batches: the sampler gives the order, `collate` joins
/// examples into a `Batch`, and a background thread prepares the next batches
/// while the current one trains. Items whose decoding throws are skipped and
/// collected in `skipped` (each reported once).
public final class DataLoader<D: Dataset> {
  public let dataset: D
  public let sampler: BatchSampler
  public let prefetch: Int
  let collate: ([D.Element], [Int]) -> Batch
  public private(set) var skipped: [SkippedItem] = []
  private var reported = Set<Int>()

  public init(_ dataset: D, sampler: BatchSampler, prefetch: Int = 2,
              collate: @escaping (_ examples: [D.Element], _ indices: [Int]) -> Batch) {
    precondition(sampler.count == dataset.count, "DataLoader: sampler for \(sampler.count) items, dataset has \(dataset.count)")
    self.dataset = dataset
    self.sampler = sampler
    self.prefetch = prefetch
    self.collate = collate
  }

  public var batchCount: Int { sampler.batchCount }

  /// The batches of `epoch`, produced in the background.
  public func batches(epoch: Int) -> EpochBatches { batches(epoch: epoch, shard: nil) }

  /// The batches of `epoch`; with `shard`, only this rank's share of each global batch
  /// (`BatchSampler.shard`), and then one batch per global batch even when every item of the
  /// share failed (an empty `Batch`, size 0), so all ranks take the same steps. A global batch
  /// with fewer than two items per rank (an epoch's short tail) is left out of a sharded epoch:
  /// a share of one item cannot give BatchNorm batch statistics.
  public func batches(epoch: Int, shard: (rank: Int, size: Int)?) -> EpochBatches {
    var plan = sampler.batches(epoch: epoch)
    if let shard {
      plan = plan.filter { $0.count >= 2 * shard.size }.map { Array(BatchSampler.shard($0, rank: shard.rank, of: shard.size)) }
    }
    return batches(plan: plan, yieldsEmpty: shard != nil)
  }

  /// Rank `rank`'s batches of a round-robin split of `epoch`'s batches among `size` processes
  /// (global batch b goes to rank b mod size), one `Batch` for each even when all its items
  /// failed (then empty): for work that is split by whole batches, such as feature extraction.
  public func batches(epoch: Int, roundRobin rank: Int, of size: Int) -> EpochBatches {
    let plan = sampler.batches(epoch: epoch).enumerated().filter { $0.offset % size == rank }.map(\.element)
    return batches(plan: plan, yieldsEmpty: true)
  }

  func batches(plan: [[Int]], yieldsEmpty: Bool) -> EpochBatches {
    let dataset = self.dataset, collate = self.collate
    let prefetcher = Prefetcher<(Batch?, [SkippedItem])>(count: plan.count, depth: prefetch) { b in
      var examples: [D.Element] = [], kept: [Int] = [], failures: [SkippedItem] = []
      for i in plan[b] {
        do {
          examples.append(try dataset.example(at: i))
          kept.append(i)
        } catch {
          failures.append(SkippedItem(index: i, error: error))
        }
      }
      return (examples.isEmpty ? nil : collate(examples, kept), failures)
    }
    return EpochBatches(loader: self, handle: PrefetchHandle(prefetcher), yieldsEmpty: yieldsEmpty)
  }

  func record(_ failures: [SkippedItem]) {
    for f in failures where reported.insert(f.index).inserted { skipped.append(f) }
  }

  /// Iterates one epoch's batches (skipping batches whose every item failed).
  public struct EpochBatches: Sequence, IteratorProtocol {
    let loader: DataLoader
    let handle: PrefetchHandle<(Batch?, [SkippedItem])>
    /// Yield an empty batch instead of skipping one with no item (sharded epochs).
    var yieldsEmpty = false
    public mutating func next() -> Batch? {
      while let (batch, failures) = handle.prefetcher.next() {
        loader.record(failures)
        if let batch { return batch }
        if yieldsEmpty { return Batch(inputs: Tensor(shape: [0], []), labels: [], indices: []) }
      }
      return nil
    }
  }
}

extension DataLoader where D.Element == LabeledTensor {
  /// Stacks `LabeledTensor` inputs along a new batch axis.
  public convenience init(_ dataset: D, sampler: BatchSampler, prefetch: Int = 2) {
    self.init(dataset, sampler: sampler, prefetch: prefetch) { examples, indices in
      Batch(inputs: stackInputs(examples.map(\.input)), labels: examples.map(\.label), indices: indices)
    }
  }
}

/// Stacks equal-shaped tensors into [B, ...] with one copy (no tape).
public func stackInputs(_ inputs: [Tensor]) -> Tensor {
  precondition(!inputs.isEmpty, "stackInputs: no inputs")
  let shape = inputs[0].shape, n = inputs[0].count
  let out = Tensor(uninitializedShape: [inputs.count] + shape)
  for (i, t) in inputs.enumerated() {
    precondition(t.shape == shape, "stackInputs: item \(i) has shape \(t.shape), item 0 has \(shape)")
    (out.data + i * n).update(from: t.data, count: n)
  }
  return out
}
