import Foundation
import Synchronization

/// The processes of one data-parallel job and the collectives they run together.
///
/// GraftCore knows no transport: a single process is `SingleProcessGroup` (every collective is
/// the identity), and `GraftDistributed` installs an MPI-backed group when the program was
/// launched by `mpirun`/`srun` (`ProcessGroups.install`). Every rank must call the same
/// collectives in the same order with the same sizes; a rank that cannot go on calls `abort`,
/// which ends the whole job.
public protocol ProcessGroup: AnyObject, Sendable {
  /// This process's index, 0..<size.
  var rank: Int { get }
  /// The number of processes.
  var size: Int { get }
  /// Element-wise sum over all ranks, in place: every rank ends with the same sums.
  func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>)
  func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>)
  /// Replaces every rank's bytes with rank `root`'s (same count on every rank).
  func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int)
  /// Every rank's bytes (counts may differ), in rank order, on every rank.
  func allGather(_ local: [UInt8]) -> [[UInt8]]
  func barrier()
  /// Ends the whole job: prints `message` (naming this rank) and makes every process exit.
  func abort(_ message: String) -> Never
}

/// The group of a program that runs alone: rank 0 of 1.
public final class SingleProcessGroup: ProcessGroup {
  public init() {}
  public var rank: Int { 0 }
  public var size: Int { 1 }
  public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) {}
  public func allReduceSum(_ buffer: UnsafeMutableBufferPointer<Double>) {}
  public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, from root: Int) {
    precondition(root == 0, "broadcast: root \(root) of 1 process")
  }
  public func allGather(_ local: [UInt8]) -> [[UInt8]] { [local] }
  public func barrier() {}
  public func abort(_ message: String) -> Never {
    Console.writeError("graft: \(message)\n")
    exit(1)
  }
}

/// The group every training loop, loader and writer consults (`ProcessGroups.current`).
public enum ProcessGroups {
  static let installed = Mutex<any ProcessGroup>(SingleProcessGroup())

  /// The job's group: a `SingleProcessGroup` unless one was installed.
  public static var current: any ProcessGroup { installed.withLock { $0 } }

  /// Makes `group` the job's group (done once, at start, by the program).
  public static func install(_ group: any ProcessGroup) {
    installed.withLock { $0 = group }
  }

  /// Whether this process is the one that prints, writes bundles and reports (rank 0).
  public static var isLeader: Bool { current.rank == 0 }
}

extension ProcessGroup {
  /// The sum of one number over all ranks.
  public func sum(_ value: Double) -> Double {
    var v = [value]
    v.withUnsafeMutableBufferPointer { allReduceSum($0) }
    return v[0]
  }

  /// Sums of several numbers over all ranks (one collective).
  public func sum(_ values: [Double]) -> [Double] {
    var v = values
    v.withUnsafeMutableBufferPointer { allReduceSum($0) }
    return v
  }

  /// Sums every tensor's values over all ranks, in place, through buffers of at most
  /// `bucketBytes` (one collective per bucket instead of one per tensor).
  public func allReduceSum(_ tensors: [Tensor], bucketBytes: Int = 4 << 20) {
    guard size > 1 else { return }
    let capacity = max(1, bucketBytes / MemoryLayout<Float>.stride)
    let bucket = UnsafeMutableBufferPointer<Float>.allocate(capacity: capacity)
    defer { bucket.deallocate() }
    var pending: [(Tensor, Int, Int)] = []  // tensor, offset in the tensor, offset in the bucket
    var used = 0
    func flush() {
      guard used > 0 else { return }
      allReduceSum(UnsafeMutableBufferPointer(rebasing: bucket[0..<used]))
      for (t, from, at) in pending {
        let n = min(t.count - from, used - at)
        (t.data + from).update(from: bucket.baseAddress! + at, count: n)
      }
      pending.removeAll(keepingCapacity: true)
      used = 0
    }
    for t in tensors {
      var from = 0
      while from < t.count {
        let n = min(t.count - from, capacity - used)
        (bucket.baseAddress! + used).update(from: t.data + from, count: n)
        pending.append((t, from, used))
        used += n
        from += n
        if used == capacity { flush() }
      }
    }
    flush()
  }
}

extension ProcessGroup {
  /// `transform` run on this rank's contiguous share of `items` (`BatchSampler.shard`), the
  /// results gathered on every rank in item order: work over many independent inputs (`graft
  /// predict` over many files) split across a job. `transform` must return one result per item.
  public func shardedMap<Item, Result: Codable>(_ items: [Item], _ transform: ([Item]) throws -> [Result]) rethrows -> [Result] {
    guard size > 1 else { return try transform(items) }
    let share = BatchSampler.shard(Array(items.indices), rank: rank, of: size)
    let mine = try transform(share.map { items[$0] })
    precondition(mine.count == share.count, "shardedMap: \(mine.count) results for \(share.count) items")
    return gatherCodable(mine).flatMap { $0 }
  }

}
