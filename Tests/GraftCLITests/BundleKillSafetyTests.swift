import Foundation
import GraftCore
import Testing

/// `graft text train --out X.graft` killed with SIGKILL while it replaces an existing bundle, at
/// several moments: X.graft is then the old bundle, byte for byte, or the new one, complete —
/// never a mix of the two and never missing (issue 16).
@Suite(.serialized) struct BundleKillSafetyTests {
  typealias Fixture = TextClassifierCommandTests.Fixture

  /// When to kill the second training.
  enum Moment: CustomTestStringConvertible, Sendable {
    /// As soon as the bundle's temporary directory exists.
    case temporaryDirectory
    /// As soon as it holds `name`.
    case written(String)
    /// After this fraction of a full run's duration.
    case fraction(Double)

    var testDescription: String {
      switch self {
      case .temporaryDirectory: "temporary directory created"
      case .written(let name): "\(name) written"
      case .fraction(let f): "\(Int(f * 100))% of a run"
      }
    }
  }

  func arguments(_ f: Fixture, seed: Int, out: String) -> [String] {
    ["text", "train", "--data", f.path("train.tsv"), "--embeddings", f.path("vectors.txt"), "--out", out,
     "--epochs", "2", "--hidden-size", "4", "--seed", "\(seed)", "--quiet"]
  }

  func start(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = GraftBinary.url
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// The bundle's files, or nil where one is missing.
  func files(_ bundle: String) -> (config: Data, weights: Data)? {
    guard let config = FileManager.default.contents(atPath: bundle + "/config.json"),
          let weights = FileManager.default.contents(atPath: bundle + "/model.safetensors") else { return nil }
    return (config, weights)
  }

  /// The `training.seed` a bundle's config.json records.
  func seed(_ config: Data) -> Int? {
    let object = try? JSONSerialization.jsonObject(with: config) as? [String: Any]
    return ((object?["training"] as? [String: Any])?["seed"] as? NSNumber)?.intValue
  }

  @Test func killedTrainingLeavesTheOldOrTheNewBundle() throws {
    let f = try Fixture()
    let pristine = f.path("old.graft"), reference = f.path("new.graft"), target = f.path("model.graft")
    let clock = ContinuousClock()
    #expect(try GraftBinary.run(arguments(f, seed: 1, out: pristine)).status == 0)
    let started = clock.now
    #expect(try GraftBinary.run(arguments(f, seed: 2, out: reference)).status == 0)
    let duration = clock.now - started
    let old = try #require(files(pristine)), new = try #require(files(reference))
    #expect(old.weights != new.weights && seed(old.config) == 1 && seed(new.config) == 2)

    let moments: [Moment] = [.temporaryDirectory, .written("config.json"), .written("model.safetensors"),
                             .fraction(0.2), .fraction(0.6), .fraction(0.95)]
    var outcomes: [String] = []
    for moment in moments {
      try? FileManager.default.removeItem(atPath: target)
      try FileManager.default.copyItem(atPath: pristine, toPath: target)
      let process = try start(arguments(f, seed: 2, out: target))
      let deadline = clock.now + duration * 3
      switch moment {
      case .fraction(let fraction):
        Thread.sleep(forTimeInterval: Double((duration * fraction).components.attoseconds) / 1e18
                     + Double((duration * fraction).components.seconds))
      case .temporaryDirectory, .written:
        // Poll without sleeping: the write takes milliseconds.
        watch: while process.isRunning && clock.now < deadline {
          let names = (try? FileManager.default.contentsOfDirectory(atPath: f.dir.path)) ?? []
          for name in names where name.hasPrefix(".model.graft.tmp-") {
            guard case .written(let file) = moment else { break watch }
            if FileManager.default.fileExists(atPath: f.path(name) + "/" + file) { break watch }
          }
        }
      }
      let wasRunning = process.isRunning
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      // Exactly the old bundle, or exactly the new one: both files from the same run.
      let now = try #require(files(target), "\(moment.testDescription): \(target) is missing or incomplete")
      let isOld = now.config == old.config && now.weights == old.weights
      let isNew = now.weights == new.weights && seed(now.config) == 2
      #expect(isOld || isNew, "\(moment.testDescription): a mix of the old and the new bundle")
      if isNew { #expect(throws: Never.self) { try ModelBundle.read(from: target) } }
      outcomes.append("\(moment.testDescription): \(wasRunning ? "killed" : "finished"), \(isOld ? "old" : isNew ? "new" : "mix")")
    }
    print("kill safety: " + outcomes.joined(separator: "; "))
  }
}
