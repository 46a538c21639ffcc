import Foundation
import GraftCore
import Testing

/// The on-disk feature cache through the CLI: `vision train` / `audio train` twice (the second
/// run skips the base), a damaged entry, `--no-cache`, `--cache-limit`, `graft cache info|clear`.
@Suite struct CacheCommandTests {
  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  static func store(_ object: [String: Any]) throws -> [String: Any] {
    try #require(object["feature_store"] as? [String: Any])
  }

  /// A small pretrained base: a bundle trained from scratch (no cache, which only serves frozen bases).
  static func visionBase(_ dir: String) throws -> String {
    let r = try GraftBinary.run([
      "vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn", "--widths", "4,8",
      "--size", "12", "--out", dir + "/base.graft", "--epochs", "1", "--batch-size", "4", "--quiet", "--no-cache",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    return dir + "/base.graft"
  }

  @Test func visionTrainReusesFeaturesAcrossRuns() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 4)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let cache = dir + "/cache", env = ["GRAFT_CACHE_DIR": dir + "/cache"]
    let base = try Self.visionBase(dir)
    func train(_ out: String, _ extra: [String] = []) throws -> [String: Any] {
      let r = try GraftBinary.run([
        "vision", "train", "--data", dir + "/shapes", "--base", base,
        "--size", "12", "--out", dir + "/" + out, "--batch-size", "4", "--json", "--quiet",
      ] + extra, environment: env)
      #expect(r.status == 0, "\(r.stderr)")
      return try Self.json(r.stdout)
    }
    let empty = try GraftBinary.run(["cache", "info", "--json"], environment: env)
    #expect(empty.status == 0)
    #expect(try Self.json(empty.stdout)["entries"] as? Int == 0)
    #expect(try Self.json(empty.stdout)["directory"] as? String == cache)

    // 12 readable images (the corrupt one is skipped): computed and written once, then read.
    let first = try Self.store(try train("a.graft"))
    #expect(first["hits"] as? Int == 0 && first["computed"] as? Int == 12 && first["written"] as? Int == 12)
    let second = try Self.store(try train("b.graft"))
    #expect(second["hits"] as? Int == 12 && second["computed"] as? Int == 0 && second["written"] as? Int == 0)
    // The same model either way.
    #expect(FileManager.default.contents(atPath: dir + "/a.graft/model.safetensors")
      == FileManager.default.contents(atPath: dir + "/b.graft/model.safetensors"))
    let info = try Self.json(try GraftBinary.run(["cache", "info", "--json"], environment: env).stdout)
    #expect(info["entries"] as? Int == 12 && (info["bytes"] as? Int ?? 0) > 12 * 8 * 4)

    // A damaged entry is found, dropped and recomputed; other preprocessing shares nothing.
    let entries = try FileManager.default.contentsOfDirectory(atPath: cache + "/features-v1").sorted()
    let victim = cache + "/features-v1/" + entries[0]
    var bytes = try #require(FileManager.default.contents(atPath: victim))
    bytes[bytes.count - 50] ^= 0xFF
    try bytes.write(to: URL(fileURLWithPath: victim))
    let repaired = try Self.store(try train("c.graft"))
    #expect(repaired["hits"] as? Int == 11 && repaired["rejected"] as? Int == 1 && repaired["written"] as? Int == 1)
    let resized = try Self.store(try train("d.graft", ["--normalize", "none"]))
    #expect(resized["hits"] as? Int == 0 && resized["computed"] as? Int == 12)

    // --no-cache: nothing read or written; --cache-limit 0 evicts everything after the run.
    #expect(try train("e.graft", ["--no-cache"])["feature_store"] is NSNull)
    let limited = try Self.store(try train("f.graft", ["--cache-limit", "0"]))
    #expect((limited["evicted"] as? Int ?? 0) >= 24)  // the 24 entries of both preprocessings, and what it wrote
    #expect(try Self.json(try GraftBinary.run(["cache", "info", "--json"], environment: env).stdout)["entries"] as? Int == 0)

