import ArgumentParser
import Foundation
import GraftAudio
import GraftCore
import GraftVision

/// `graft base`: what a pretrained base file holds, and the same base as a plain safetensors
/// file that names its architecture and input.
struct Base: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "base",
    abstract: "Inspect a pretrained base (.safetensors, .pt/.pth, .tflite, bundle) or convert it to plain safetensors.",
    discussion: """
      Examples:
        graft base info mobilenet_v2_1.0_224_quant.tflite
        graft base info mn04_as_mAP_432.pt --arch mn04_as --json
        graft base convert mobilenet_v2_1.0_224_quant.tflite --out mobilenet_v2.safetensors
        graft base convert resnet18.pth --arch resnet18 --out resnet18.safetensors
      """,
    subcommands: [BaseInfo.self, BaseConvert.self])
}

/// `--arch` and the width flags of `graft base`, as `train` takes them.
struct BaseArchitectureOptions: ParsableArguments {
  @Option(help: "The architecture, for a file that does not name its own (a .pt state dict); checked against the file's.")
  var arch: String?

  @Option(help: ArgumentHelp("Block widths, comma-separated: smallcnn's blocks or a ResNet's first stage.", valueName: "list"))
  var widths: String?

  @Option(name: .customLong("width-multiplier"), help: "Scale every width of --arch (1: the standard network).")
  var widthMultiplier: Double?

  /// Every registered architecture name a base can have, vision's then audio's.
  static var names: [String] {
    var names = ImageClassifier.architectures
    for name in SoundClassifier.architectures where !names.contains(name) { names.append(name) }
    return names
  }

  func validate() throws {
    if arch == nil && (widths != nil || widthMultiplier != nil) { throw ValidationError("--widths and --width-multiplier need --arch") }
    if let arch, !Self.names.contains(arch) {
      throw ValidationError("unknown --arch \"\(arch)\" (one of \(Self.names.joined(separator: ", ")))")
    }
    _ = try candidates()
  }

  /// The architectures `--arch` and the widths describe: one per modality that has the name
  /// (smallcnn is a 3-channel vision base or a 1-channel audio base), the vision one first;
  /// `[nil]` without `--arch` (the file's own).
  func candidates() throws -> [ArchitectureSpec?] {
    guard let arch else { return [nil] }
    let widthList = try BaseOptions.parseWidths(widths)
    var specs: [ArchitectureSpec?] = []
    do {
      if ImageClassifier.architectures.contains(arch) {
        specs.append(try VisionBases.architecture(name: arch, widths: widthList, widthMultiplier: widthMultiplier))
      }
      if SoundClassifier.architectures.contains(arch) {
        specs.append(try SoundClassifier.architecture(name: arch, widths: widthList, widthMultiplier: widthMultiplier))
      }
    } catch {
      throw ValidationError("\(error)")
    }
    return specs
  }
}

struct BaseInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Print a base file's format, architecture, parameters, tensors, stated input and classes.",
    discussion: """
      The architecture is the one the file names (safetensors metadata), recognises (a .tflite graph) or \
      --arch gives, checked against the tensors. Exit 0 when the file could be read (a problem with the \
      architecture is printed), 1 when it cannot.
      """)

  @Argument(help: ArgumentHelp("A weights file or bundle (format told by content).", valueName: "file"))
  var file: String

  @OptionGroup var architecture: BaseArchitectureOptions

  @Flag(help: "Print JSON: {\"path\", \"format\", \"architecture\", \"architecture_source\", \"problem\", \"parameters\", \"tensors\" (every one: name, shape, dtype, quantization), \"inputs\", \"preprocessing\", \"classes\", \"labels\", \"labels_file\", \"metadata\", \"skipped\"}.")
  var json = false

  func run() throws {
    var info: BaseFileInfo?
    for spec in try architecture.candidates() {
      let read = try BaseFileInfo.read(file, requested: spec)
      if info == nil || read.problem == nil { info = read }
      if read.problem == nil { break }
    }
    guard let info else { return }
    let labels = try BaseInfoOutput.labels(for: info)
    if json {
      try printJSON(BaseInfoOutput.json(info, labels: labels))
    } else {
      Console.writeOutput(BaseInfoOutput.text(info, labels: labels))
    }
  }
}

struct BaseConvert: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "convert",
    abstract: "Write a base as plain float32 safetensors that names its architecture and input.",
    discussion: """
      The output loads with `graft vision train --base OUT` (or audio) and no --arch, --widths or --size. \
      The source network's classifier, when it has one, is kept (graft predict uses it).
      """)

  @Argument(help: ArgumentHelp("A weights file or bundle (format told by content).", valueName: "file"))
  var file: String

  @OptionGroup var architecture: BaseArchitectureOptions

  @Option(help: ArgumentHelp(
    "The input to record, as a JSON object in the bundle's vocabulary (vision: {\"width\": 32, \"height\": 32, \"mean\": [...], \"std\": [...]}); default: the one the file states.",
    valueName: "json"))
  var preprocessing: String?

  @Option(help: ArgumentHelp("The safetensors file to write (atomically; may be FILE itself).", valueName: "path"))
  var out: String

  @Flag(help: "Print JSON: {\"out\", \"source_format\", \"architecture\", \"preprocessing\", \"tensors\"}.")
  var json = false

  func validate() throws {
    _ = try stated()
  }

  /// `--preprocessing` as a JSON object.
  func stated() throws -> [String: JSONValue]? {
    guard let preprocessing else { return nil }
    guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(preprocessing.utf8)), let object = value.object else {
      throw ValidationError("--preprocessing must be a JSON object")
    }
    return object
  }

  func run() throws {
    let candidates = try architecture.candidates()
    var conversion: BaseSource.Conversion?
    var firstError: (any Error)?
    for spec in candidates {
      do {
        conversion = try BaseSource.convert(file, architecture: spec, preprocessing: try stated(), to: out)
        break
      } catch let error as BaseSourceError {
        guard case .weightsDoNotFit = error.reason else { throw error }
        if firstError == nil { firstError = error }
      }
    }
    guard let conversion else { throw firstError ?? ValidationError("no architecture") }
    if json {
      try printJSON(JSONValue.object([
        "out": .string(out), "source_format": .string(conversion.format.rawValue), "architecture": conversion.architecture.json,
        "preprocessing": .object(conversion.preprocessing), "tensors": .number(Double(conversion.names.count)),
      ]))
    } else {
      let modality = ImageClassifier.architectures.contains(conversion.architecture.name)
        && !(conversion.architecture.hyperparameters["input_channels"]?.int == 1) ? "vision" : "audio"
      Console.writeOutput("""
        wrote \(out): \(BaseInfoOutput.architectureText(conversion.architecture)), \(conversion.names.count) tensors (float32)
        input \(conversion.preprocessing.isEmpty ? "not stated (the modality's defaults apply)" : BaseInfoOutput.preprocessingText(conversion.preprocessing))
        train on it: graft \(modality) train --data DIR --base \(out) --out MODEL.graft

        """)
    }
  }
}
