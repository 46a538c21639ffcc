import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// SmallCNN with a dropout head: exercises BatchNorm buffers and a Stochastic module.
final class TinyClassifier: Layer {
  let base: SmallCNN
  let dropout: Dropout
  let fc: Linear
  init(seed: UInt64) {
    var g = Generator(seed: seed)
    base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    dropout = Dropout(0.3, seed: seed)
    fc = Linear(8, 3, using: &g)
    super.init()
  }
  override func forward(_ x: Tensor) -> Tensor { fc(dropout(base(x))) }
}

@Suite(.serialized) struct TrainerTests {
  static func loaders(seed: UInt64 = 1) -> (DataLoader<TensorDataset>, DataLoader<TensorDataset>) {
    let train = SyntheticImages.make(count: 240, seed: seed)
    let validation = SyntheticImages.make(count: 60, seed: seed + 100)
    return (DataLoader(train, sampler: BatchSampler(count: 240, batchSize: 16, seed: 7)),
            DataLoader(validation, sampler: BatchSampler(count: 60, batchSize: 30, order: .sequential)))
  }

  static func trainer(_ model: TinyClassifier, epochs: Int, checkpoint: String? = nil, stopAfter: Int? = nil) -> Trainer {
    let optimizer = Adam(groups: [ParameterGroup(model.trainableParameters(), learningRate: 0.01)])
    return Trainer(model: model, optimizer: optimizer,
                   options: TrainingOptions(epochs: epochs, checkpointPath: checkpoint, stopAfterEpochs: stopAfter, quiet: true),
                   forward: { model($0.inputs) })
  }

