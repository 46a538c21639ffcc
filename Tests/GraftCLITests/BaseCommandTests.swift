import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// `graft base info` and `graft base convert` on tiny files written here, the committed
/// PyTorch/TFLite reader fixtures, Graft's SampleData bases and (when `../shared` is there) the
/// real ImageNet MobileNetV2 `.tflite` and AudioSet mn04 `.pt`.
@Suite struct BaseCommandTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  static let coreFixtures = repository + "/Tests/GraftCoreTests/Fixtures"

  static func temporaryDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "graft-base-cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// A safetensors file whose tensors are all F16 (`SafeTensors.write` writes F32 only).
  static func writeF16(_ tensors: [String: Tensor], metadata: [String: String], to path: String) throws {
    var parts: [String] = []
    if !metadata.isEmpty {
      parts.append("\"__metadata__\":" + String(decoding: try JSONEncoder().encode(metadata), as: UTF8.self))
    }
    var data: [UInt8] = []
    for name in tensors.keys.sorted() {
      let tensor = tensors[name]!
      let start = data.count
      for x in tensor.scalars {
        let bits = Float16(x).bitPattern
        data += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
      }
      parts.append("\"\(name)\":{\"dtype\":\"F16\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(start),\(data.count)]}")
    }
    var header = Array("{\(parts.joined(separator: ","))}".utf8)
    while header.count % 8 != 0 { header.append(0x20) }
    var bytes: [UInt8] = (0..<8).map { UInt8((header.count >> (8 * $0)) & 0xFF) }
    bytes += header + data
    try Data(bytes).write(to: URL(fileURLWithPath: path))
  }

  /// An F16 safetensors smallcnn that names its architecture and input: info shows the file's
  /// dtype and what the metadata states; convert widens to F32 exactly and the result loads with
  /// no architecture given.
  @Test func f16SafetensorsInfoAndConvert() throws {
    GraftVision.registerArchitectures()
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let spec = ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [4, 6]])
    let state = Dictionary(uniqueKeysWithValues: try ArchitectureRegistry.makeBase(spec).stateDict().map { ($0.0, $0.1) })
    let stated: [String: JSONValue] = ["width": 8, "height": 8, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]]
    try Self.writeF16(state, metadata: try BaseSource.metadata(architecture: spec, preprocessing: stated), to: dir + "/half.safetensors")

    let info = try GraftBinary.run(["base", "info", dir + "/half.safetensors", "--json"])
    #expect(info.status == 0, "\(info.stderr)")
    let object = try Self.json(info.stdout)
    #expect(object["format"] as? String == "safetensors" && object["architecture_source"] as? String == "metadata")
    #expect((object["architecture"] as? [String: Any])?["name"] as? String == "smallcnn")
    #expect(object["problem"] is NSNull)
    let tensors = try #require(object["tensors"] as? [[String: Any]])
    #expect(tensors.count == state.count && tensors.allSatisfy { $0["dtype"] as? String == "F16" })
    let conv = try #require(tensors.first { $0["name"] as? String == "blocks.0.conv.weight" })
    #expect(conv["shape"] as? [Int] == [4, 3, 3, 3])
    #expect(object["parameters"] as? Int == state.values.reduce(0) { $0 + $1.count })
    #expect((object["preprocessing"] as? [String: Any])?["width"] as? Int == 8)
    #expect(object["classes"] is NSNull)

    let text = try GraftBinary.run(["base", "info", dir + "/half.safetensors"])
    #expect(text.status == 0 && text.stdout.contains("smallcnn (input_channels 3, widths [4, 6]) (named in the file's metadata)"),
            "\(text.stdout)")
    #expect(text.stdout.contains("8×8, mean [0.5, 0.5, 0.5], std [0.25, 0.25, 0.25]"), "\(text.stdout)")
    #expect(text.stdout.contains("F16 ×\(state.count)"), "\(text.stdout)")

    let convert = try GraftBinary.run(["base", "convert", dir + "/half.safetensors", "--out", dir + "/plain.safetensors", "--json"])
    #expect(convert.status == 0, "\(convert.stderr)")
    let header = try SafeTensors.readHeader(dir + "/plain.safetensors")
    #expect(header.entries.allSatisfy { $0.dtype == .float32 } && Set(header.names) == Set(state.keys))
    #expect(header.metadata["preprocessing"] == (try BaseSource.metadata(architecture: spec, preprocessing: stated))["preprocessing"])
    let loaded = try BaseSource.weights(dir + "/plain.safetensors").load()
    #expect(loaded.preprocessing == stated)
    for (key, value) in loaded.network.stateDict() {
      #expect(value.scalars == state[key]?.scalars.map { Float(Float16($0)) }, "\(key)")
    }
  }

  /// A bare torchvision-style ResNet state dict with its `fc`: info cannot tell the architecture
  /// without --arch and says how to name it; with --arch it checks the fit, counts the classes
  /// and names them from `imagenet_labels.txt` beside it; convert keeps the classifier and loads
  /// back strictly with the same weights.
  @Test func bareResNetNeedsArchThenConverts() throws {
    GraftVision.registerArchitectures()
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var spec = try VisionBases.architecture(name: "resnet18", widths: [4])
    spec.hyperparameters["classes"] = 5
    let network = try ArchitectureRegistry.makeBase(spec)
    var generator = Generator(seed: 3)
    for (_, tensor) in network.stateDict() {
      for i in 0..<tensor.count { tensor.data[i] = generator.uniform(-1, 1) }
    }
    let state = Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.0, $0.1) })
    try SafeTensors.write(state, to: dir + "/resnet.safetensors")
    try "sky\nsea\nsand\nstone\nsnow\n".write(toFile: dir + "/" + ImageClassifier.labelFileName, atomically: true, encoding: .utf8)

    let bare = try GraftBinary.run(["base", "info", dir + "/resnet.safetensors"])
    #expect(bare.status == 0, "\(bare.stderr)")
    #expect(bare.stdout.contains("architecture   cannot tell: the file does not say which network it holds; name it with --arch NAME (resnet18,"),
            "\(bare.stdout)")
    #expect(bare.stdout.contains("5 (the classifier's outputs"), "\(bare.stdout)")
    let bareConvert = try GraftBinary.run(["base", "convert", dir + "/resnet.safetensors", "--out", dir + "/x.safetensors"])
    #expect(bareConvert.status == 1 && bareConvert.stderr == "graft: \(dir)/resnet.safetensors: a safetensors file that does not "
      + "say which network it holds; name the architecture (--arch)\n")

    let given = try GraftBinary.run(["base", "info", dir + "/resnet.safetensors", "--arch", "resnet18", "--widths", "4", "--json"])
    #expect(given.status == 0, "\(given.stderr)")
    let object = try Self.json(given.stdout)
    #expect(object["architecture_source"] as? String == "given" && object["problem"] is NSNull)
    #expect(object["classes"] as? Int == 5 && object["labels"] as? [String] == ["sky", "sea", "sand", "stone", "snow"])
    // The wrong width: the file is read, the misfit named.
    let wrong = try GraftBinary.run(["base", "info", dir + "/resnet.safetensors", "--arch", "resnet18", "--json"])
    #expect(wrong.status == 0)
    #expect((try Self.json(wrong.stdout)["problem"] as? String)?.contains("weights do not fit resnet18") == true, "\(wrong.stdout)")

    let convert = try GraftBinary.run(["base", "convert", dir + "/resnet.safetensors", "--arch", "resnet18", "--widths", "4",
                                       "--out", dir + "/converted.safetensors"])
    #expect(convert.status == 0, "\(convert.stderr)")
    #expect(convert.stdout.contains("graft vision train --data DIR --base \(dir)/converted.safetensors"), "\(convert.stdout)")
    let read = try BaseSource.readWeights(dir + "/converted.safetensors")
    #expect(read.architecture == (try VisionBases.architecture(name: "resnet18", widths: [4])))
    #expect(read.tensors.count == state.count && state.allSatisfy { read.tensors[$0.key]?.scalars == $0.value.scalars })
    let loaded = try BaseSource.weights(dir + "/converted.safetensors").load()
    let original = try BaseSource.weights(dir + "/resnet.safetensors", architecture: read.architecture).load()
    let expected = Dictionary(uniqueKeysWithValues: original.network.stateDict().map { ($0.0, $0.1.scalars) })
    #expect(loaded.network.stateDict().allSatisfy { expected[$0.0] == $0.1.scalars })
    // The converted file is a bare network with its classifier: graft predict takes it as is.
    let info = try GraftBinary.run(["base", "info", dir + "/converted.safetensors"])
    #expect(info.stdout.contains(#"5, names from imagenet_labels.txt: "sky", "sea", "sand", "stone", …"#), "\(info.stdout)")
  }

  /// The committed reader fixtures: a PyTorch file's own dtypes and non-tensor entries, a TFLite
  /// file's types and quantization (per tensor and per axis); errors name the file.
  @Test func readerFixtures() throws {
    let dtypes = try GraftBinary.run(["base", "info", Self.coreFixtures + "/pytorch/dtypes.pt", "--json"])
    #expect(dtypes.status == 0, "\(dtypes.stderr)")
    let object = try Self.json(dtypes.stdout)
    #expect(object["format"] as? String == "pytorch" && object["architecture"] is NSNull)
    #expect((object["problem"] as? String)?.contains("does not say which network it holds") == true)
    let names = Set((object["tensors"] as? [[String: Any]] ?? []).compactMap { $0["dtype"] as? String })
    #expect(names.isSuperset(of: ["float16", "bfloat16", "float64", "int64", "uint8", "bool"]), "\(names)")

    let tflite = try GraftBinary.run(["base", "info", Self.coreFixtures + "/tflite/sample.tflite", "--json"])
    #expect(tflite.status == 0, "\(tflite.stderr)")
    let model = try Self.json(tflite.stdout)
    #expect(model["format"] as? String == "tflite" && model["architecture"] is NSNull && model["problem"] is String)
    let tensors = try #require(model["tensors"] as? [[String: Any]])
    let u8 = try #require(tensors.first { $0["name"] as? String == "u8" })
    #expect(u8["dtype"] as? String == "UINT8" && u8["shape"] as? [Int] == [2, 3])
    let q = try #require(u8["quantization"] as? [String: Any])
    #expect(q["scale"] as? [Double] == [0.5] && q["zero_point"] as? [Int] == [128])
    let perAxis = try #require(tensors.first { $0["name"] as? String == "w_ohwi" }?["quantization"] as? [String: Any])
    #expect(perAxis["scale"] as? [Double] == [0.5, 0.25] && perAxis["dimension"] as? Int == 0)
    #expect((model["inputs"] as? [[String: Any]])?.first?["name"] as? String == "input")
    let text = try GraftBinary.run(["base", "info", Self.coreFixtures + "/tflite/sample.tflite"])
    #expect(text.stdout.contains("scale 0.5, zero point 128") && text.stdout.contains("per-axis on dim 0: 2 scales 0.25…0.5"),
            "\(text.stdout)")

    let missing = try GraftBinary.run(["base", "info", "/nonexistent/base.pt"])
    #expect(missing.status == 1 && missing.stderr == "graft: /nonexistent/base.pt: no such weights file\n")
    let legacy = try GraftBinary.run(["base", "info", Self.coreFixtures + "/pytorch/legacy.pt"])
    #expect(legacy.status == 1 && legacy.stderr.hasPrefix("graft: \(Self.coreFixtures)/pytorch/legacy.pt: a legacy"))
    let usage = try GraftBinary.run(["base", "convert", Self.coreFixtures + "/pytorch/plain.pt", "--arch", "nonet", "--out", "/tmp/x"])
    #expect(usage.status == 2 && usage.stderr.contains("unknown --arch \"nonet\""))
  }

  /// Graft's own SampleData bases name their architecture (and, for vision, their input): info
  /// shows it and `--arch smallcnn --widths 16,32,64` is no longer needed.
  @Test func sampleDataBasesNameTheirArchitecture() throws {
    for (modality, channels) in [("vision", 3), ("audio", 1)] {
      let path = Self.repository + "/SampleData/\(modality)/base.safetensors"
      let info = try GraftBinary.run(["base", "info", path, "--json"])
      #expect(info.status == 0, "\(info.stderr)")
      let object = try Self.json(info.stdout)
      let spec = try #require(object["architecture"] as? [String: Any])
      let hyper = spec["hyperparameters"] as? [String: Any]
      #expect(spec["name"] as? String == "smallcnn" && hyper?["widths"] as? [Int] == [16, 32, 64]
        && hyper?["input_channels"] as? Int == channels && object["problem"] is NSNull, "\(modality)")
      if modality == "vision" {
        #expect((object["preprocessing"] as? [String: Any])?["width"] as? Int == 32)
      }
    }
  }

  @Test(.enabled(if: SharedData.has("pretrained/imagenet_mobilenet_v2"), SharedData.skipMessage("pretrained/imagenet_mobilenet_v2")))
  func imageNetMobileNetV2() throws {
    GraftVision.registerArchitectures()
    let path = try #require(SharedData.path("pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"))
    let info = try GraftBinary.run(["base", "info", path, "--json"])
    #expect(info.status == 0, "\(info.stderr)")
    let object = try Self.json(info.stdout)
    #expect((object["architecture"] as? [String: Any])?["name"] as? String == "mobilenet_v2")
    #expect(object["architecture_source"] as? String == "graph" && object["classes"] as? Int == 1001)
    #expect((object["labels"] as? [String])?.count == 1001)
    let input = try #require((object["inputs"] as? [[String: Any]])?.first)
    #expect(input["dtype"] as? String == "UINT8" && input["shape"] as? [Int] == [1, 224, 224, 3])
    #expect((input["quantization"] as? [String: Any])?["zero_point"] as? [Int] == [128])
    let preprocessing = try #require(object["preprocessing"] as? [String: Any])
    #expect(preprocessing["width"] as? Int == 224 && preprocessing["height"] as? Int == 224)
    let text = try GraftBinary.run(["base", "info", path])
    #expect(text.stdout.contains(#"1001, names from imagenet_labels.txt: "background", "tench, Tinca tinca","#) && text.stdout.contains("224×224"),
            "\(text.stdout)")

    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let convert = try GraftBinary.run(["base", "convert", path, "--out", dir + "/mobilenet_v2.safetensors"])
    #expect(convert.status == 0, "\(convert.stderr)")
    let converted = try BaseSource.weights(dir + "/mobilenet_v2.safetensors").load()
    let original = try BaseSource.weights(path).load()
    #expect(converted.preprocessing == original.preprocessing)
    let expected = Dictionary(uniqueKeysWithValues: original.network.stateDict().map { ($0.0, $0.1.scalars) })
    #expect(converted.network.stateDict().allSatisfy { expected[$0.0] == $0.1.scalars })
  }

  @Test(.enabled(if: SharedData.has("pretrained/audioset_mn04"), SharedData.skipMessage("pretrained/audioset_mn04")))
  func audioSetMN04() throws {
    let path = try #require(SharedData.path("pretrained/audioset_mn04/mn04_as_mAP_432.pt"))
    let bare = try GraftBinary.run(["base", "info", path])
    #expect(bare.status == 0 && bare.stdout.contains("cannot tell") && bare.stdout.contains("--arch NAME"), "\(bare.stdout)")
    let info = try GraftBinary.run(["base", "info", path, "--arch", "mn04_as", "--json"])
    #expect(info.status == 0, "\(info.stderr)")
    let object = try Self.json(info.stdout)
    #expect(object["problem"] is NSNull, "\(object["problem"] ?? "")")
    #expect(object["format"] as? String == "pytorch" && object["classes"] as? Int == 527)
    #expect((object["labels"] as? [String])?.first == "Speech")
    let keys = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.coreFixtures
      + "/pytorch/mn04_as_mAP_432.keys.json"))) as? [String: Any])
    #expect((object["tensors"] as? [Any])?.count == keys["count"] as? Int)
  }
}