    _ = try train("g.graft")
    let clear = try GraftBinary.run(["cache", "clear", "--json"], environment: env)
    let cleared = try Self.json(clear.stdout)
    #expect(clear.status == 0 && cleared["removed"] as? Int == 12)
    let text = try GraftBinary.run(["cache", "info", "--cache-dir", cache])
    #expect(text.status == 0 && text.stdout.contains("entries  0") && text.stdout.contains(cache))
    let bad = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", base,
                                   "--out", dir + "/x.graft", "--cache-limit", "lots"], environment: env)
    #expect(bad.status == 2 && bad.stderr.contains("--cache-limit"))
  }

  @Test func audioTrainReusesPatchFeatures() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-cache-audio-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for i in 0..<4 {
      try HealthCommandTests.writeWAV(dir + "/data/tone/t\(i).wav", HealthCommandTests.samples(seconds: 2, seed: UInt64(i), tone: true))
      try HealthCommandTests.writeWAV(dir + "/data/noise/n\(i).wav", HealthCommandTests.samples(seconds: 2, seed: UInt64(10 + i), tone: false))
    }
    let env = ["GRAFT_CACHE_DIR": dir + "/cache"]
    let made = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", "none", "--arch", "smallcnn",
                                    "--width-multiplier", "0.25", "--epochs", "1", "--out", dir + "/base.graft", "--no-cache"])
    #expect(made.status == 0, "\(made.stderr)")
    func train(_ out: String, _ extra: [String] = []) throws -> [String: Any] {
      let r = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", dir + "/base.graft",
                                   "--out", dir + "/" + out, "--json"] + extra, environment: env)
      #expect(r.status == 0, "\(r.stderr)")
      return try Self.json(r.stdout)
    }
    let first = try Self.store(try train("a.graft"))
    let patches = try #require(first["computed"] as? Int)
    #expect(patches >= 8 && first["hits"] as? Int == 0 && first["written"] as? Int == patches)
    let second = try Self.store(try train("b.graft"))
    #expect(second["hits"] as? Int == patches && second["computed"] as? Int == 0)
    #expect(FileManager.default.contents(atPath: dir + "/a.graft/model.safetensors")
      == FileManager.default.contents(atPath: dir + "/b.graft/model.safetensors"))
    // SpecAugment makes patches random: the store is not used.
    let augmented = try train("c.graft", ["--spec-augment"])
    #expect((augmented["feature_store"] as? [String: Any])?["hits"] as? Int ?? 0 == 0)
    #expect(augmented["feature_cache"] as? Bool == false)
  }

  /// Under `mpirun -np 2` every rank reads the shared cache, they agree on what all of them found,
  /// the rest is computed in rounds and only rank 0 writes: a partly filled cache is completed,
  /// then fully used.
  @Test(.enabled(if: DistributedCommandTests.mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func ranksShareTheCache() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 4)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let cache = dir + "/cache", env = ["GRAFT_CACHE_DIR": dir + "/cache"]
    let arguments = ["vision", "train", "--data", dir + "/shapes", "--base", try Self.visionBase(dir),
                     "--size", "12", "--batch-size", "4", "--json", "--quiet"]
    let one = try GraftBinary.run(arguments + ["--out", dir + "/one.graft"], environment: env)
    #expect(one.status == 0, "\(one.stderr)")
    let entries = try FileManager.default.contentsOfDirectory(atPath: cache + "/features-v1").sorted()
    #expect(entries.count == 12)
    for name in entries.prefix(3) { try FileManager.default.removeItem(atPath: cache + "/features-v1/" + name) }
    func mpi(_ out: String) throws -> [String: Any] {
      let r = try GraftBinary.run(executable: URL(fileURLWithPath: DistributedCommandTests.mpirun!),
                                  ["--oversubscribe", "--allow-run-as-root", "-np", "2", "-x", "GRAFT_CACHE_DIR",
                                   GraftBinary.url.path] + arguments + ["--out", dir + "/" + out], environment: env)
      #expect(r.status == 0, "\(r.stderr)")
      return try Self.json(r.stdout)
    }
    let partial = try mpi("two.graft")
    #expect(partial["world_size"] as? Int == 2)
    let counts = try Self.store(partial)
    #expect(counts["hits"] as? Int == 9 && counts["computed"] as? Int == 3 && counts["written"] as? Int == 3)
    let full = try Self.store(try mpi("three.graft"))
    #expect(full["hits"] as? Int == 12 && full["computed"] as? Int == 0)
    let names = try FileManager.default.contentsOfDirectory(atPath: cache + "/features-v1")
    #expect(names.count == 12 && names.allSatisfy { $0.hasSuffix(".f32") })  // no temporaries left
  }
}
