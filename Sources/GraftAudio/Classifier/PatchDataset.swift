import GraftCore

/// A clip decoded and cut into patches.
struct PreparedClip {
  let path: String
  let label: Int
  let patches: Patches

  var facts: ClipFacts { ClipFacts(path: path, label: label, patchCount: patches.count) }
}

/// What metrics and predictions need of a scored clip (it travels between ranks; patches do not).
struct ClipFacts: Codable {
  let path: String
  let label: Int
  let patchCount: Int
}

/// Clip labels as a dataset, for the stratified split.
struct ClipLabels: Dataset {
  let labels: [Int]
  var count: Int { labels.count }
  func example(at index: Int) throws -> Int { labels[index] }
  func label(at index: Int) -> Int? { labels[index] }
}

/// Every patch of every clip as one example `[1, L, M]` labelled with its clip's label, optionally
/// masked by SpecAugment. The masks of item i's k-th draw come from `Generator(seed:item:draw:)`,
/// so a run is reproducible whatever order or thread the loader uses.
final class PatchDataset: Dataset {
  let clips: [PreparedClip]
  /// (clip, patch) of each item.
  let items: [(clip: Int, patch: Int)]
  let augment: (SpecAugment, seed: UInt64)?
  /// The front end that cut the patches (`LogMelFrontEnd` as JSON), for the feature store's
  /// keys; empty: unknown, no item gets a content key.
  let frontEndKey: String
  private let draws: DrawCounter

  init(_ clips: [PreparedClip], augment: (SpecAugment, seed: UInt64)?, frontEndKey: String = "") {
    self.clips = clips
    self.frontEndKey = frontEndKey
    self.items = clips.enumerated().flatMap { c in (0..<c.element.patches.count).map { (c.offset, $0) } }
    self.augment = augment
    self.draws = DrawCounter(count: items.count)
  }

  var count: Int { items.count }

  func label(at index: Int) -> Int? { clips[items[index].clip].label }

  func example(at index: Int) throws -> LabeledTensor {
    let (c, p) = items[index]
    var patch = clips[c].patches.patch(p)
    if let (specAugment, seed) = augment {
      var g = Generator(seed: seed, item: index, draw: draws.next(index))
      patch = specAugment(patch, using: &g)
    }
    return LabeledTensor(input: patch, label: clips[c].label)
  }
}
