import Foundation
import GraftCore

/// `graft distributed check`: the collectives on awkward sizes and a small data-parallel
/// training run, with results every rank can compare. The figures come back to rank 0 through
/// `allGather`, so the leader reports for the whole job.
public enum DistributedCheck {
  /// One rank's findings.
  public struct RankReport: Codable, Equatable, Sendable {
    public var rank: Int
    /// Names of the collective checks that failed on this rank (empty: all passed).
    public var failures: [String]
    /// Mean training loss per epoch of the plain MLP run: identical on every rank, and equal to a
    /// single process's up to summation order.
    public var losses: [Double]
    /// FNV-1a hash of the plain run's trained parameters (identical on every rank).
    public var parameterHash: String
    public var validationAccuracy: Double
    /// The hash after the run with BatchNorm and dropout, whose per-rank batch statistics and
    /// masks make it differ from one process, but never between ranks.
    public var batchNormHash: String
  }

  /// Runs the collective checks: all-reduce of odd-sized buffers (one element, a prime, more
  /// than one bucket), the bucketed tensor all-reduce across bucket edges, broadcast from the
  /// last rank, and an all-gather where rank r sends r bytes (rank 0 sends none).
  public static func collectiveFailures(_ group: any ProcessGroup) -> [String] {
    var failures: [String] = []
    let n = group.size, r = group.rank
    let rankSum = Float(n * (n - 1)) / 2
    for count in [1, 3, 1_000_003] {
      var x = (0..<count).map { Float($0 % 97) + Float(r) * 0.5 }
      x.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
      if !x.indices.allSatisfy({ x[$0] == Float(n) * Float($0 % 97) + 0.5 * rankSum }) {
        failures.append("allReduceSum(Float × \(count))")
      }
    }
    var d = [Double(r) + 0.25, -1]
    d.withUnsafeMutableBufferPointer { group.allReduceSum($0) }
    if d != [Double(n) * 0.25 + Double(rankSum), Double(-n)] { failures.append("allReduceSum(Double)") }
    let tensors = [Tensor(shape: [5], (0..<5).map { Float($0 + r) }), Tensor(shape: [2, 3], [Float](repeating: 1, count: 6)),
                   Tensor(shape: [0], []), Tensor(shape: [7], (0..<7).map { _ in Float(r) })]
    group.allReduceSum(tensors, bucketBytes: 12)  // three floats a bucket: pieces across edges
    let expected: [[Float]] = [(0..<5).map { Float(n * $0) + rankSum }, [Float](repeating: Float(n), count: 6), [],
                               [Float](repeating: rankSum, count: 7)]
    if zip(tensors, expected).contains(where: { $0.scalars != $1 }) { failures.append("allReduceSum(tensors, buckets)") }
    var bytes = (0..<1001).map { UInt8(truncatingIfNeeded: $0 &* (r + 1)) }
    bytes.withUnsafeMutableBytes { group.broadcast($0, from: n - 1) }
    if bytes != (0..<1001).map({ UInt8(truncatingIfNeeded: $0 &* n) }) { failures.append("broadcast") }
    let gathered = group.allGather([UInt8](repeating: UInt8(r), count: r))
    if gathered != (0..<n).map({ [UInt8](repeating: UInt8($0), count: $0) }) { failures.append("allGather") }
    group.barrier()
    return failures
  }

  /// Trains a small MLP (with `batchNorm`: BatchNorm and dropout too) on a seeded synthetic
  /// 3-class problem (`examples` items, global batch `batchSize`, SGD with momentum, `epochs`
  /// epochs, a validation split). Without BatchNorm the result is the same, up to summation
  /// order, on any number of ranks.
  public static func trainingRun(batchNorm: Bool, examples: Int = 240, batchSize: Int = 16, epochs: Int = 4)
    throws -> (losses: [Double], validationAccuracy: Double, hash: String) {
    var g = Generator(seed: 7)
    var inputs: [Float] = [], labels: [Int] = []
    for i in 0..<examples {
      let label = i % 3
      for f in 0..<6 { inputs.append(Float(label == f % 3 ? 1 : 0) + g.uniform(-1, 1)) }
      labels.append(label)
    }
    let data = TensorDataset(inputs: Tensor(shape: [examples, 6], inputs), labels: labels)
    let (train, validation) = trainValidationSplit(data, validationFraction: 0.25, seed: 3)
    var w = Generator(seed: 11)
    let model = batchNorm
      ? Sequential(Linear(6, 16, using: &w), BatchNorm1d(16), ReLU(), Dropout(0.1, seed: 5), Linear(16, 3, using: &w))
      : Sequential(Linear(6, 16, using: &w), ReLU(), Linear(16, 3, using: &w))
    let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
    let trainer = Trainer(model: model, optimizer: optimizer, options: TrainingOptions(epochs: epochs, quiet: true)) {
      model($0.inputs)
    }
    let trainLoader = DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: batchSize, seed: 1))
    let validationLoader = DataLoader(validation, sampler: BatchSampler(count: validation.count, batchSize: 64, order: .sequential))
    let history = try trainer.fit(trainLoader, validation: validationLoader)
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for t in model.parameters() + model.buffers() {
      for i in 0..<t.count {
        withUnsafeBytes(of: t.data[i].bitPattern) { for b in $0 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 } }
      }
    }
    return (history.epochs.map(\.trainLoss), history.epochs.last?.validationAccuracy ?? 0, String(hash, radix: 16))
  }

  /// Every rank's report (collectives, then the training run), gathered on every rank.
  /// `between` runs after the collectives (a hook to make one rank fail on purpose).
  public static func run(_ group: any ProcessGroup, between: () throws -> Void = {}) throws -> [RankReport] {
    let failures = collectiveFailures(group)
    try between()
    let run = try trainingRun(batchNorm: false), withBatchNorm = try trainingRun(batchNorm: true)
    let mine = RankReport(rank: group.rank, failures: failures, losses: run.losses, parameterHash: run.hash,
                          validationAccuracy: run.validationAccuracy, batchNormHash: withBatchNorm.hash)
    let encoded = try JSONEncoder().encode(mine)
    return try group.allGather([UInt8](encoded)).map { try JSONDecoder().decode(RankReport.self, from: Data($0)) }
  }
}
