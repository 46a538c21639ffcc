import GraftCore
import Testing

/// Data-parallel sharding: every global batch split into contiguous, disjoint shares that cover
/// it, sizes differing by at most one; a sharded epoch keeps one batch per global batch.
@Suite struct ShardTests {
  @Test(arguments: [1, 2, 3, 5, 8])
  func sharesPartitionEveryBatch(_ size: Int) {
    for count in 0...19 {
      let batch = (0..<count).map { $0 * 7 + 1 }
      let shares = (0..<size).map { Array(BatchSampler.shard(batch, rank: $0, of: size)) }
      #expect(shares.flatMap { $0 } == batch)
      let lengths = shares.map(\.count)
      #expect((lengths.max() ?? 0) - (lengths.min() ?? 0) <= 1)
      #expect(lengths == lengths.sorted(by: >))  // earlier ranks take the longer shares
    }
  }

  @Test func shardedEpochsCoverTheSampleAndDropOnlyShortTails() throws {
    let data = TensorDataset(inputs: Tensor(shape: [21, 1], (0..<21).map(Float.init)), labels: [Int](repeating: 0, count: 21))
    let loader = DataLoader(data, sampler: BatchSampler(count: 21, batchSize: 8, order: .shuffled, seed: 4))
    let global = BatchSampler(count: 21, batchSize: 8, order: .shuffled, seed: 4).batches(epoch: 2)
    var seen: [[Int]] = [[], []]
    for rank in 0..<2 {
      for batch in loader.batches(epoch: 2, shard: (rank, 2)) { seen[rank].append(contentsOf: batch.indices) }
    }
    // Batches of 8, 8 and a tail of 5 (≥ 2 per rank): everything, split between the ranks.
    #expect((seen[0] + seen[1]).sorted() == Array(0..<21))
    #expect(seen[0] == global.flatMap { Array(BatchSampler.shard($0, rank: 0, of: 2)) })
    // With 3 ranks the tail of 5 (< 2 per rank) is left out.
    var three: [Int] = []
    for rank in 0..<3 { for batch in loader.batches(epoch: 2, shard: (rank, 3)) { three += batch.indices } }
    #expect(three.sorted() == global.prefix(2).flatMap { $0 }.sorted())
  }

  @Test func singleProcessGroupCollectivesAreTheIdentity() {
    let group = SingleProcessGroup()
    let t = Tensor(shape: [3], [1, 2, 3])
    group.allReduceSum([t], bucketBytes: 4)
    #expect(t.scalars == [1, 2, 3] && group.sum([2, 3]) == [2, 3] && group.allGather([7]) == [[7]])
    #expect(ProcessGroups.current.size == 1 && ProcessGroups.isLeader)
  }
}
