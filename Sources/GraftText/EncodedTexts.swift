import GraftCore

/// Token ids and labels held in memory, batched by `TextPreprocessing.batch`.
struct EncodedTexts: Dataset {
  struct Item {
    var ids: [Int]
    var label: Int
  }

  let sequences: [[Int]]
  let labels: [Int]

  var count: Int { sequences.count }
  func label(at index: Int) -> Int? { labels[index] }
  func example(at index: Int) -> Item { Item(ids: sequences[index], label: labels[index]) }

  /// Items padded into one batch: token ids [B, T] with each row's length.
  static func collate(_ items: [Item], _ indices: [Int]) -> Batch {
    TextPreprocessing.batch(items.map(\.ids), labels: items.map(\.label), indices: indices)
  }

  /// Every item once, in order (for evaluation).
  func loader(batchSize: Int) -> DataLoader<EncodedTexts> {
    DataLoader(self, sampler: BatchSampler(count: count, batchSize: batchSize, order: .sequential), collate: Self.collate)
  }
}
