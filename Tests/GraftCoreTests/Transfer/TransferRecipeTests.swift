import Foundation
import GraftCore
import Testing
import _GraftTestSupport

@Suite(.serialized) struct TransferRecipeTests {
  /// A base "pretrained" briefly on the synthetic task, so its features carry signal.
  static func pretrainedBase() throws -> SmallCNN {
    let model = TinyClassifier(seed: 21)
    let data = SyntheticImages.make(count: 150, seed: 22)
    let trainer = Trainer(model: model, optimizer: Adam(model.trainableParameters(), learningRate: 0.01),
                          options: TrainingOptions(epochs: 2, quiet: true), forward: { model($0.inputs) })
    try trainer.fit(DataLoader(data, sampler: BatchSampler(count: 150, batchSize: 16, seed: 1)))
    return model.base
  }

  @Test func cachedAndRecomputedHeadTrainingAgree() throws {
    let train = SyntheticImages.make(count: 90, seed: 23), validation = SyntheticImages.make(count: 30, seed: 24)
    let base1 = try Self.pretrainedBase(), base2 = try Self.pretrainedBase()
    let frozenBefore = base1.stateDict().map { $0.1.scalars }
    // Adam on both sides (the default would fit the cached linear head exactly).
    let recipe = TransferRecipe(headEpochs: 3, headLearningRate: 0.01, batchSize: 16, seed: 5, headSolver: nil, quiet: true)
    let cached = try recipe.run(base: base1, classCount: 3, train: train, validation: validation)
    var uncached = recipe
    uncached.cacheFeatures = false
    let recomputed = try uncached.run(base: base2, classCount: 3, train: train, validation: validation)
    #expect(cached.usedFeatureCache && !recomputed.usedFeatureCache)
    // Same batches, same features (the frozen base is deterministic): the same head.
    assertClose(cached.model.head.parameters()[0], recomputed.model.head.parameters()[0], tolerance: 1e-5)
    #expect(base1.stateDict().map { $0.1.scalars } == frozenBefore)  // frozen base untouched
    let accuracy = try #require(cached.headEvaluation?.metrics.accuracy)
    #expect(accuracy > 0.8, "head accuracy \(accuracy)")
  }

  @Test func fineTuneTrainsOnlyTheTopBlock() throws {
    let train = SyntheticImages.make(count: 60, seed: 25), validation = SyntheticImages.make(count: 30, seed: 26)
    let base = try Self.pretrainedBase()
    let bottom = base.stateDict().filter { $0.0.hasPrefix("blocks.0.") }.map { $0.1.scalars }
    let top = base.stateDict().filter { $0.0 == "blocks.1.conv.weight" }.map { $0.1.scalars }
    let bnTop = base.stateDict().filter { $0.0.hasPrefix("blocks.1.bn.") }.map { $0.1.scalars }
    let recipe = TransferRecipe(headEpochs: 1, headLearningRate: 0.01, batchSize: 16,
                                fineTune: FineTune(topBlocks: 1, epochs: 1, baseLearningRate: 1e-3, headLearningRate: 1e-3),
                                seed: 6, quiet: true)
    let result = try recipe.run(base: base, classCount: 3, train: train, validation: validation)
    #expect(result.fineTuneHistory?.epochs.count == 1)
    #expect(result.fineTuneEvaluation != nil)
    #expect(base.stateDict().filter { $0.0.hasPrefix("blocks.0.") }.map { $0.1.scalars } == bottom)
    #expect(base.stateDict().filter { $0.0 == "blocks.1.conv.weight" }.map { $0.1.scalars } != top)
    // BatchNorm stays in inference mode during fine-tuning: its statistics and affine parameters are unchanged.
    #expect(base.stateDict().filter { $0.0.hasPrefix("blocks.1.bn.") }.map { $0.1.scalars } == bnTop)
  }

  @Test func featureCacheSpillsToDiskAndReadsBack() throws {
    let data = SyntheticImages.make(count: 50, seed: 27)
    var g = Generator(seed: 1)
    let base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    base.eval()
    let loader = DataLoader(data, sampler: BatchSampler(count: 50, batchSize: 8, order: .sequential))
    let memory = try FeatureCache.build(loader, quiet: true) { base.features($0.inputs) }
    let spilled = try FeatureCache.build(loader, memoryLimitBytes: 100, quiet: true) { base.features($0.inputs) }
    #expect(!memory.isSpilled && spilled.isSpilled)
    #expect(memory.count == 50 && spilled.featureShape == [8])
    for i in [0, 17, 49] {
      #expect(try memory.example(at: i).input.scalars == spilled.example(at: i).input.scalars)
      #expect(try spilled.example(at: i).label == data.labels[i])
    }
    let direct = withoutGradients { base.features(data.inputs.slice(axis: 0, start: 17, count: 1)) }
    #expect(try spilled.example(at: 17).input.scalars == direct.scalars)
  }
}

@Suite struct TransferBundleTests {
  @Test func transferResultRoundTripsThroughABundle() throws {
    let train = SyntheticImages.make(count: 60, seed: 41), validation = SyntheticImages.make(count: 30, seed: 42)
    var g = Generator(seed: 43)
    let base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    let recipe = TransferRecipe(head: .mlp(hidden: 6, dropout: 0.2), headEpochs: 2, batchSize: 16, seed: 7, quiet: true)
    let result = try recipe.run(base: base, classCount: 3, train: train, validation: validation)
    let dir = ModelBundleTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/shapes.graft"
    try ModelBundle(transfer: result, modality: "vision", labels: ["h", "v", "blob"], preprocessing: ["size": 8])
      .write(to: path)

    let bundle = try ModelBundle.read(from: path)
    #expect(bundle.config.architecture.hyperparameters["head"] == ["kind": "mlp", "hidden": 6, "dropout": .number(Double(Float(0.2)))])
    #expect(bundle.config.training["head"]?["epochs"]?.array?.count == 2)
    let rebuilt = try bundle.makeClassifier(path: path)
    let x = validation.inputs
    let expected = withoutGradients { result.model(x) }, actual = withoutGradients { rebuilt(x) }
    #expect(actual.scalars == expected.scalars)

    // An unknown base is a clear error.
    var config = bundle.config
    config.architecture.hyperparameters["base"] = ["name": "resnet999", "hyperparameters": [:]]
    let broken = ModelBundle(config: config, weights: bundle.weights)
    #expect(throws: BundleError(path: path, reason: .unknownArchitecture("resnet999"))) { try broken.makeClassifier(path: path) }
  }
}
