import Foundation
import Testing

/// `graft distributed check` alone and under `mpirun -np 2`: collectives, a data-parallel run
/// equal to the single-process one up to summation order, identical ranks, and a failing rank
/// ending the whole job with a message naming it.
@Suite(.serialized) struct DistributedCommandTests {
  static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  static func mpi(_ n: Int, _ arguments: [String]) throws -> CLIResult {
    try GraftBinary.run(executable: URL(fileURLWithPath: mpirun!),
                        ["--oversubscribe", "--allow-run-as-root", "-np", "\(n)", GraftBinary.url.path] + arguments)
  }

  static func report(_ result: CLIResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
  }

  static func losses(_ rank: [String: Any]) -> [Double] { rank["losses"] as? [Double] ?? [] }

  @Test func singleProcessCheckPasses() throws {
    let result = try GraftBinary.run(["distributed", "check", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try Self.report(result)
    #expect(json["world_size"] as? Int == 1 && json["ok"] as? Bool == true)
  }

  @Test(.enabled(if: mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func twoProcessesAgreeWithEachOtherAndWithOne() throws {
    let one = try Self.report(try GraftBinary.run(["distributed", "check", "--json"]))
    let result = try Self.mpi(2, ["distributed", "check", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    let two = try Self.report(result)
    #expect(two["world_size"] as? Int == 2 && two["ok"] as? Bool == true)
    let ranks = try #require(two["ranks"] as? [[String: Any]])
    #expect(ranks.count == 2 && ranks.allSatisfy { ($0["failures"] as? [String])?.isEmpty == true })
    #expect(Set(ranks.compactMap { $0["parameter_hash"] as? String }).count == 1)
    #expect(Set(ranks.compactMap { $0["batch_norm_hash"] as? String }).count == 1)
    // Only the summation order of the gradients differs from one process.
    let reference = Self.losses(try #require((one["ranks"] as? [[String: Any]])?.first))
    let distributed = Self.losses(ranks[0])
    #expect(reference.count == 4 && distributed.count == 4)
    for (a, b) in zip(reference, distributed) { #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(reference) vs \(distributed)") }
    // Rank 0 alone printed: one JSON document.
    #expect(result.stdout.components(separatedBy: "\"world_size\"").count == 2)
  }

  @Test(.enabled(if: mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func aFailingRankEndsTheJobNamingIt() throws {
    let result = try Self.mpi(2, ["distributed", "check", "--fail-rank", "1"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("graft: rank 1 of 2: deliberate failure (--fail-rank 1)"), "\(result.stderr)")
    #expect(!result.stdout.contains("ranks agree"))
  }

  /// A real train command: features of the frozen SampleData base extracted in rounds (half the
  /// batches per rank, gathered), the head trained data-parallel: the same losses as one process
  /// up to summation order, one bundle, one JSON document.
  @Test(.enabled(if: mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func visionTransferUnderTwoProcessesMatchesOne() throws {
    let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("SampleData/vision").path
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-mpi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let arguments = ["vision", "train", "--data", sample + "/train", "--base", sample + "/base.safetensors", "--arch", "smallcnn",
                     "--widths", "16,32,64", "--size", "32", "--epochs", "4", "--head-solver", "adam", "--json", "--quiet"]
    let one = try GraftBinary.run(arguments + ["--out", dir + "/one.graft"])
    #expect(one.status == 0, "\(one.stderr)")
    let two = try Self.mpi(2, arguments + ["--out", dir + "/two.graft"])
    #expect(two.status == 0, "\(two.stderr)")
    #expect(two.stdout.components(separatedBy: "\"bundle\"").count == 2, "one JSON document: \(two.stdout)")
    #expect(try Self.report(two)["world_size"] as? Int == 2)
    #expect(try Self.report(one)["world_size"] as? Int == 1)
    func losses(_ bundle: String) throws -> [Double] {
      let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + bundle + "/config.json"))
      let config = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
      let epochs = try #require(((config["training"] as? [String: Any])?["head"] as? [String: Any])?["epochs"] as? [[String: Any]])
      return epochs.compactMap { $0["train_loss"] as? Double }
    }
    let a = try losses("one.graft"), b = try losses("two.graft")
    #expect(a.count == 4 && b.count == 4)
    for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5 * max(1, abs(x)), "\(a) vs \(b)") }
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty, "\(leftovers)")
  }

  /// `graft predict` under `mpirun -np 2`: each rank predicts its share, rank 0 prints them all in
  /// input order — the same JSON as one process, an unreadable file reported once.
  @Test(.enabled(if: mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func predictSharesTheFilesAndPrintsThemInOrder() throws {
    let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("SampleData/vision").path
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-mpi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let trained = try GraftBinary.run(["vision", "train", "--data", sample + "/train", "--base", sample + "/base.safetensors",
                                       "--arch", "smallcnn", "--widths", "16,32,64", "--size", "32", "--epochs", "2",
                                       "--quiet", "--out", dir + "/m.graft"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let classes = try FileManager.default.contentsOfDirectory(atPath: sample + "/test").sorted()
    var files = try classes.flatMap { c in
      try FileManager.default.contentsOfDirectory(atPath: sample + "/test/" + c).sorted().prefix(2).map { sample + "/test/\(c)/\($0)" }
    }
    files.insert(dir + "/missing.png", at: 3)
    let arguments = ["predict", dir + "/m.graft"] + files + ["--top", "2", "--json"]
    let one = try GraftBinary.run(arguments), two = try Self.mpi(2, arguments)
    #expect(one.status == 1 && two.status != 0)
    #expect(!one.stdout.isEmpty && two.stdout == one.stdout)
    #expect(two.stderr.components(separatedBy: "missing.png").count == 2, "\(two.stderr)")
  }

  /// `graft evaluate` under `mpirun -np 2`: each rank evaluates its share of the files, the rows
  /// are gathered: the same metrics, confusion and skipped files as one process (the mean loss
  /// up to summation order), printed once.
  @Test(.enabled(if: mpirun != nil, "mpirun not installed (apt-get install openmpi-bin)"))
  func evaluateSharesTheFilesAndMatchesOneProcess() throws {
    let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("SampleData/vision").path
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-mpi-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let trained = try GraftBinary.run(["vision", "train", "--data", sample + "/train", "--base", sample + "/base.safetensors",
                                       "--arch", "smallcnn", "--widths", "16,32,64", "--size", "32", "--epochs", "2",
                                       "--quiet", "--out", dir + "/m.graft"])
    #expect(trained.status == 0, "\(trained.stderr)")
    // The test split, with a file that passes the header scan but fails to decode.
    try FileManager.default.copyItem(atPath: sample + "/test", toPath: dir + "/test")
    let first = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/test").sorted().first)
    let victim = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/test/" + first).sorted().last)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/test/\(first)/\(victim)"))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/test/\(first)/\(victim)"))
    let arguments = ["evaluate", dir + "/m.graft", "--data", dir + "/test", "--batch-size", "7", "--json"]
    let one = try GraftBinary.run(arguments), two = try Self.mpi(2, arguments)
    #expect(one.status == 0 && two.status == 0, "\(one.stderr)\n\(two.stderr)")
    var a = try Self.report(one), b = try Self.report(two)
    #expect(two.stdout.components(separatedBy: "\"accuracy\"").count == 2, "one JSON document: \(two.stdout)")
    let lossA = try #require(a.removeValue(forKey: "loss") as? Double), lossB = try #require(b.removeValue(forKey: "loss") as? Double)
    #expect(abs(lossA - lossB) <= 1e-6 * max(1, abs(lossA)))
    #expect((a["skipped"] as? [Any])?.count == 1, "\(a)")
    #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(a)\nvs\n\(b)")
  }
}
