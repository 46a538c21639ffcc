import ArgumentParser
import Foundation
import GraftCore

/// `--base` and the architecture flags every `train` command shares, parsed into a
/// `BaseSource`. The modality builds the `ArchitectureSpec` from the user's choices; this only
/// reads them.
struct BaseOptions: ParsableArguments {
  @Option(help: ArgumentHelp(
    "A bundle (NAME.graft: its base is reused), a weights file (.safetensors, .pt/.pth, .tflite; told apart by content) or none (train --arch from scratch).",
    valueName: "base"))
  var base: String

  @Option(help: "The base architecture: needed with none, and with a weights file that does not name its own (a .pt state dict).")
  var arch: String?

  @Option(help: ArgumentHelp("Block widths, comma-separated: smallcnn's blocks (default 32,64,128) or a ResNet's first stage (64).",
                             valueName: "list"))
  var widths: String?

  @Option(name: .customLong("width-multiplier"), help: "Scale every width of --arch (1: the standard network).")
  var widthMultiplier: Double?

  /// Old spellings, kept so scripts do not break: vision's `--width-mult` and `--width N`.
  @Option(name: .customLong("width-mult"), help: .hidden) var widthMultAlias: Double?
  @Option(name: .customLong("width"), help: .hidden) var widthAlias: Int?

  /// `--base` names a bundle: a directory, or a name ending in `.graft`.
  var isBundle: Bool { base.hasSuffix(".graft") || directoryExists(base) }
  var isScratch: Bool { base == "none" }

  /// The multiplier, under either spelling.
  var multiplier: Double? { widthMultiplier ?? widthMultAlias }

  /// The widths list (or the old `--width N`); a usage error when it is not positive integers.
  func widthList() throws -> [Int]? {
    if let widthAlias { return [widthAlias] }
    return try Self.parseWidths(widths)
  }

  /// A `--widths` list; a usage error when it is not positive integers.
  static func parseWidths(_ widths: String?) throws -> [Int]? {
    guard let widths else { return nil }
    let parts = widths.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
      throw ValidationError("--widths must be positive integers separated by commas")
    }
    return parts.map { $0! }
  }

  /// Usage checks shared by every modality: `none` needs `--arch`, `--arch` must be one of
  /// `architectures`, and the widths must parse.
  func validate(architectures: [String]) throws {
    if isScratch && arch == nil { throw ValidationError("--base none needs --arch") }
    if let arch, !architectures.contains(arch) {
      throw ValidationError("unknown --arch \"\(arch)\" (one of \(architectures.joined(separator: ", ")))")
    }
    if widthMultiplier != nil && widthMultAlias != nil { throw ValidationError("give --width-multiplier once") }
    if widths != nil && widthAlias != nil { throw ValidationError("give --widths once") }
    _ = try widthList()
  }

  /// The base source, the modality's `architecture` builder making the spec from `--arch` and
  /// the width flags (its errors are usage errors).
  func source(architecture: (String) throws -> ArchitectureSpec) throws -> BaseSource {
    if isBundle { return .bundle(base) }
    let spec = try arch.map { name in
      do { return try architecture(name) } catch { throw ValidationError("\(error)") }
    }
    if isScratch {
      guard let spec else { throw ValidationError("--base none needs --arch") }
      return .scratch(spec)
    }
    return .weights(base, architecture: spec)
  }

  /// How the report names the base: the argument, and the architecture asked for.
  var description: String {
    guard let arch else { return base }
    return "\(base) (\(arch)\(widths.map { " \($0)" } ?? ""))"
  }
}

func directoryExists(_ path: String) -> Bool {
  var isDirectory: ObjCBool = false
  return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
}

extension BaseOptions {
  /// What `--base none` rules out in `vision train` and `audio train`: it trains every block with
  /// the head from the first epoch (no fine-tune stage to size) and is itself the scratch model
  /// (`--compare-scratch` has nothing to compare).
  func validateScratchRules(fineTuneBlocks: Int?, fineTuneEpochs: Int?, compareScratch: Bool) throws {
    guard isScratch else { return }
    if compareScratch {
      throw ValidationError("--compare-scratch compares a pretrained base with its architecture from scratch; --base none is already that")
    }
    if fineTuneBlocks != nil || fineTuneEpochs != nil {
      throw ValidationError("--base none trains every block with the head from the first epoch: "
        + "no --fine-tune-blocks or --fine-tune-epochs (--epochs is its cap)")
    }
  }
}
