import Foundation
import GraftCore
import Testing
import _GraftTestSupport

@Suite struct ModelBundleTests {
  static func temporaryDirectory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-bundle-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func sampleConfig() -> ModelBundle.Config {
    ModelBundle.Config(
      modality: "vision", architecture: .init(name: "smallcnn", hyperparameters: ["widths": [8, 16], "input_channels": 3]),
      labels: ["cat", "dog"], preprocessing: ["mean": [0.485, 0.456, 0.406], "size": 32],
      training: ["epochs": 3])
  }

  @Test func roundTripRebuildsTheModel() throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var g = Generator(seed: 1)
    let model = SmallCNN(widths: [8, 16], using: &g)
    let path = dir + "/pets.graft"
    try ModelBundle(config: Self.sampleConfig(), model: model).write(to: path)
    #expect(FileManager.default.fileExists(atPath: path + "/config.json"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pets.graft"])  // no temp left

    let bundle = try ModelBundle.read(from: path)
    #expect(bundle.config == Self.sampleConfig())
    let widths = bundle.config.architecture.hyperparameters["widths"]!.array!.compactMap(\.int)
    var h = Generator(seed: 99)
    let rebuilt = SmallCNN(widths: widths, using: &h)
    try bundle.load(into: rebuilt, path: path)
    let x = randomTensor([2, 3, 8, 8])
    model.eval(); rebuilt.eval()
    #expect(model(x).scalars == rebuilt(x).scalars)

    // Overwriting replaces the bundle whole.
    var config = Self.sampleConfig()
    config.labels = ["a", "b"]
    try ModelBundle(config: config, model: model).write(to: path)
    #expect(try ModelBundle.read(from: path).config.labels == ["a", "b"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["pets.graft"])
  }

  @Test func readErrorsNameTheProblem() throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(throws: BundleError(path: dir + "/none.graft", reason: .missing)) { try ModelBundle.read(from: dir + "/none.graft") }
    FileManager.default.createFile(atPath: dir + "/file.graft", contents: Data())
    #expect(throws: BundleError(path: dir + "/file.graft", reason: .notADirectory)) { try ModelBundle.read(from: dir + "/file.graft") }

    let path = dir + "/m.graft"
    var g = Generator(seed: 2)
    try ModelBundle(config: Self.sampleConfig(), model: Linear(2, 2, using: &g)).write(to: path)
    try FileManager.default.removeItem(atPath: path + "/model.safetensors")
    #expect(throws: BundleError(path: path, reason: .missingFile("model.safetensors"))) { try ModelBundle.read(from: path) }

    try Data(#"{"format_version": 7, "modality": "vision"}"#.utf8).write(to: URL(fileURLWithPath: path + "/config.json"))
    #expect(throws: BundleError(path: path, reason: .unsupportedFormatVersion(7))) { try ModelBundle.read(from: path) }
    try Data("not json".utf8).write(to: URL(fileURLWithPath: path + "/config.json"))
    do {
      _ = try ModelBundle.read(from: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix(path + ": invalid config.json"))
    }
  }

  /// Labels key predictions and reports: a repeat, or two spellings equal only under Unicode
  /// normalisation, is an invalid config, not a trap in a later `Dictionary(uniqueKeysWithValues:)`.
  @Test(arguments: [["cat", "cat"], ["caf\u{E9}", "cafe\u{301}"]])
  func repeatedLabelsAreRefused(labels: [String]) throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var config = Self.sampleConfig()
    config.labels = labels
    var g = Generator(seed: 3)
    let path = dir + "/twice.graft"
    try ModelBundle(config: config, model: SmallCNN(widths: [8, 16], using: &g)).write(to: path)
    do {
      _ = try ModelBundle.read(from: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix(path + ": invalid config.json: label"), "\(error)")
      #expect(error.description.contains("U+0301") == !labels[0].utf8.elementsEqual(labels[1].utf8))
    }
  }

  @Test func mismatchedWeightsAreReported() throws {
    let dir = Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var g = Generator(seed: 3)
    let path = dir + "/m.graft"
    try ModelBundle(config: Self.sampleConfig(), model: Linear(2, 3, using: &g)).write(to: path)
    let bundle = try ModelBundle.read(from: path)
    do {
      try bundle.load(into: Linear(2, 4, using: &g), path: path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("weight expected [4, 2], got [3, 2]"))
    }
  }

  @Test func writeIntoMissingDirectoryFailsCleanly() {
    var g = Generator(seed: 4)
    #expect(throws: BundleError.self) {
      try ModelBundle(config: Self.sampleConfig(), model: Linear(1, 1, using: &g)).write(to: "/nonexistent-dir/x.graft")
    }
  }
}
