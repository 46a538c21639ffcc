import Foundation
import GraftCore
import Synchronization
import Testing
import _GraftTestSupport

/// Items of a `TensorDataset` named by given keys, for the persistent feature cache.
struct KeyedTensors: ContentKeyedDataset {
  let data: TensorDataset
  let keys: [String?]
  let preprocessingKey: String
  var count: Int { data.count }
  func label(at index: Int) -> Int? { data.label(at: index) }
  func example(at index: Int) throws -> LabeledTensor { try data.example(at: index) }
  func contentKey(at index: Int) -> String? { keys[index] }
}

@Suite struct FeatureStoreTests {
  static func values(_ n: Int, _ offset: Float = 0) -> [Float] { (0..<n).map { Float($0) * 0.5 + offset } }

  static func write(_ store: FeatureStore, _ context: String, _ key: String, _ v: [Float]) throws {
    try v.withUnsafeBufferPointer { try store.write(context: context, key: key, shape: [v.count], values: $0) }
  }

  static func entryFiles(_ store: FeatureStore) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: store.entriesDirectory).filter { $0.hasSuffix(".f32") }.sorted()
  }

  @Test func hitMissAndStaleKeys() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let store = FeatureStore(directory: dir.path + "/cache")
    #expect(store.read(context: "c", key: "k", shape: [4]) == nil)  // nothing yet, no directory
    try Self.write(store, "c", "k", Self.values(4))
    #expect(store.read(context: "c", key: "k", shape: [4]) == Self.values(4))
    #expect(store.read(context: "c", key: "k", shape: nil) == Self.values(4))
    // Another context (base weights or preprocessing) or key: not found.
    #expect(store.read(context: "c2", key: "k", shape: [4]) == nil)
    #expect(store.read(context: "c", key: "k2", shape: [4]) == nil)
    // A shape other than the base's: rejected, deleted, recomputed by the caller.
    #expect(store.read(context: "c", key: "k", shape: [5]) == nil)
    #expect(try Self.entryFiles(store).isEmpty)
    #expect(store.statistics.snapshot.rejected == 1)
    #expect(store.info().entries == 0)
  }

  @Test func damagedEntriesAreNeverTrusted() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let store = FeatureStore(directory: dir.path)
    for (i, damage) in ["flip", "truncate", "empty", "foreign"].enumerated() {
      try Self.write(store, "c", "k\(i)", Self.values(8))
      let name = try #require(try Self.entryFiles(store).first)
      let path = store.entriesDirectory + "/" + name
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      switch damage {
      case "flip": bytes[bytes.count / 2] ^= 0x01
      case "truncate": bytes.removeLast(7)
      case "empty": bytes = []
      default:
        // A whole, valid entry of another key copied under this name (a name collision).
        try Self.write(store, "c", "other", Self.values(8, 1))
        let other = try Self.entryFiles(store).first { $0 != name }!
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: store.entriesDirectory + "/" + other)))
        try FileManager.default.removeItem(atPath: store.entriesDirectory + "/" + other)
      }
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      #expect(store.read(context: "c", key: "k\(i)", shape: [8]) == nil, "\(damage)")
      #expect(!FileManager.default.fileExists(atPath: path), "\(damage): the damaged entry is deleted")
    }
    #expect(store.statistics.snapshot.rejected == 4)
  }

  @Test func evictionDropsTheLeastRecentlyUsed() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let probe = FeatureStore(directory: dir.path + "/probe")
    try Self.write(probe, "c", "a", Self.values(16))
    let entryBytes = probe.info().bytes
    let store = FeatureStore(directory: dir.path + "/lru", limitBytes: entryBytes * 3)
    for key in ["a", "b", "c", "d"] { try Self.write(store, "c", key, Self.values(16)) }
    // Set use times explicitly: a = 100, b = 200, c = 300, d = 400; then reading a makes it the newest.
    for (t, key) in ["a", "b", "c", "d"].enumerated() {
      let name = SHA256.hash(Array("c\n\(key)".utf8)).hex + ".f32"
      let date = Date(timeIntervalSince1970: Double(100 * (t + 1)))
      try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: store.entriesDirectory + "/" + name)
    }
    #expect(store.read(context: "c", key: "a", shape: [16]) != nil)
    #expect(store.evict() == 1)
    #expect(store.info().entries == 3 && store.info().bytes <= store.limitBytes)
    #expect(store.read(context: "c", key: "b", shape: [16]) == nil)  // least recently used: gone
    for key in ["a", "c", "d"] { #expect(store.read(context: "c", key: key, shape: [16]) != nil, "\(key)") }
    #expect(store.clear() == (3, entryBytes * 3))
    #expect(store.info().entries == 0)
  }

  @Test func concurrentWritersNeverLeaveAHalfEntry() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let store = FeatureStore(directory: dir.path)
    let keys = (0..<24).map { "item\($0)" }
    let bad = Mutex(0)
    DispatchQueue.concurrentPerform(iterations: 4) { worker in
      for round in 0..<6 {
        for (i, key) in keys.enumerated() {
          let v = Self.values(64, Float(i))
          if (worker + round) % 2 == 0 {
            try? Self.write(store, "c", key, v)
          } else if let read = store.read(context: "c", key: key, shape: [64]), read != v {
            bad.withLock { $0 += 1 }
          }
        }
      }
    }
    #expect(bad.withLock { $0 } == 0)
    #expect(store.statistics.snapshot.rejected == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: store.entriesDirectory).count == keys.count)
    for (i, key) in keys.enumerated() { #expect(store.read(context: "c", key: key, shape: [64]) == Self.values(64, Float(i))) }
  }

  @Test func defaultDirectoryFollowsTheEnvironment() {
    func dir(_ env: [String: String]) -> String { FeatureStore.defaultDirectory { env[$0] } }
    #expect(dir(["GRAFT_CACHE_DIR": "/x", "XDG_CACHE_HOME": "/y", "HOME": "/h"]) == "/x")
    #expect(dir(["XDG_CACHE_HOME": "/y", "HOME": "/h"]) == "/y/graft")
    #expect(dir(["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/graft")
    #expect(dir([:]) == "/tmp/graft-cache")
  }
}

