import ArgumentParser
import Foundation
import GraftCore
import GraftVision

struct VisionPreview: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "preview",
    abstract: "Write a PNG grid of augmented samples from a class-per-folder directory.",
    discussion: """
      Takes --count files in a seeded shuffle of the folder (cycling when it has fewer), runs \
      each through the --augment steps exactly as `vision train --augment` does, resizes it to \
      --size × --size and tiles the results row by row, 2 px apart on a gray background: the \
      sheet has ⌈√count⌉ columns. The same --seed always writes the same PNG (atomically).

      Examples:
        graft vision preview --data pets/train --augment flip,crop --out grid.png
        graft vision preview --data pets/train --augment flip,crop,rotate,jitter --count 36 --size 96 --seed 7 --out grid.png
      """)

  @Option(help: ArgumentHelp("The images: one sub-directory per class.", valueName: "dir"))
  var data: String

  @Option(help: "Augmentations, comma-separated, applied in this order: flip, crop, rotate, jitter.")
  var augment: String

  @Option(help: ArgumentHelp("The PNG file to write.", valueName: "grid.png"))
  var out: String

  @Option(help: "Number of samples in the grid.")
  var count: Int = 16

  @Option(help: "Width and height of each sample in pixels (crop draws at this size).")
  var size: Int = 96

  @Option(help: "Random seed (which files, and every augmentation draw).")
  var seed: UInt64 = 42

  @Flag(help: "Print JSON: {\"out\", \"width\", \"height\", \"count\", \"sources\", \"skipped\"}.")
  var json = false

  func validate() throws {
    if !(1...1024).contains(count) { throw ValidationError("--count must lie in 1…1024") }
    if !(1...1024).contains(size) { throw ValidationError("--size must lie in 1…1024") }
    _ = try augmentation()
  }

  func augmentation() throws -> Augmentation {
    let steps = try AugmentChoice.steps(augment, size: size)
    if steps.isEmpty { throw ValidationError("--augment needs at least one of \(AugmentChoice.names.joined(separator: ", "))") }
    return Augmentation(steps)
  }

  func run() throws {
    let folder = try ImageFolder(root: data, preprocessing: ImageFolder.Preprocessing(width: size, height: size))
    let preview = try AugmentationPreview(folder: folder, augmentation: try augmentation(), count: count, size: size,
                                          seed: seed)
    try PNGEncoder.write(preview.image, to: out)
    let skipped = (folder.report.skipped + preview.skipped).map(\.description)
    if json {
      try printJSON(JSONValue.object([
        "out": .string(out), "width": .number(Double(preview.image.width)),
        "height": .number(Double(preview.image.height)), "count": .number(Double(count)),
        "sources": .array(preview.sources.map { .string($0) }), "skipped": .array(skipped.map { .string($0) }),
      ]))
    } else {
      var text = ""
      for line in skipped { text += "skipped \(line)\n" }
      text += "wrote \(out) (\(count) samples, \(preview.image.width)×\(preview.image.height))\n"
      Console.writeOutput(text)
    }
  }
}
