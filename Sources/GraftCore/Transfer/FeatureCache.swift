#if canImport(Glibc)
import Glibc
#endif

/// Features of a frozen base, computed once and reused by every head epoch.
///
/// When nothing random happens before the base (no augmentation) and the base
/// is frozen, its output for an item never changes, so the head can train on
/// the cache instead of re-running the base. Rows live in memory up to
/// `memoryLimitBytes`; a larger cache spills to an unlinked temporary file that
/// is memory-mapped (the kernel pages it in and out; nothing is left on disk).
public final class FeatureCache: Dataset {
  public let count: Int
  /// Shape of one item's features (e.g. [512]).
  public let featureShape: [Int]
  public let labels: [Int]
  /// Dataset indices of the rows (items whose decoding failed are absent).
  public let sourceIndices: [Int]
  public let isSpilled: Bool
  let rowCount: Int
  let memory: Tensor?
  let mapped: UnsafeMutableRawPointer?
  let mappedBytes: Int

  public var bytes: Int { count * rowCount * MemoryLayout<Float>.stride }

  init(rows: Tensor?, mapped: UnsafeMutableRawPointer?, mappedBytes: Int, count: Int, featureShape: [Int],
       labels: [Int], sourceIndices: [Int]) {
    memory = rows
    self.mapped = mapped
    self.mappedBytes = mappedBytes
    isSpilled = mapped != nil
    self.count = count
    self.featureShape = featureShape
    self.labels = labels
    self.sourceIndices = sourceIndices
    rowCount = Shape.count(featureShape)
  }

  deinit {
    if let mapped { munmap(mapped, mappedBytes) }
  }

  public func label(at index: Int) -> Int? { labels[index] }

  public func example(at index: Int) throws -> LabeledTensor {
    let row = Tensor(uninitializedShape: featureShape)
    row.data.update(from: rowPointer(index), count: rowCount)
    return LabeledTensor(input: row, label: labels[index])
  }

  func rowPointer(_ index: Int) -> UnsafePointer<Float> {
    if let memory { return UnsafePointer(memory.data + index * rowCount) }
    return UnsafePointer(mapped!.assumingMemoryBound(to: Float.self) + index * rowCount)
  }

  /// A loader that gathers cached rows straight into batches.
  public func loader(sampler: BatchSampler) -> DataLoader<FeatureCache> {
    DataLoader(self, sampler: sampler, prefetch: 1) { [self] examples, indices in
      let batch = Tensor(uninitializedShape: [indices.count] + featureShape)
      for (j, i) in indices.enumerated() { (batch.data + j * rowCount).update(from: rowPointer(i), count: rowCount) }
      return Batch(inputs: batch, labels: indices.map { labels[$0] }, indices: indices)
    }
  }

  /// Runs `features` (a frozen base, no tape) over every batch of `loader` once.
  public static func build<D: Dataset>(
    _ loader: DataLoader<D>, memoryLimitBytes: Int = 512 << 20, quiet: Bool = false,
    features: (Batch) -> Tensor
  ) throws -> FeatureCache {
    var chunks: [Tensor] = []
    var labels: [Int] = [], indices: [Int] = []
    var featureShape: [Int]? = nil
    var inMemoryBytes = 0
    var spill: SpillFile? = nil
    let bar = ProgressBar("features", total: loader.batchCount, quiet: quiet)
    let group = ProcessGroups.current
    try withoutGradients {
      try withoutActuallyEscaping(features) { features in
        for (batch, f) in FeatureRounds(loader: loader, group: group, features: features) {
          guard batch.size > 0 else { bar.advance(); continue }
          let shape = Array(f.shape.dropFirst())
          if featureShape == nil { featureShape = shape }
          precondition(shape == featureShape!, "FeatureCache: features \(f.shape) after \(featureShape!)")
          labels += batch.labels
          indices += batch.indices
          inMemoryBytes += f.count * MemoryLayout<Float>.stride
          if spill == nil && inMemoryBytes > memoryLimitBytes {
            spill = try SpillFile()
            for c in chunks { try spill!.append(c) }
            chunks = []
          }
          if let spill { try spill.append(f) } else { chunks.append(f) }
          bar.advance()
        }
      }
    }
    let shape = featureShape ?? [0]
    if let spill {
      let (pointer, bytes) = try spill.map()
      return FeatureCache(rows: nil, mapped: pointer, mappedBytes: bytes, count: labels.count, featureShape: shape,
                          labels: labels, sourceIndices: indices)
    }
    let rows = chunks.isEmpty ? nil : Tensor.concat(chunks, axis: 0)
    return FeatureCache(rows: rows ?? Tensor.zeros([0] + shape), mapped: nil, mappedBytes: 0, count: labels.count,
                        featureShape: shape, labels: labels, sourceIndices: indices)
  }
}