/// `FeatureCache.build(_:store:…)`: the base runs only for what the store lacks.
@Suite struct FeatureCacheStoreTests {
  static func setUp() -> (KeyedTensors, SmallCNN) {
    let data = SyntheticImages.make(count: 20, seed: 31)
    var g = Generator(seed: 2)
    let base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    base.eval()
    return (KeyedTensors(data: data, keys: (0..<20).map { "file\($0)" }, preprocessingKey: "p1"), base)
  }

  static func build(_ data: KeyedTensors, _ base: SmallCNN, _ store: FeatureStore, calls: inout Int) throws -> FeatureCache {
    let loader = DataLoader(data, sampler: BatchSampler(count: data.count, batchSize: 6, order: .sequential))
    var n = 0
    let cache = try FeatureCache.build(loader, store: FeatureStoreSession(store: store, base: base), featureShape: [8],
                                       quiet: true) { batch in
      n += batch.size
      return base.features(batch.inputs)
    }
    calls += n
    return cache
  }

  @Test func secondBuildSkipsTheBase() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let (data, base) = Self.setUp()
    let store = FeatureStore(directory: dir.path)
    var first = 0, second = 0
    let a = try Self.build(data, base, store, calls: &first)
    let b = try Self.build(data, base, store, calls: &second)
    #expect(first == 20 && second == 0)
    #expect(store.statistics.snapshot.hits == 20 && store.statistics.snapshot.written == 20)
    #expect(a.matrix().scalars == b.matrix().scalars && a.labels == b.labels && b.sourceIndices == Array(0..<20))
    // The same as without any store.
    let plain = try FeatureCache.build(DataLoader(data.data, sampler: BatchSampler(count: 20, batchSize: 6, order: .sequential)),
                                       quiet: true) { base.features($0.inputs) }
    #expect(plain.matrix().scalars == b.matrix().scalars && plain.labels == b.labels)
    // Spilled to disk when over the memory limit: the same rows.
    let loader = DataLoader(data, sampler: BatchSampler(count: 20, batchSize: 6, order: .sequential))
    let spilled = try FeatureCache.build(loader, store: FeatureStoreSession(store: store, base: base), featureShape: [8],
                                         memoryLimitBytes: 64, quiet: true) { base.features($0.inputs) }
    #expect(spilled.isSpilled && spilled.matrix().scalars == b.matrix().scalars)
  }

  @Test func damagedOrStaleEntriesAreRecomputed() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let (data, base) = Self.setUp()
    let store = FeatureStore(directory: dir.path)
    var calls = 0
    let reference = try Self.build(data, base, store, calls: &calls)
    // Damage three entries: exactly those three items go through the base again.
    let names = try FileManager.default.contentsOfDirectory(atPath: store.entriesDirectory).sorted().prefix(3)
    for name in names {
      let path = store.entriesDirectory + "/" + name
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      bytes[bytes.count - 40] ^= 0x80
      try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    calls = 0
    let repaired = try Self.build(data, base, store, calls: &calls)
    #expect(calls == 3 && repaired.matrix().scalars == reference.matrix().scalars)
    // Another preprocessing: nothing of the old entries is used.
    calls = 0
    _ = try Self.build(KeyedTensors(data: data.data, keys: data.keys, preprocessingKey: "p2"), base, store, calls: &calls)
    #expect(calls == 20)
    // Other base weights: nothing used either.
    base.stateDict()[0].1.data[0] += 1
    calls = 0
    _ = try Self.build(data, base, store, calls: &calls)
    #expect(calls == 20)
    // Items without a key are always computed and never written.
    calls = 0
    let unkeyed = KeyedTensors(data: data.data, keys: (0..<20).map { $0 < 5 ? nil : "file\($0)" }, preprocessingKey: "p1")
    _ = try Self.build(unkeyed, base, store, calls: &calls)
    #expect(calls == 5)
  }

  @Test func recipeUsesTheStore() throws {
    let dir = try TemporaryDirectory("graft-store")
    defer { dir.remove() }
    let (data, base) = Self.setUp()
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.01, batchSize: 8, seed: 5, quiet: true)
    recipe.featureStore = FeatureStore(directory: dir.path)
    let validation = KeyedTensors(data: SyntheticImages.make(count: 9, seed: 32), keys: (0..<9).map { "v\($0)" },
                                  preprocessingKey: "p1")
    let first = try recipe.run(base: base, classCount: 3, train: data, validation: validation)
    let second = try recipe.run(base: base, classCount: 3, train: data, validation: validation)
    let counts = recipe.featureStore!.statistics.snapshot
    #expect(counts.written == 29 && counts.hits == 29 && counts.misses == 29)
    assertClose(first.model.head.parameters()[0], second.model.head.parameters()[0], tolerance: 0)
  }
}
