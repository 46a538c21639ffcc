import ArgumentParser
import Foundation
import GraftCore
import GraftVision

struct Vision: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Images: decode PNG files to .npy, show PNG headers, check image folders, train, run and evaluate classifiers, preview augmentations.",
    discussion: """
      Pixels are the raw libpng decode (palettes expanded, tRNS as alpha, no gamma), as \
      Pillow/PyTorch pipelines see them.

      Examples:
        graft vision info photo.png --json
        graft vision decode photo.png --out photo.npy --channels rgb
        graft vision folder data/train --verify decode
        graft vision preview --data data/train --augment flip,crop --out grid.png
      """,
    subcommands: [VisionDecode.self, VisionInfo.self, VisionFolder.self, VisionTrain.self, VisionPredict.self,
                  VisionEvaluate.self, VisionPreview.self])
}

/// The channel layout `vision decode` writes.
enum ChannelChoice: String, ExpressibleByArgument, CaseIterable {
  case keep, gray, rgb, rgba
}

struct VisionDecode: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "decode",
    abstract: "Decode a PNG file into an (H, W, C) uint8 .npy array (uint16 with --16bit).",
    discussion: """
      Examples:
        graft vision decode cat.png --out cat.npy
        graft vision decode scan.png --out scan.npy --channels gray --16bit
      """)

  @Argument(help: ArgumentHelp("The PNG file.", valueName: "in.png"))
  var input: String

  @Option(help: ArgumentHelp("The .npy file to write (replaced atomically).", valueName: "out.npy"))
  var out: String

  @Option(help: "Channels to write: keep (as decoded), gray, rgb or rgba.")
  var channels: ChannelChoice = .keep

  @Flag(name: .customLong("16bit"), help: "Keep 16-bit samples (uint16) instead of their high byte.")
  var sixteenBit = false

  @Flag(help: "Print a JSON summary of what was written.")
  var json = false

  func run() throws {
    var (image, warnings) = try PNGDecoder.decodeReportingWarnings(at: input, keep16: sixteenBit)
    for warning in warnings { Console.writeError("graft: \(input): warning: \(warning)\n") }
    switch channels {
    case .keep: break
    case .gray: image = image.toGray()
    case .rgb: image = image.toRGB()
    case .rgba: image = image.toRGBA()
    }
    let shape = [image.height, image.width, image.channels]
    let array: NPYArray
    switch image.pixels {
    case .uint8(let p): array = NPYArray(pixels: p, shape: shape)
    case .uint16(let p): array = NPYArray(pixels: p, shape: shape)
    }
    try NPY.write(array, to: out)
    let summary = DecodeSummary(input: input, output: out, shape: shape, dtype: array.dtype.descr,
                                warnings: warnings)
    if json {
      try printJSON(summary)
    } else {
      Console.writeOutput("\(out): \(shape.map(String.init).joined(separator: "×")) \(array.dtype.descr)\n")
    }
  }

  struct DecodeSummary: Encodable {
    var input: String
    var output: String
    var shape: [Int]
    var dtype: String
    var warnings: [String]
  }
}

struct VisionInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Print a PNG file's header: size, decoded channels, bit depth, colour type, interlace.",
    discussion: """
      Examples:
        graft vision info cat.png
        graft vision info cat.png --json
      """)

  @Argument(help: ArgumentHelp("The PNG file.", valueName: "in.png"))
  var input: String

  @Flag(help: "Print JSON: {\"path\", \"width\", \"height\", \"channels\", \"bit_depth\", \"color_type\", \"interlace\", \"transparency\"}.")
  var json = false

  func run() throws {
    let info = try PNGDecoder.info(at: input)
    let report = InfoReport(
      path: input, width: info.width, height: info.height, channels: info.decodedChannels,
      bitDepth: info.bitDepth, colorType: info.colorType.description,
      interlace: info.interlaced ? "adam7" : "none", transparency: info.hasTransparency)
    if json {
      try printJSON(report)
    } else {
      Console.writeOutput("""
        \(input)
          width         \(report.width)
          height        \(report.height)
          channels      \(report.channels)
          bit depth     \(report.bitDepth)
          colour type   \(report.colorType)
          interlace     \(report.interlace)
          transparency  \(report.transparency ? "tRNS" : "none")

        """)
    }
  }

  struct InfoReport: Encodable {
    var path: String
    var width: Int
    var height: Int
    var channels: Int
    var bitDepth: Int
    var colorType: String
    var interlace: String
    var transparency: Bool
    enum CodingKeys: String, CodingKey {
      case path, width, height, channels, interlace, transparency
      case bitDepth = "bit_depth"
      case colorType = "color_type"
    }
  }
}

/// The scan depth `vision folder` uses.
enum VerifyChoice: String, ExpressibleByArgument, CaseIterable {
  case none, header, decode
  var verification: ImageFolder.Verification {
    switch self {
    case .none: .none
    case .header: .header
    case .decode: .decode
    }
  }
}

struct VisionFolder: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "folder",
    abstract: "Scan a class-per-folder image directory: classes, counts, unreadable files, and its health: duplicates, label noise, leakage into --test, imbalance, tiny classes.",
    discussion: """
      Examples:
        graft vision folder pets/train
        graft vision folder pets/train --verify decode --json
        graft vision folder pets/train --test pets/test
      """)

  @Argument(help: ArgumentHelp("The root directory (one sub-directory per class).", valueName: "root"))
  var root: String

  @Option(help: ArgumentHelp("A test folder (same classes) to check for files identical to training files (leakage).", valueName: "dir"))
  var test: String?

  @Option(help: "How much of each PNG to check: none, header (signature and header chunks) or decode (everything).")
  var verify: VerifyChoice = .header

  @Flag(help: "Print JSON: {\"root\", \"classes\": [{\"name\", \"label\", \"count\"}], \"total\", \"imbalance_ratio\", \"skipped\": [{\"path\", \"reason\"}], \"ignored\", \"health\"} (health: duplicates, label noise, leakage, unreadable files, imbalance, tiny classes).")
  var json = false

  func run() throws {
    // Only the scan is used here; the preprocessing size is irrelevant.
    let folder = try ImageFolder(root: root, preprocessing: .init(width: 1, height: 1), verify: verify.verification)
    let report = folder.report
    let testFolder = try test.map { try ImageFolder(root: $0, preprocessing: .init(width: 1, height: 1), verify: verify.verification) }
    let health = HealthOutput.vision(folder, test: testFolder)
    if json {
      let summary = FolderSummary(
        root: root,
        classes: report.classCounts.enumerated().map { .init(name: $1.name, label: $0, count: $1.count) },
        total: report.total, imbalanceRatio: report.imbalanceRatio,
        skipped: report.skipped.map { .init(path: $0.path, reason: $0.reason.description) },
        ignored: report.ignored, health: health.json)
      try printJSON(summary)
    } else {
      var text = "\(root): \(report)\n"
      if let test, let testFolder { text += "\(test): \(testFolder.report)\n" }
      Console.writeOutput(text + HealthOutput.text(health))
    }
  }

  struct FolderSummary: Encodable {
    struct Class: Encodable { var name: String; var label: Int; var count: Int }
    struct Skipped: Encodable { var path: String; var reason: String }
    var root: String
    var classes: [Class]
    var total: Int
    var imbalanceRatio: Double
    var skipped: [Skipped]
    var ignored: [String]
    var health: JSONValue
    enum CodingKeys: String, CodingKey {
      case root, classes, total, skipped, ignored, health
      case imbalanceRatio = "imbalance_ratio"
    }
  }
}
