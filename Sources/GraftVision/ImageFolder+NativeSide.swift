import Foundation
import GraftImage

extension ImageFolder {
  /// The images' own size for a network trained from scratch: the most common longer side among
  /// the first `perClass` PNG files (by path) of each class folder of `root`, read from their
  /// headers (ties to the smaller side), clamped to `range`; nil when no header can be read.
  /// A pretrained base has its own input size; a random one should see the images as they are —
  /// 32×32 digits upscaled to 224 trained a small CNN to 0.21 where 32×32 gave 0.99.
  public static func nativeSide(root: String, perClass: Int = 64, range: ClosedRange<Int> = 16...224) -> Int? {
    let fm = FileManager.default
    let base = root.hasSuffix("/") ? String(root.dropLast()) : root
    guard let entries = try? fm.contentsOfDirectory(atPath: base) else { return nil }
    var counts: [Int: Int] = [:]
    for name in entries where !name.hasPrefix(".") {
      let classPath = base + "/" + name
      guard let files = try? files(under: classPath) else { continue }
      for relative in files.lazy.filter({ $0.lowercased().hasSuffix(".png") }).prefix(perClass) {
        guard let info = try? PNGDecoder.info(at: classPath + "/" + relative) else { continue }
        counts[max(info.width, info.height), default: 0] += 1
      }
    }
    guard let side = counts.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key else {
      return nil
    }
    return min(range.upperBound, max(range.lowerBound, side))
  }
}
