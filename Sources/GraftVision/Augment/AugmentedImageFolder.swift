import GraftCore

/// Some items of an `ImageFolder`, each decoded, run through an `Augmentation`, then through the
/// folder's `Preprocessing`.
///
/// The data loader asks for items from a background thread and in shuffled order, so a single
/// shared generator would make the draws depend on timing. Instead each item gets its own
/// generator, `Generator(seed:item:draw:)`, where `draw` counts how often that item has been
/// produced (`DrawCounter`). A training epoch visits every item once, so `draw` is the epoch
/// number: every epoch sees new draws, and a rerun with the same seed sees exactly the same images.
public struct AugmentedImageFolder: Dataset {
  public let folder: ImageFolder
  /// Positions in `folder.items`.
  public let indices: [Int]
  public let augmentation: Augmentation
  public let seed: UInt64
  private let visits: DrawCounter

  public init(folder: ImageFolder, indices: [Int], augmentation: Augmentation, seed: UInt64) {
    precondition(indices.allSatisfy { folder.items.indices.contains($0) }, "AugmentedImageFolder: index out of range")
    self.folder = folder
    self.indices = indices
    self.augmentation = augmentation
    self.seed = seed
    visits = DrawCounter(count: indices.count)
  }

  public var count: Int { indices.count }

  public func label(at index: Int) -> Int? { folder.items[indices[index]].label }

  public func example(at index: Int) throws -> LabeledTensor {
    let item = folder.items[indices[index]]
    var image = try PNGDecoder.decode(at: item.path)
    if !augmentation.steps.isEmpty {
      var g = Generator(seed: seed, item: indices[index], draw: visits.next(index))
      image = augmentation.apply(to: image.to8Bit().converted(to: folder.preprocessing.layout), using: &g)
    }
    return LabeledTensor(input: folder.preprocessing.apply(to: image), label: item.label)
  }
}