  static func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("graft-\(UUID().uuidString)-\(name)").path
  }

  @Test func smallCNNLearnsTheGeneratedTask() throws {
    let (train, validation) = Self.loaders()
    let model = TinyClassifier(seed: 3)
    let trainer = Self.trainer(model, epochs: 6)
    let history = try trainer.fit(train, validation: validation)
    #expect(history.epochs.count == 6)
    // Chance is 33%; the task is easy for a CNN: at least 90% on held-out images.
    let accuracy = try #require(history.epochs.last?.validationAccuracy)
    #expect(accuracy >= 0.9, "validation accuracy \(accuracy)")
    #expect(history.epochs.last!.trainLoss < history.epochs.first!.trainLoss)
  }

  @Test func frozenBaseStaysBitIdenticalAndGetsNoGradients() throws {
    let (train, _) = Self.loaders()
    let model = TinyClassifier(seed: 4)
    model.base.freeze()
    let before = model.base.stateDict().map { ($0.0, $0.1.scalars) }
    let trainer = Self.trainer(model, epochs: 2)
    let headBefore = model.fc.weight.scalars
    try trainer.fit(train)
    let after = model.base.stateDict().map { ($0.0, $0.1.scalars) }
    #expect(before.map(\.0) == after.map(\.0))
    for (b, a) in zip(before, after) { #expect(b.1 == a.1, "\(b.0) changed") }
    for p in model.base.parameters() { #expect(p.grad == nil) }
    #expect(model.fc.weight.scalars != headBefore)
  }

  @Test func resumeIsBitExact() throws {
    let (train, validation) = Self.loaders(seed: 2)
    // Uninterrupted: 4 epochs.
    let full = TinyClassifier(seed: 5)
    try Self.trainer(full, epochs: 4).fit(train, validation: validation)

    // Interrupted after 2 epochs, resumed in a fresh process-like setup.
    let path = Self.temporaryPath("ckpt.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let first = TinyClassifier(seed: 5)
    try Self.trainer(first, epochs: 4, checkpoint: path, stopAfter: 2).fit(train, validation: validation)
    let resumedModel = TinyClassifier(seed: 999)  // different init: everything must come from the checkpoint
    let resumed = Self.trainer(resumedModel, epochs: 4)
    try resumed.resume(from: path)
    #expect(resumed.nextEpoch == 2 && resumed.history.epochs.count == 2)
    try resumed.fit(train, validation: validation)
    #expect(resumed.history.epochs.count == 4)
    let a = full.stateDict(), b = resumedModel.stateDict()
    #expect(a.map(\.0) == b.map(\.0))
    for ((key, x), (_, y)) in zip(a, b) {
      #expect(x.scalars.map(\.bitPattern) == y.scalars.map(\.bitPattern), "\(key) differs after resume")
    }
  }

  @Test func badCheckpointsAreRejectedWithoutChanges() throws {
    let model = TinyClassifier(seed: 6)
    let trainer = Self.trainer(model, epochs: 1)
    let before = model.fc.weight.scalars
    let garbage = Self.temporaryPath("garbage.safetensors")
    try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: garbage))
    defer { try? FileManager.default.removeItem(atPath: garbage) }
    #expect { try trainer.resume(from: garbage) } throws: { error in
      (error as? CheckpointError)?.description.hasPrefix("\(garbage): cannot read checkpoint") == true
    }
    // A valid safetensors file that is not a checkpoint.
    let plain = Self.temporaryPath("plain.safetensors")
    try SafeTensors.write(["x": Tensor.zeros([1])], to: plain)
    defer { try? FileManager.default.removeItem(atPath: plain) }
    #expect(throws: CheckpointError(path: plain, reason: .notACheckpoint)) { try trainer.resume(from: plain) }
    // A checkpoint of another architecture.
    let other = Self.temporaryPath("other.safetensors")
    defer { try? FileManager.default.removeItem(atPath: other) }
    var g = Generator(seed: 1)
    let linear = Linear(2, 2, using: &g)
    let otherTrainer = Trainer(model: linear, optimizer: SGD([linear.weight, linear.bias], learningRate: 0.1),
                               options: TrainingOptions(epochs: 1, quiet: true), forward: { linear($0.inputs) })
    try otherTrainer.saveCheckpoint(to: other)
    #expect { try trainer.resume(from: other) } throws: { error in
      (error as? CheckpointError)?.description.contains("missing keys") == true
    }
    #expect(model.fc.weight.scalars == before)
    // A failed write leaves no file behind.
    #expect(throws: CheckpointError.self) { try trainer.saveCheckpoint(to: "/nonexistent-dir/ckpt.safetensors") }
  }

  @Test func nonFiniteLossStopsWithAClearMessage() throws {
    let (train, _) = Self.loaders()
    let model = TinyClassifier(seed: 7)
    let optimizer = SGD(model.trainableParameters(), learningRate: 0.1)
    let trainer = Trainer(model: model, optimizer: optimizer, options: TrainingOptions(epochs: 1, quiet: true)) { batch in
      model(batch.inputs) * Float.nan
    }
    #expect { try trainer.fit(train) } throws: { error in
      guard let e = error as? TrainingError, case .nonFiniteLoss(epoch: 1, batch: 1, _, _) = e.reason else { return false }
      return e.description.contains("lower the learning rate")
    }
  }

  @Test func earlyStoppingRestoresTheBestWeights() throws {
    // Validation labels are shuffled: validation loss soon rises while training loss falls.
    let train = SyntheticImages.make(count: 120, seed: 11)
    let noisy = SyntheticImages.make(count: 60, seed: 12)
    var g = Generator(seed: 3)
    let shuffledLabels = g.permutation(60).map { noisy.labels[$0] }
    let validationSet = TensorDataset(inputs: noisy.inputs, labels: shuffledLabels)
    let trainLoader = DataLoader(train, sampler: BatchSampler(count: 120, batchSize: 16, seed: 1))
    let validation = DataLoader(validationSet, sampler: BatchSampler(count: 60, batchSize: 60, order: .sequential))
    let model = TinyClassifier(seed: 8)
    let trainer = Trainer(model: model, optimizer: Adam(model.trainableParameters(), learningRate: 0.02),
                          options: TrainingOptions(epochs: 30, earlyStopping: EarlyStopping(monitor: .validationLoss, patience: 1),
                                                   quiet: true), forward: { model($0.inputs) })
    let history = try trainer.fit(trainLoader, validation: validation)
    #expect(history.epochs.count < 30)
    #expect(history.stopReason?.contains("val_loss") == true)
    let best = try #require(history.bestEpoch)
    let bestLoss = try #require(history.epochs[best - 1].validationLoss)
    #expect(history.epochs.compactMap(\.validationLoss).min() == bestLoss)
    // The model holds the best epoch's weights again: evaluating gives the best loss.
    let now = trainer.evaluate(validation).loss
    #expect(Swift.abs(now - bestLoss) < 1e-6, "restored loss \(now), best \(bestLoss)")
  }
}

@Suite struct BinaryTaskTests {
  @Test func binaryValidationReportsROCAUC() throws {
    // Class 1 = horizontal stripes vs class 0 = vertical stripes (labels 0/1 of the synthetic set).
    let all = SyntheticImages.make(count: 120, seed: 31)
    let keep = (0..<120).filter { all.labels[$0] < 2 }
    let data = Subset(all, indices: keep)
    let (train, validation) = trainValidationSplit(data, validationFraction: 0.25, seed: 1)
    let model = TinyClassifier(seed: 9)
    var g = Generator(seed: 12345)
    let head = Linear(3, 2, using: &g)
    let trainer = Trainer(model: model, optimizer: Adam(model.trainableParameters() + head.parameters(), learningRate: 0.02),
                          options: TrainingOptions(epochs: 4, quiet: true), forward: { head(model($0.inputs)) })
    let history = try trainer.fit(DataLoader(train, sampler: BatchSampler(count: train.count, batchSize: 16)),
                                  validation: DataLoader(validation, sampler: BatchSampler(count: validation.count, batchSize: 20, order: .sequential)))
    let auc = try #require(history.epochs.last?.validationROCAUC)
    #expect(auc > 0.9 && auc <= 1)
    let json = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
    #expect(json.contains("\"validation_roc_auc\""))
  }
}
