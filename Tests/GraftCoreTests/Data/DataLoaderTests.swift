import GraftCore
import Testing
import _GraftTestSupport

/// A dataset whose items 3 and 7 fail to "decode".
struct FlakyDataset: Dataset {
  struct Broken: Error, CustomStringConvertible {
    let index: Int
    var description: String { "item\(index).png: corrupt" }
  }
  var count = 10
  func label(at index: Int) -> Int? { index % 2 }
  func example(at index: Int) throws -> LabeledTensor {
    if index == 3 || index == 7 { throw Broken(index: index) }
    return LabeledTensor(input: Tensor(shape: [2], [Float(index), -Float(index)]), label: index % 2)
  }
}

@Suite struct DataLoaderTests {
  @Test func samplerIsAFunctionOfSeedAndEpoch() {
    let s = BatchSampler(count: 10, batchSize: 3, seed: 5)
    #expect(s.batches(epoch: 2) == s.batches(epoch: 2))
    #expect(s.batches(epoch: 1) != s.batches(epoch: 2))
    #expect(Set(s.batches(epoch: 0).flatMap { $0 }) == Set(0..<10))
    #expect(s.batches(epoch: 0).map(\.count) == [3, 3, 3, 1])
    var d = s
    d.dropLast = true
    #expect(d.batches(epoch: 0).map(\.count) == [3, 3, 3])
    #expect(BatchSampler(count: 4, batchSize: 2, order: .sequential).batches(epoch: 3) == [[0, 1], [2, 3]])
  }

  @Test func classBalancedSamplingEvensOutClasses() {
    let labels = [Int](repeating: 0, count: 90) + [Int](repeating: 1, count: 10)
    let s = BatchSampler(count: 100, batchSize: 100, order: .classBalanced(labels: labels), seed: 1)
    var ones = 0
    for epoch in 0..<20 { ones += s.batches(epoch: epoch)[0].filter { labels[$0] == 1 }.count }
    #expect(ones > 900 && ones < 1100)  // about half of 2000 draws
  }

  @Test func stratifiedSplitKeepsClassProportions() {
    let data = TensorDataset(inputs: Tensor.zeros([20, 1]), labels: (0..<20).map { $0 < 15 ? 0 : 1 })
    let (train, validation) = trainValidationSplit(data, validationFraction: 0.2, seed: 3)
    #expect(train.count + validation.count == 20)
    #expect(Set(train.indices).isDisjoint(with: validation.indices))
    #expect(validation.indices.filter { $0 >= 15 }.count == 1)
    #expect(validation.indices.filter { $0 < 15 }.count == 3)
    let again = trainValidationSplit(data, validationFraction: 0.2, seed: 3)
    #expect(again.validation.indices == validation.indices)
  }

  @Test func loaderSkipsAndReportsBadItemsOnce() {
    let loader = DataLoader(FlakyDataset(), sampler: BatchSampler(count: 10, batchSize: 4, order: .sequential))
    for epoch in 0..<2 {
      let batches = Array(loader.batches(epoch: epoch))
      #expect(batches.map(\.indices) == [[0, 1, 2], [4, 5, 6], [8, 9]])
      #expect(batches[1].inputs.shape == [3, 2])
      #expect(batches[1].inputs.scalars == [4, -4, 5, -5, 6, -6])
      #expect(batches[1].labels == [0, 1, 0])
    }
    #expect(loader.skipped.map(\.index) == [3, 7])
    #expect(loader.skipped.map(\.description) == ["item3.png: corrupt", "item7.png: corrupt"])
  }

  @Test func abandoningAnEpochDoesNotHang() {
    let data = TensorDataset(inputs: Tensor.zeros([100, 3]), labels: [Int](repeating: 0, count: 100))
    let loader = DataLoader(data, sampler: BatchSampler(count: 100, batchSize: 2), prefetch: 2)
    for epoch in 0..<50 {
      var it = loader.batches(epoch: epoch)
      _ = it.next()  // stop after one batch; the producer must be released
    }
    #expect(Array(loader.batches(epoch: 0)).count == 50)
  }
}
