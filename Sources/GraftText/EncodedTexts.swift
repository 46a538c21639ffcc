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

  func loader(batchSize: Int, shuffled: Bool, seed: UInt64) -> DataLoader<EncodedTexts> {
    DataLoader(self, sampler: BatchSampler(count: count, batchSize: batchSize, order: shuffled ? .shuffled : .sequential,
                                           seed: seed)) { items, indices in
      TextPreprocessing.batch(items.map(\.ids), labels: items.map(\.label), indices: indices)
    }
  }
}
