import Foundation
import GraftCore
import GraftVision
import Testing

/// `--base FILE` told apart by content in `graft vision train` and `graft audio train`, the
/// shared width flags and their old spellings, and `graft vision predict/evaluate`.
@Suite struct BaseSourceCommandTests {
  static let smallcnn = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [4]])

  @Test func visionWeightsFilesNameTheirArchitectureOrNeedArch() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let base = try ArchitectureRegistry.makeBase(Self.smallcnn)
    let tensors = Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1) })
    let spec = String(decoding: try JSONEncoder().encode(Self.smallcnn.json), as: UTF8.self)
    // A safetensors file that names its architecture: no --arch, no widths.
    try SafeTensors.write(tensors, metadata: ["architecture": spec], to: dir + "/named.bin")
    let train = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/named.bin",
                                     "--size", "12", "--epochs", "1", "--fine-tune-blocks", "0", "--out", dir + "/n.graft",
                                     "--quiet", "--json"])
    #expect(train.status == 0, "\(train.stderr)")
    let stored = try SafeTensors.read(dir + "/n.graft/model.safetensors").tensors
    #expect(tensors.allSatisfy { stored["base." + $0.key]?.scalars == $0.value.scalars })

    // A file that does not say: one line naming it and what to do, exit 1.
    try SafeTensors.write(tensors, to: dir + "/bare.safetensors")
    let bare = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/bare.safetensors",
                                    "--size", "12", "--out", dir + "/b.graft", "--quiet"])
    #expect(bare.status == 1 && bare.stderr == "graft: \(dir)/bare.safetensors: a safetensors file that does not say "
      + "which network it holds; name the architecture (--arch)\n")
    // With --arch and the widths: loaded as given.
    let given = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/bare.safetensors",
                                     "--arch", "smallcnn", "--widths", "4", "--size", "12", "--epochs", "1",
                                     "--out", dir + "/g.graft", "--quiet"])
    #expect(given.status == 0, "\(given.stderr)")
    // Not a weights file at all.
    try Data("not weights".utf8).write(to: URL(fileURLWithPath: dir + "/notes.pth"))
    let notes = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/notes.pth",
                                     "--arch", "smallcnn", "--out", dir + "/x.graft", "--quiet"])
    #expect(notes.status == 1 && notes.stderr.hasPrefix("graft: \(dir)/notes.pth: not a weights file: "))
    #expect(notes.stderr.split(separator: "\n").count == 1)
    // An audio architecture is not a vision base; the old flag spellings still parse.
    let audioArch = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "vggish",
                                         "--out", dir + "/x.graft"])
    #expect(audioArch.status == 2 && audioArch.stderr.contains("unknown --arch \"vggish\""))
    let oldSpelling = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none",
                                           "--arch", "mobilenet_v2", "--width-mult", "0.25", "--size", "12", "--epochs", "1",
                                           "--validation", "0", "--out", dir + "/m.graft", "--quiet"])
    #expect(oldSpelling.status == 0, "\(oldSpelling.stderr)")
    let config = try String(contentsOfFile: dir + "/m.graft/config.json", encoding: .utf8)
    #expect(config.contains("\"width_mult\" : 0.25"), "\(config)")

    // graft vision predict / evaluate: graft predict / evaluate for vision bundles only.
    let predict = try GraftBinary.run(["vision", "predict", dir + "/n.graft", dir + "/shapes/bar/0.png", "--json"])
    #expect(predict.status == 0, "\(predict.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(predict.stdout.utf8)) as? [[String: Any]])
    #expect(entries.count == 1 && entries[0]["file"] as? String == dir + "/shapes/bar/0.png")
    let evaluate = try GraftBinary.run(["vision", "evaluate", dir + "/n.graft", "--data", dir + "/shapes", "--json"])
    #expect(evaluate.status == 0, "\(evaluate.stderr)")
    let metrics = try VisionTrainCommandTests.json(evaluate.stdout)
    #expect(metrics["count"] as? Int == 9 && (metrics["skipped"] as? [[String: Any]])?.first?["path"] as? String
      == dir + "/shapes/disc/corrupt.png")
  }

  /// A base that states its input (safetensors `preprocessing` metadata): trained without
  /// --size at the stated side and statistics, recorded in the bundle; --size and --normalize win.
  @Test func visionUsesTheBaseStatedInput() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 3)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let tensors = Dictionary(uniqueKeysWithValues: try ArchitectureRegistry.makeBase(Self.smallcnn).stateDict().map { ($0.0, $0.1) })
    let spec = String(decoding: try JSONEncoder().encode(Self.smallcnn.json), as: UTF8.self)
    try SafeTensors.write(tensors, metadata: [
      "architecture": spec, "preprocessing": #"{"width": 10, "height": 10, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]}"#,
    ], to: dir + "/stated.safetensors")
    func preprocessing(_ extra: [String]) throws -> [String: Any] {
      let out = dir + "/s\(extra.count).graft"
      let run = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", dir + "/stated.safetensors",
                                     "--epochs", "1", "--validation", "0", "--out", out, "--quiet", "--json"] + extra)
      #expect(run.status == 0, "\(run.stderr)")
      #expect(try VisionTrainCommandTests.json(run.stdout)["preprocessing"] as? NSDictionary != nil)
      let config = try VisionTrainCommandTests.json(try String(contentsOfFile: out + "/config.json", encoding: .utf8))
      return try #require(config["preprocessing"] as? [String: Any])
    }
    let stated = try preprocessing([])
    #expect(stated["width"] as? Int == 10 && stated["height"] as? Int == 10)
    #expect(stated["mean"] as? [Double] == [0.5, 0.5, 0.5] && stated["std"] as? [Double] == [0.25, 0.25, 0.25])
    let given = try preprocessing(["--size", "12", "--normalize", "imagenet"])
    #expect(given["width"] as? Int == 12 && (given["mean"] as? [Double])?.first.map { abs($0 - 0.485) < 1e-6 } == true)
    let bad = try GraftBinary.run(["vision", "train", "--data", dir + "/shapes", "--base", "none", "--arch", "smallcnn",
                                   "--normalize", "zscore", "--out", dir + "/x.graft"])
    #expect(bad.status == 2)
  }

  @Test func visionSubcommandsRefuseOtherModalities() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 1)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var g = Generator(seed: 0)
    let base = SmallCNN(inputChannels: 1, widths: [4], using: &g)
    let path = dir + "/sound.graft"
    try ModelBundle(config: ModelBundle.Config(modality: "audio", architecture: ArchitectureSpec(name: "smallcnn"),
                                               labels: ["a", "b"]), model: base).write(to: path)
    let predict = try GraftBinary.run(["vision", "predict", path, dir + "/shapes/bar/0.png"])
    #expect(predict.status == 1 && predict.stderr == "graft: \(path): this bundle's modality is audio, expected vision\n")
  }

  /// `graft audio train --base FILE`: the same loader; the file names its network.
  @Test func audioReadsTheBaseArchitectureFromTheFile() throws {
    let audio = try AudioTrainCommandTests()
    let dir = audio.directory
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try audio.writeData()
    let spec = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 1, "widths": [4, 4]])
    let base = try ArchitectureRegistry.makeBase(spec)
    let tensors = Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1) })
    try SafeTensors.write(tensors, metadata: ["architecture": String(decoding: try JSONEncoder().encode(spec.json), as: UTF8.self)],
                          to: dir + "/base.safetensors")
    let run = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", dir + "/base.safetensors",
                                   "--fine-tune-blocks", "0", "--out", dir + "/a.graft", "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    let stored = try SafeTensors.read(dir + "/a.graft/model.safetensors").tensors
    #expect(tensors.allSatisfy { stored["base." + $0.key]?.scalars == $0.value.scalars })
    // A vision architecture named by the file is refused by name.
    try SafeTensors.write(tensors, metadata: ["arch": "resnet18"], to: dir + "/vision.safetensors")
    let vision = try GraftBinary.run(["audio", "train", "--data", dir + "/data", "--base", dir + "/vision.safetensors",
                                      "--out", dir + "/v.graft", "--quiet"])
    #expect(vision.status == 1 && vision.stderr.hasPrefix("graft: \(dir)/vision.safetensors: resnet18 is not a base for this modality"))
  }
}
