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
    try withoutGradients {
      for batch in loader.batches(epoch: 0) {
        let f = features(batch)
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
