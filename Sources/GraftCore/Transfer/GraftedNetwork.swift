/// A network `TransferRecipe` trains without knowing its shape: the whole `model` (what trains,
/// is evaluated and is saved), the pretrained `base` inside it, the base's `blocks` and the
/// forward pass over a whole `Batch`. Every parameter of `model` outside `base` is the head.
///
/// A `FeatureExtractor` with a grafted head (`Classifier`) is one such network: the base maps
/// `batch.inputs` to flat features [N, F]. A base whose output is not a flat vector fits too —
/// an embedding table whose sequences [N, T, D] feed a recurrent head that reads
/// `batch.lengths` — since the recipe only needs to know which parameters are the base's.
///
///     stage 1  base frozen (unless `TransferRecipe.freezeBase` is false), the head trains
///     stage 2  the top `FineTune.topBlocks` of `blocks` unfrozen, in their own parameter group
public struct GraftedNetwork {
  /// The whole network.
  public let model: Module
  /// The pretrained part of `model`, frozen in the first stage.
  public let base: Module
  /// The base's blocks in forward order (the last is closest to the head); fine-tuning
  /// unfreezes them from the top.
  public let blocks: [Module]
  /// Logits [B, C] of a batch.
  public let forward: (Batch) -> Tensor

  /// - Precondition: every parameter of `base` is a parameter of `model`.
  public init(model: Module, base: Module, blocks: [Module], forward: @escaping (Batch) -> Tensor) {
    let inModel = Set(model.parameters().map(ObjectIdentifier.init))
    precondition(base.parameters().allSatisfy { inModel.contains(ObjectIdentifier($0)) },
                 "GraftedNetwork: the base's parameters must be the model's")
    self.model = model
    self.base = base
    self.blocks = blocks
    self.forward = forward
  }

  /// A `FeatureExtractor` base and its head: `classifier(batch.inputs)`.
  public init(_ classifier: Classifier) {
    self.init(model: classifier, base: classifier.base, blocks: classifier.base.blocks) { classifier($0.inputs) }
  }

  /// The model's trainable parameters split into the head's and the base's, each in the
  /// model's `state_dict` order and named by their keys in it.
  func trainableParameters() -> (head: [(String, Tensor)], base: [(String, Tensor)]) {
    let inBase = Set(base.parameters().map(ObjectIdentifier.init))
    let trainable = model.namedTrainableParameters()
    return (trainable.filter { !inBase.contains(ObjectIdentifier($0.1)) }, trainable.filter { inBase.contains(ObjectIdentifier($0.1)) })
  }

  /// Freezes the base and unfreezes its top `count` blocks (at most all of them); BatchNorm
  /// layers stay in inference mode unless `trainBatchNorm`.
  func unfreezeTop(_ count: Int, trainBatchNorm: Bool) {
    base.freeze()
    for block in blocks.suffix(min(max(count, 0), blocks.count)) { block.unfreeze() }
    if !trainBatchNorm {
      for (_, m) in base.namedModules() where m is BatchNorm { m.freeze() }
    }
  }
}
