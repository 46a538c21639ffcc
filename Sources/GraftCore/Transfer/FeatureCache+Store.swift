import Synchronization

/// A `FeatureStore` seen from one frozen base: the base's fingerprint (SHA-256 of its
/// architecture and every parameter and buffer, names, shapes and values) computed once, lazily,
/// and combined with a dataset's `preprocessingKey` into the context of its entries.
///
/// `@unchecked Sendable`: the base is only read (its state, for the fingerprint), and the memo
/// is behind a `Mutex`.
public final class FeatureStoreSession: @unchecked Sendable {
  public let store: FeatureStore
  let base: any FeatureExtractor
  let fingerprint = Mutex<String?>(nil)

  public init(store: FeatureStore, base: any FeatureExtractor) {
    self.store = store
    self.base = base
  }

  /// The SHA-256 (hex) of the base's architecture and state.
  public var baseFingerprint: String {
    if let known = fingerprint.withLock({ $0 }) { return known }
    let value = Self.fingerprint(of: base)
    fingerprint.withLock { $0 = value }
    return value
  }

  static func fingerprint(of base: any FeatureExtractor) -> String {
    var h = SHA256()
    h.update("graft-features-v1\n\(base.architecture.json)\n\(base.featureCount)\n")
    for (name, t) in base.stateDict() {
      h.update("\(name) \(t.shape)\n")
      h.update(UnsafeRawBufferPointer(start: t.data, count: t.count * MemoryLayout<Float>.stride))
    }
    return h.finalize().hex
  }

  /// The context of a dataset's entries: this base and that preprocessing.
  public func context(preprocessing: String) -> String {
    SHA256.hash(Array("\(baseFingerprint)\n\(preprocessing)".utf8)).hex
  }
}

extension FeatureCache {
  /// `build(_:…)` through a persistent store: items of a `ContentKeyedDataset` (read in index
  /// order: `loader` must be sequential) whose features the store holds are read from it; only
  /// the rest are decoded and run through the base, and written back. Without a session, or for a
  /// dataset without content keys or a loader in another order, this is `build(_:…)`.
  ///
  /// In a data-parallel job every rank reads the store, the ranks agree (all-gather) on the items
  /// that every one of them found, the others are computed in `FeatureRounds` as usual, and only
  /// rank 0 writes, so ranks never race on an entry and all end with the same rows.
  public static func build<D: Dataset>(
    _ loader: DataLoader<D>, store session: FeatureStoreSession?, featureShape expected: [Int]?,
    memoryLimitBytes: Int = 512 << 20, quiet: Bool = false, features: (Batch) -> Tensor
  ) throws -> FeatureCache {
    guard let session, loader.sampler.order == .sequential, let keyed = loader.dataset as? any ContentKeyedDataset else {
      return try build(loader, memoryLimitBytes: memoryLimitBytes, quiet: quiet, features: features)
    }
    let dataset = loader.dataset, count = dataset.count, store = session.store
    let context = session.context(preprocessing: keyed.preprocessingKey)
    var keys = [String?](repeating: nil, count: count)
    var found = [[Float]?](repeating: nil, count: count)
    for i in 0..<count {
      keys[i] = keyed.contentKey(at: i)
      if let key = keys[i], dataset.label(at: i) != nil {
        found[i] = store.read(context: context, key: key, shape: expected)
      }
    }
    let group = ProcessGroups.current
    if group.size > 1 {
      let masks = group.allGather(found.map { $0 == nil ? 0 : 1 })
      for i in 0..<count where masks.contains(where: { $0.count != count || $0[i] == 0 }) { found[i] = nil }
    }
    let misses = (0..<count).filter { found[$0] == nil }
    store.statistics.add(count - misses.count, to: \.hits)
    store.statistics.add(misses.count, to: \.misses)
    if !quiet && count - misses.count > 0 {
      Console.writeError("features: \(count - misses.count) of \(count) from the cache (\(store.directory))\n")
    }

    var computed: FeatureCache? = nil
    if !misses.isEmpty {
      let sub = DataLoader(Subset(dataset, indices: misses),
                           sampler: BatchSampler(count: misses.count, batchSize: loader.sampler.batchSize, order: .sequential),
                           prefetch: loader.prefetch, collate: loader.collate)
      let cache = try build(sub, memoryLimitBytes: memoryLimitBytes, quiet: quiet, features: features)
      computed = cache
      if group.rank == 0 {
        for (row, local) in cache.sourceIndices.enumerated() {
          guard let key = keys[misses[local]] else { continue }
          do {
            try store.write(context: context, key: key, shape: cache.featureShape,
                            values: UnsafeBufferPointer(start: cache.rowPointer(row), count: cache.rowCount))
          } catch {
            store.statistics.failed(error.description)
            break
          }
        }
      }
    }
    if group.rank == 0 { store.evict() }
    return try assemble(found: found, computed: computed, misses: misses, labels: { dataset.label(at: $0) },
                        featureShape: computed?.featureShape ?? expected, memoryLimitBytes: memoryLimitBytes)
  }

  /// The rows in dataset order: stored ones from `found`, the others from `computed` (whose
  /// `sourceIndices` are positions in `misses`); items in neither (failed to decode) are absent.
  static func assemble(found: [[Float]?], computed: FeatureCache?, misses: [Int], labels: (Int) -> Int?,
                       featureShape: [Int]?, memoryLimitBytes: Int) throws -> FeatureCache {
    let shape = featureShape ?? found.lazy.compactMap { $0.map { [$0.count] } }.first ?? [0]
    let rowCount = Shape.count(shape)
    var computedRow = [Int: Int]()
    if let computed { for (row, local) in computed.sourceIndices.enumerated() { computedRow[misses[local]] = row } }
    var order: [Int] = [], rowLabels: [Int] = []
    for i in found.indices {
      if found[i] != nil, let label = labels(i) {
        order.append(i)
        rowLabels.append(label)
      } else if let row = computedRow[i], let computed {
        order.append(i)
        rowLabels.append(computed.labels[row])
      }
    }
    func copy(_ i: Int, to destination: UnsafeMutablePointer<Float>) {
      if let values = found[i] {
        precondition(values.count == rowCount, "FeatureCache: a stored row of \(values.count) values, rows of \(rowCount)")
        values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: rowCount) }
      } else if let computed, let row = computedRow[i] {
        destination.update(from: computed.rowPointer(row), count: rowCount)
      }
    }
    let bytes = order.count * rowCount * MemoryLayout<Float>.stride
    if bytes <= memoryLimitBytes || rowCount == 0 {
      let rows = Tensor(uninitializedShape: [order.count] + shape)
      for (j, i) in order.enumerated() { copy(i, to: rows.data + j * rowCount) }
      return FeatureCache(rows: rows, mapped: nil, mappedBytes: 0, count: order.count, featureShape: shape,
                          labels: rowLabels, sourceIndices: order)
    }
    let spill = try SpillFile()
    let chunkRows = max(1, (8 << 20) / (rowCount * MemoryLayout<Float>.stride))
    for start in stride(from: 0, to: order.count, by: chunkRows) {
      let part = order[start..<min(order.count, start + chunkRows)]
      let chunk = Tensor(uninitializedShape: [part.count] + shape)
      for (j, i) in part.enumerated() { copy(i, to: chunk.data + j * rowCount) }
      try spill.append(chunk)
    }
    let (pointer, mappedBytes) = try spill.map()
    return FeatureCache(rows: nil, mapped: pointer, mappedBytes: mappedBytes, count: order.count, featureShape: shape,
                        labels: rowLabels, sourceIndices: order)
  }
}
