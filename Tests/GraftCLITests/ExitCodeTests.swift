import Foundation
import Testing
import _GraftTestSupport

@Suite struct ExitCodeTests {
  @Test func helpExitsZero() throws {
    let r = try GraftBinary.run(["--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("USAGE: graft"))
    #expect(r.stdout.contains("bench") && r.stdout.contains("demo"))
  }

  @Test func unknownSubcommandIsUsageError() throws {
    let r = try GraftBinary.run(["frobnicate"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("frobnicate"))
  }

  @Test func badOptionValueIsUsageError() throws {
    let r = try GraftBinary.run(["bench", "core", "--filter", "nope"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("unknown benchmark nope"))
    let e = try GraftBinary.run(["demo", "--epochs", "0"])
    #expect(e.status == 2)
  }
}

@Suite struct CommandOutputTests {
  @Test func benchCorePrintsTheJSONContract() throws {
    let r = try GraftBinary.run(["bench", "core", "--json", "--filter", "sgemm_512", "--budget", "0.01"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let machine = try #require(object["machine"] as? [String: Any])
    #expect(machine["cores"] as? Int ?? 0 >= 1)
    let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
    #expect(benchmarks.count == 1)
    #expect(benchmarks.first?["name"] as? String == "sgemm_512")
    #expect(benchmarks.first?["unit"] as? String == "GFLOP/s")
    #expect((benchmarks.first?["value"] as? Double ?? 0) > 0)
  }

  @Test func demoLearnsTheSpirals() throws {
    let r = try GraftBinary.run(["demo", "--core", "--json", "--epochs", "30"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    // Chance is 1/3; a working tape, kernels and optimizer get well above 0.9.
    #expect((object["testAccuracy"] as? Double ?? 0) > 0.9)
    // Same seed, same result.
    let again = try GraftBinary.run(["demo", "--core", "--json", "--epochs", "30"])
    let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
    #expect(object["finalLoss"] as? Double == second["finalLoss"] as? Double)
  }
}

@Suite struct BenchVisionCommandTests {
  @Test(.enabled(if: SharedData.has("conformance/pngsuite"), SharedData.skipMessage("conformance/pngsuite")))
  func decodesAGivenFolder() throws {
    let suite = URL(fileURLWithPath: try #require(SharedData.path("conformance/pngsuite")))
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for name in ["basn2c08.png", "basn6a08.png"] {
      try FileManager.default.copyItem(at: suite.appendingPathComponent(name), to: dir.appendingPathComponent(name))
    }
    let r = try GraftBinary.run(["bench", "vision", "--json", "--filter", "png_decode_224_1thread", "--budget", "0.01",
                                 "--png-dir", dir.path])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
    #expect(benchmarks.map { $0["name"] as? String } == ["png_decode_224_1thread"])
    #expect((benchmarks.first?["value"] as? Double ?? 0) > 0)
    let bad = try GraftBinary.run(["bench", "vision", "--filter", "resnet99"])
    #expect(bad.status == 2)
  }
}

@Suite struct BenchTextCommandTests {
  @Test func tokenizesAGivenFile() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-bench-\(UUID().uuidString).txt")
    try Data(String(repeating: "I don't think it's great, but 1,000 people loved it 👍🏽.\n", count: 200).utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let r = try GraftBinary.run(["bench", "text", "--json", "--filter", "tokenize_20mb", "--budget", "0.01",
                                 "--text-file", file.path])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
    #expect(benchmarks.map { $0["unit"] as? String } == ["MB/s"])
    #expect((benchmarks.first?["value"] as? Double ?? 0) > 0)
  }
}
