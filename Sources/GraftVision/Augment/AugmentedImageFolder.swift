import GraftCore
import Synchronization

/// Some items of an `ImageFolder`, each decoded, run through an `Augmentation`, then through the
/// folder's `Preprocessing`.
///
/// The data loader asks for items from a background thread and in shuffled order, so a single
/// shared generator would make the draws depend on timing. Instead each item gets its own
/// generator, seeded from `(seed, item, visit)`, where `visit` counts how often that item has been
/// produced. A training epoch visits every item once, so `visit` is the epoch number: every epoch
/// sees new draws, and a rerun with the same seed sees exactly the same images.
public struct AugmentedImageFolder: Dataset {
  public let folder: ImageFolder
  /// Positions in `folder.items`.
  public let indices: [Int]
  public let augmentation: Augmentation
  public let seed: UInt64
  private let visits: Visits

  final class Visits: Sendable {
    let counts: Mutex<[Int]>
    init(_ n: Int) { counts = Mutex(Array(repeating: 0, count: n)) }
    func next(_ i: Int) -> Int { counts.withLock { c in defer { c[i] += 1 }; return c[i] } }
  }

  public init(folder: ImageFolder, indices: [Int], augmentation: Augmentation, seed: UInt64) {
    precondition(indices.allSatisfy { folder.items.indices.contains($0) }, "AugmentedImageFolder: index out of range")
    self.folder = folder
    self.indices = indices
    self.augmentation = augmentation
    self.seed = seed
    visits = Visits(indices.count)
  }

  public var count: Int { indices.count }

  public func label(at index: Int) -> Int? { folder.items[indices[index]].label }

  /// The seed of the generator for `item`'s `visit`-th draw (SplitMix-style mixing).
  static func itemSeed(_ seed: UInt64, _ item: Int, _ visit: Int) -> UInt64 {
    var z = seed &+ UInt64(truncatingIfNeeded: item) &* 0x9E37_79B9_7F4A_7C15
      &+ UInt64(truncatingIfNeeded: visit) &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  public func example(at index: Int) throws -> LabeledTensor {
    let item = folder.items[indices[index]]
    var image = try PNGDecoder.decode(at: item.path)
    if !augmentation.steps.isEmpty {
      var g = Generator(seed: Self.itemSeed(seed, indices[index], visits.next(index)))
      image = augmentation.apply(to: image.to8Bit().converted(to: folder.preprocessing.layout), using: &g)
    }
    return LabeledTensor(input: folder.preprocessing.apply(to: image), label: item.label)
  }
}
