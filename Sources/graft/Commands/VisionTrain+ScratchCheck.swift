import Foundation
import GraftCore
import GraftVision

/// The default policy's last question for small images: would a small CNN trained from scratch at
/// the images' own size beat the transfer? An ImageNet base sees 32×32 images upscaled 7×, and on
/// such data a scratch network can win (scikit-learn's 8×8 digits at 32×32: the frozen
/// MobileNetV2's head 0.954 on test, fine-tuning discarded; `smallcnn` from scratch at 32×32 0.993,
/// in 20 s).
struct SmallImageScratchCheck {
  /// Images whose longer side is at most this share of the base's input are "small".
  static let upscaleFactor = 3
  /// The most training images × native pixels the check spends (about 20,000 images of 32×32).
  static let budget = 20_000 * 32 * 32
  /// Scratch must beat the transfer by more than this on validation accuracy to replace it.
  static let margin = 0.01

  var side: Int
  var baseSide: Int
  var scratch: ImageClassifier.Training
  var seconds: Double
  var transferAccuracy: Double
  var scratchAccuracy: Double
  var kept: Bool { scratchAccuracy > transferAccuracy + Self.margin }

  /// Why the check does not run for this folder, or nil when it should: the images' own side
  /// `native` against the base input `baseSide` and the number of training images.
  static func skipReason(native: Int?, baseSide: Int, trainImages: Int) -> String? {
    guard let native else { return "no readable image header" }
    if native * upscaleFactor > baseSide { return "images of \(native) px are not small against the base's \(baseSide)" }
    if trainImages * native * native > budget { return "over the budget of \(budget) training pixels" }
    return nil
  }

  var text: String {
    let head = String(format: "scratch check: the images are %d×%d, upscaled %.0f× for the base; smallcnn from scratch at %d×%d "
                        + "(%.0f s) scored %.4f on validation against the transfer's %.4f", side, side,
                      Double(baseSide) / Double(side), side, side, seconds, scratchAccuracy, transferAccuracy)
    return head + (kept
      ? ": the bundle holds the scratch model (--no-scratch-check keeps the transfer)"
      : ": the transfer is kept")
  }

  var json: JSONValue {
    .object(["side": .number(Double(side)), "architecture": .string("smallcnn"), "seconds": .number(seconds),
             "accuracy": .number(scratchAccuracy), "transfer_accuracy": .number(transferAccuracy), "kept": .bool(kept)])
  }
}

extension VisionTrain {
  /// Runs the scratch check when the defaults apply (no --size, no --fine-tune-blocks, a
  /// pretrained base, a validation split) and the images are small; nil otherwise.
  func smallImageScratchCheck(transfer: ImageClassifier.Training) throws -> SmallImageScratchCheck? {
    guard scratchCheck, !baseOptions.isScratch, size == nil, resizeShorterSide == nil, fineTuneBlocks == nil,
          let transferAccuracy = transfer.metrics?.accuracy else { return nil }
    let native = ImageFolder.nativeSide(root: data)
    let baseSide = max(transfer.preprocessing.width, transfer.preprocessing.height)
    if let why = SmallImageScratchCheck.skipReason(native: native, baseSide: baseSide, trainImages: transfer.trainItems.count) {
      if !quiet && !json { Console.writeError("scratch check skipped: \(why)\n") }
      return nil
    }
    guard let side = native else { return nil }  // skipReason names a missing size
    let started = Date()
    if !quiet && !json { Console.writeError("scratch check: training smallcnn from scratch at \(side)×\(side)\n") }
    let source = BaseSource.scratch(try VisionBases.architecture(name: "smallcnn"))
    let recipe = transferRecipe(for: source, epochs: nil, lr: nil, headSolver: .auto, minimumValidationPerClass: nil,
                                batchSize: batchSize, seed: seed, quiet: quiet)
    let base = try ImageClassifier.load(source)
    let preprocessing = try ImageClassifier.preprocessing(for: base, source: source, size: side, normalization: normalize)
    let scratch = try ImageClassifier.train(base: base, on: data, recipe: recipe, fineTune: FineTuneRequest(blocks: nil, epochs: nil),
                                            preprocessing: preprocessing, augmentation: try augmentation(size: side),
                                            validationFraction: validation)
    return SmallImageScratchCheck(side: side, baseSide: baseSide, scratch: scratch, seconds: Date().timeIntervalSince(started),
                                  transferAccuracy: transferAccuracy, scratchAccuracy: scratch.metrics?.accuracy ?? 0)
  }
}
