import GraftCore

/// `graft bench core`'s training figures: the small CNN and the feature cache.
enum TrainingBenchmarks {
  /// SmallCNN(32/64/128) + Linear(128, 10) on 3×32×32, batch 64, SGD momentum 0.9.
  static func smallCNN(train: Bool, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 3)
    let base = SmallCNN(inputChannels: 3, widths: [32, 64, 128], using: &g)
    let head = Linear(128, 10, using: &g)
    let model = Classifier(base: base, head: head)
    let x = Tensor.randomNormal([64, 3, 32, 32], using: &g)
    let labels = (0..<64).map { $0 % 10 }
    let (t, n): (Double, Int)
    if train {
      model.train()
      let optimizer = SGD(model.parameters(), learningRate: 0.01, momentum: 0.9)
      (t, n) = Stopwatch.median(warmup: 2, minIterations: 5, budget: budget) {
        optimizer.zeroGradients()
        crossEntropy(logits: model(x), labels: labels).backward()
        optimizer.step()
      }
    } else {
      model.eval()
      (t, n) = Stopwatch.median(warmup: 2, minIterations: 5, budget: budget) {
        _ = withoutGradients { model(x) }
      }
    }
    return BenchmarkResult(name: train ? "smallcnn_train_b64" : "smallcnn_infer_b64", value: 64 / t, unit: "images/s",
                           seconds: t, iterations: n)
  }

  /// One head epoch (Linear(128, 10), Adam, batch 64) over 2,048 images of 3×32×32
  /// behind a frozen SmallCNN: on cached features, or re-running the base every batch.
  static func headEpoch(cached: Bool, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 4)
    let base = SmallCNN(inputChannels: 3, widths: [32, 64, 128], using: &g)
    base.freeze()
    base.eval()
    let count = 2048
    let data = TensorDataset(inputs: Tensor.randomNormal([count, 3, 32, 32], using: &g), labels: (0..<count).map { $0 % 10 })
    let head = Linear(128, 10, using: &g)
    let optimizer = Adam(head.parameters(), learningRate: 1e-3)
    let sampler = BatchSampler(count: count, batchSize: 64, seed: 1)
    let options = TrainingOptions(epochs: 1, quiet: true)
    let (t, n): (Double, Int)
    if cached {
      // The cache is built once per run; the figure is the epoch on it.
      let cache = try! FeatureCache.build(DataLoader(data, sampler: BatchSampler(count: count, batchSize: 64, order: .sequential)),
                                          quiet: true) { base.features($0.inputs) }
      let loader = cache.loader(sampler: sampler)
      (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
        _ = try! Trainer(model: head, optimizer: optimizer, options: options, forward: { head($0.inputs) }).fit(loader)
      }
    } else {
      let loader = DataLoader(data, sampler: sampler)
      (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
        _ = try! Trainer(model: head, optimizer: optimizer, options: options, forward: { head(base.features($0.inputs)) })
          .fit(loader)
      }
    }
    return BenchmarkResult(name: cached ? "head_epoch_cached" : "head_epoch_recomputed", value: t, unit: "s/epoch",
                           seconds: t, iterations: n)
  }
}