/// The batches of `loader` in order with their features. One process computes them all; in a
/// data-parallel job (`group` of N) the batches are dealt round-robin and computed in rounds of
/// N, one batch per rank, and each round's results are all-gathered, so every rank ends with
/// every batch's features in the single-process order while running the base on 1/N of them
/// (memory for one round's features at a time).
struct FeatureRounds<D: Dataset>: Sequence, IteratorProtocol {
  let loader: DataLoader<D>
  let group: any ProcessGroup
  let features: (Batch) -> Tensor
  var mine: DataLoader<D>.EpochBatches
  var pending: [(Batch, Tensor)] = []
  var round = 0
  let rounds: Int

  init(loader: DataLoader<D>, group: any ProcessGroup, features: @escaping (Batch) -> Tensor) {
    self.loader = loader
    self.group = group
    self.features = features
    mine = group.size > 1 ? loader.batches(epoch: 0, roundRobin: group.rank, of: group.size) : loader.batches(epoch: 0)
    rounds = (loader.batchCount + group.size - 1) / group.size
  }

  mutating func next() -> (Batch, Tensor)? {
    if group.size == 1 {
      guard let batch = mine.next() else { return nil }
      return (batch, features(batch))
    }
    while pending.isEmpty {
      guard round < rounds else { return nil }
      let batch = round * group.size + group.rank < loader.batchCount ? mine.next() : nil
      let local = batch.map { $0.size > 0 ? Self.encode($0, features($0)) : Self.encode($0, nil) } ?? []
      pending = group.allGather(local).compactMap(Self.decode)
      round += 1
    }
    return pending.removeFirst()
  }

  /// `[n, rank of a row, row dims…, labels…, indices…]` as Int64, then the n rows as Float32.
  static func encode(_ batch: Batch, _ f: Tensor?) -> [UInt8] {
    let dims = f.map { Array($0.shape.dropFirst()) } ?? []
    var header: [Int64] = [Int64(batch.size), Int64(dims.count)] + dims.map(Int64.init)
    header += batch.labels.map(Int64.init) + batch.indices.map(Int64.init)
    var bytes = header.withUnsafeBytes { [UInt8]($0) }
    if let f { bytes += UnsafeRawBufferPointer(start: f.data, count: f.count * MemoryLayout<Float>.stride) }
    return bytes
  }

  /// The batch (inputs empty: only labels and indices travel) and its features; nil for a rank
  /// that had no batch this round.
  static func decode(_ bytes: [UInt8]) -> (Batch, Tensor)? {
    guard bytes.count >= 16 else { return nil }
    return bytes.withUnsafeBytes { raw -> (Batch, Tensor) in
      func int(_ i: Int) -> Int { Int(raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
      let n = int(0), rank = int(1)
      let dims = (0..<rank).map { int(2 + $0) }
      let labels = (0..<n).map { int(2 + rank + $0) }, indices = (0..<n).map { int(2 + rank + n + $0) }
      let f = Tensor(uninitializedShape: [n] + dims)
      let offset = (2 + rank + 2 * n) * 8
      if f.count > 0 { UnsafeMutableRawPointer(f.data).copyMemory(from: raw.baseAddress! + offset, byteCount: f.count * 4) }
      return (Batch(inputs: Tensor(shape: [0], []), labels: labels, indices: indices), f)
    }
  }
}

/// Why the feature cache could not spill to disk.
public struct FeatureCacheError: Error, Equatable, CustomStringConvertible {
  public var reason: String
  public var description: String { "feature cache: \(reason)" }
}

/// An anonymous temporary file (created and unlinked at once) that grows by appends and is then mapped.
final class SpillFile {
  let fd: Int32
  var size = 0

  init() throws {
    var template = Array("/tmp/graft-features-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw FeatureCacheError(reason: "cannot create a temporary file: \(String(cString: strerror(errno)))") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    self.fd = fd
  }

  func append(_ t: Tensor) throws {
    var offset = 0
    let total = t.count * MemoryLayout<Float>.stride
    let raw = UnsafeRawPointer(t.data)
    while offset < total {
      let n = write(fd, raw + offset, total - offset)
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { throw FeatureCacheError(reason: "cannot write the spill file: \(String(cString: strerror(errno)))") }
      offset += n
    }
    size += total
  }

  func map() throws -> (UnsafeMutableRawPointer, Int) {
    guard size > 0 else { throw FeatureCacheError(reason: "no features to map") }
    guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
      throw FeatureCacheError(reason: "cannot map the spill file: \(String(cString: strerror(errno)))")
    }
    return (p, size)
  }

  deinit { close(fd) }
}

extension FeatureCache {
  /// Every row as one [count, features] matrix (a copy).
  public func matrix() -> Tensor {
    let out = Tensor(uninitializedShape: [count, rowCount])
    for i in 0..<count { (out.data + i * rowCount).update(from: rowPointer(i), count: rowCount) }
    return out
  }
}
