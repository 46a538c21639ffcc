import Foundation
import GraftCore
import Synchronization
import Testing
import _GraftTestSupport

/// `TransferRecipe.run(_:…)`: a base whose output is a sequence [N, T, D] (an embedding table),
/// a head that reads the batch's lengths, the two stages, and the recipe's trainer options.
@Suite(.serialized) struct TransferRecipeNetworkTests {
  /// Token sequences of 1…5 ids: class 0 draws from ids 1…4, class 1 from 5…8 (0 pads).
  struct Sequences: Dataset {
    let items: [[Int]]
    let labels: [Int]

    init(count: Int, seed: UInt64) {
      var g = Generator(seed: seed)
      labels = (0..<count).map { $0 % 2 }
      items = labels.map { c in (0..<(1 + g.int(below: 5))).map { _ in 1 + 4 * c + g.int(below: 4) } }
    }

    var count: Int { items.count }
    func label(at index: Int) -> Int? { labels[index] }
    func example(at index: Int) -> ([Int], Int) { (items[index], labels[index]) }

    static func collate(_ examples: [([Int], Int)], _ indices: [Int]) -> Batch {
      let t = examples.map(\.0.count).max() ?? 1
      let ids = examples.flatMap { $0.0.map(Float.init) + [Float](repeating: 0, count: t - $0.0.count) }
      return Batch(inputs: Tensor(shape: [examples.count, t], ids), labels: examples.map(\.1),
                   lengths: examples.map(\.0.count), indices: indices)
    }
  }

  /// Embedding [9, 4] (the base) → mean over each sequence's valid steps → Linear (the head).
  final class MeanOfEmbeddings: Module {
    let embedding: Embedding
    let head: Linear

    init(seed: UInt64) {
      var g = Generator(seed: seed)
      embedding = Embedding(9, 4, paddingIndex: 0, using: &g)
      head = Linear(4, 2, using: &g)
      super.init()
    }

    func callAsFunction(_ batch: Batch) -> Tensor {
      let (b, t) = (batch.inputs.shape[0], batch.inputs.shape[1])
      let lengths = batch.lengths ?? Array(repeating: t, count: b)
      let vectors = embedding(batch.inputs.scalars.map { Int($0) }, shape: [b, t])  // [B, T, 4]; padding rows are 0
      return head(vectors.sum(axis: 1) / Tensor(shape: [b, 1], lengths.map(Float.init)))
    }

    var grafted: GraftedNetwork {
      GraftedNetwork(model: self, base: embedding, blocks: [embedding]) { self($0) }
    }
  }

  /// The parameter counts `reduceGradients` was handed, one entry per optimizer step.
  final class Calls: Sendable {
    let counts = Mutex<[Int]>([])
  }

  static func run(_ recipe: TransferRecipe, seed: UInt64 = 3) throws -> (MeanOfEmbeddings, TransferStages) {
    let model = MeanOfEmbeddings(seed: seed)
    let stages = try recipe.run(model.grafted, labelNames: ["low", "high"], train: Sequences(count: 48, seed: 1),
                                validation: Sequences(count: 16, seed: 2), collate: Sequences.collate,
                                collateValidation: Sequences.collate)
    return (model, stages)
  }

  @Test func theBaseStaysFrozenWhileTheHeadTrainsThenFineTunesInItsOwnGroup() throws {
    let initial = MeanOfEmbeddings(seed: 3)
    let calls = Calls()
    var recipe = TransferRecipe(headEpochs: 4, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    recipe.reduceGradients = { parameters in calls.counts.withLock { $0.append(parameters.count) } }
    let (headOnly, stages) = try Self.run(recipe)
    #expect(headOnly.embedding.weight.scalars == initial.embedding.weight.scalars)
    #expect(headOnly.head.weight.scalars != initial.head.weight.scalars)
    #expect(stages.fineTuneHistory == nil && stages.headHistory.epochs.count == 4)
    let accuracy = try #require(stages.finalEvaluation?.metrics.accuracy)
    #expect(accuracy > 0.9, "head accuracy \(accuracy)")
    // The seam saw every step: 6 batches × 4 epochs, the head's weight and bias each time.
    #expect(calls.counts.withLock { $0 } == Array(repeating: 2, count: 24))

    // Stage 2: the embedding joins at its own rate; at rate 0 it stays put while the head moves on.
    calls.counts.withLock { $0 = [] }
    recipe.fineTune = FineTune(topBlocks: 1, epochs: 2, baseLearningRate: 0, headLearningRate: 0.05)
    let (still, stillStages) = try Self.run(recipe)
    #expect(still.embedding.weight.scalars == initial.embedding.weight.scalars)
    #expect(still.head.weight.scalars != headOnly.head.weight.scalars)
    #expect(stillStages.fineTuneHistory?.epochs.count == 2 && stillStages.fineTuneEvaluation != nil)
    #expect(calls.counts.withLock { $0 } == Array(repeating: 2, count: 24) + Array(repeating: 3, count: 12))
    recipe.fineTune?.baseLearningRate = 0.05
    let (tuned, _) = try Self.run(recipe)
    let d = 4, w = tuned.embedding.weight.scalars
    #expect(Array(w[d...]) != Array(initial.embedding.weight.scalars[d...]))
    #expect(Array(w[0..<d]) == [Float](repeating: 0, count: d))  // the padding row never trains
  }

  @Test func anUnfrozenBaseTrainsFromTheFirstEpoch() throws {
    let initial = MeanOfEmbeddings(seed: 3)
    let recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true, freezeBase: false)
    let (model, stages) = try Self.run(recipe)
    #expect(model.embedding.weight.scalars != initial.embedding.weight.scalars)
    #expect(stages.fineTuneHistory == nil)
  }

  @Test func gradientClippingReachesEveryStep() throws {
    let initial = MeanOfEmbeddings(seed: 3)
    var recipe = TransferRecipe(headEpochs: 2, headLearningRate: 0.05, batchSize: 8, seed: 5, quiet: true)
    let (free, _) = try Self.run(recipe)
    // A norm of 1e-12 leaves Adam steps of about lr · 1e-12 / ε = lr · 1e-4: the head barely moves.
    recipe.gradientClipNorm = 1e-12
    let (clipped, _) = try Self.run(recipe)
    let moved = { (m: MeanOfEmbeddings) in
      zip(m.head.weight.scalars, initial.head.weight.scalars).map { abs($0 - $1) }.max() ?? 0
    }
    #expect(moved(free) > 0.05 && moved(clipped) < 1e-3, "free \(moved(free)), clipped \(moved(clipped))")
  }

  @Test func aFeatureExtractorBaseCanTrainFromTheFirstEpochToo() throws {
    let train = SyntheticImages.make(count: 32, seed: 31), validation = SyntheticImages.make(count: 16, seed: 32)
    var g = Generator(seed: 33)
    let base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    let before = base.stateDict().filter { $0.0.hasSuffix("conv.weight") }.map { $0.1.scalars }
    let recipe = TransferRecipe(headEpochs: 1, batchSize: 16, seed: 7, quiet: true, freezeBase: false)
    let result = try recipe.run(base: base, classCount: 3, train: train, validation: validation)
    #expect(!result.usedFeatureCache)
    let after = base.stateDict().filter { $0.0.hasSuffix("conv.weight") }.map { $0.1.scalars }
    #expect(after.count == 2 && zip(after, before).allSatisfy { $0 != $1 })
  }
}
