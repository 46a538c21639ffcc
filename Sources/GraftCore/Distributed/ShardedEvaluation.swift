import Foundation

/// One rank's rows of a sharded evaluation, as it travels to the others.
struct EvaluationShard: Codable {
  var lossSum: Double
  var labels: [Int]
  var indices: [Int]
  var classCount: Int
  /// Row-major [rows, classCount].
  var probabilities: [Float]
}

extension ProcessGroup {
  /// An evaluation of `count` items split across the job (`mpirun -np N graft evaluate …`):
  /// `evaluate` gets this rank's contiguous share of the item indices (`BatchSampler.shard`) and
  /// returns its `Evaluation` with those global indices; the rows of every rank are gathered on
  /// every rank in rank order — item order, less the items a rank skipped — and the metrics
  /// recomputed over all of them. The result equals the single-process evaluation except for the
  /// summation order of the mean loss. One process: `evaluate(0..<count)` as it is.
  public func shardedEvaluation(count: Int, labelNames: [String]?, _ evaluate: ([Int]) -> Evaluation) -> Evaluation {
    guard size > 1 else { return evaluate(Array(0..<count)) }
    let local = evaluate(Array(BatchSampler.shard(Array(0..<count), rank: rank, of: size)))
    let p = local.probabilities
    let rows = local.labels.count
    let shard = EvaluationShard(lossSum: local.loss * Double(rows), labels: local.labels, indices: local.indices,
                                classCount: p.rank == 2 ? p.shape[1] : 0,
                                probabilities: Array(UnsafeBufferPointer(start: p.data, count: p.count)))
    let shards: [EvaluationShard] = gatherCodable(shard)
    let classCount = shards.map(\.classCount).max() ?? 0
    var labels: [Int] = [], indices: [Int] = [], values: [Float] = [], lossSum = 0.0
    for s in shards where !s.labels.isEmpty {
      guard s.classCount == classCount, s.probabilities.count == s.labels.count * classCount,
            s.indices.count == s.labels.count
      else { abort("sharded evaluation: rank shards of different shapes (\(s.classCount) vs \(classCount) classes)") }
      labels += s.labels
      indices += s.indices
      values += s.probabilities
      lossSum += s.lossSum
    }
    let width = max(classCount, labelNames?.count ?? 0, 1)
    let probabilities = labels.isEmpty ? Tensor.zeros([0, width]) : Tensor(shape: [labels.count, classCount], values)
    let predicted = labels.isEmpty ? [] : probabilities.argmax(axis: 1)
    let metrics = ClassificationMetrics(predicted: predicted, actual: labels, classCount: labels.isEmpty ? width : classCount,
                                        labels: labelNames)
    return Evaluation(loss: labels.isEmpty ? 0 : lossSum / Double(labels.count), metrics: metrics,
                      probabilities: probabilities, labels: labels, indices: indices)
  }

  /// Every rank's `value`, in rank order, on every rank (through JSON). Every rank encodes the
  /// same type, so a buffer that does not decode is a broken job: it aborts, naming the type.
  public func gatherCodable<T: Codable>(_ value: T) -> [T] {
    let bytes: [UInt8]
    do { bytes = [UInt8](try JSONEncoder().encode(value)) } catch { abort("cannot encode \(T.self) for the other ranks: \(error)") }
    return allGather(bytes).enumerated().map { r, data in
      do { return try JSONDecoder().decode(T.self, from: Data(data)) } catch {
        abort("cannot decode the \(T.self) of rank \(r): \(error)")
      }
    }
  }
}
