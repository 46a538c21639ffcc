/// The order of items within one epoch, split into batches.
///
/// Every epoch's order is a pure function of (seed, epoch), so a run resumed
/// at epoch k sees exactly the batches the uninterrupted run saw.
public struct BatchSampler: Sendable, Equatable {
  public enum Order: Sendable, Equatable {
    /// 0, 1, 2, … (evaluation).
    case sequential
    /// A seeded permutation each epoch.
    case shuffled
    /// Draws with replacement, each class equally likely (for imbalanced data);
    /// an epoch has `count` draws.
    case classBalanced(labels: [Int])
  }

  public var count: Int
  public var batchSize: Int
  public var order: Order
  public var dropLast: Bool
  public var seed: UInt64

  public init(count: Int, batchSize: Int, order: Order = .shuffled, dropLast: Bool = false, seed: UInt64 = 0) {
    precondition(batchSize >= 1, "BatchSampler: batch size \(batchSize)")
    self.count = count
    self.batchSize = batchSize
    self.order = order
    self.dropLast = dropLast
    self.seed = seed
  }

  /// Number of batches per epoch.
  public var batchCount: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

  /// Index batches of `epoch`.
  /// Rank `rank`'s contiguous share of `batch` among `size` processes: the batch split into
  /// `size` parts whose lengths differ by at most one, earlier ranks taking the longer parts
  /// (empty when the batch has fewer items than ranks).
  public static func shard(_ batch: [Int], rank: Int, of size: Int) -> ArraySlice<Int> {
    precondition(size >= 1 && rank >= 0 && rank < size, "BatchSampler.shard: rank \(rank) of \(size)")
    let base = batch.count / size, extra = batch.count % size
    let start = rank * base + min(rank, extra)
    return batch[start..<(start + base + (rank < extra ? 1 : 0))]
  }

  public func batches(epoch: Int) -> [[Int]] {
    var g = Generator(seed: seed &+ 0x9E37_79B9 &* UInt64(epoch + 1))
    let indices: [Int]
    switch order {
    case .sequential:
      indices = Array(0..<count)
    case .shuffled:
      indices = g.permutation(count)
    case .classBalanced(let labels):
      precondition(labels.count == count, "BatchSampler: \(labels.count) labels for \(count) items")
      var byClass: [Int: [Int]] = [:]
      for (i, l) in labels.enumerated() { byClass[l, default: []].append(i) }
      let classes = byClass.keys.sorted()
      indices = (0..<count).map { _ in
        let members = byClass[classes[g.int(below: classes.count)]]!
        return members[g.int(below: members.count)]
      }
    }
    return (0..<batchCount).map { b in Array(indices[(b * batchSize)..<min((b + 1) * batchSize, indices.count)]) }
  }
}
