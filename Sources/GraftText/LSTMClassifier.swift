import GraftCore

/// Embedding → (Bi)LSTM → pooling over the valid steps → Dropout → Linear, for text
/// classification. Keys: `embedding.weight`, `lstm.weight_ih_l0`, … (PyTorch's LSTM keys),
/// `head.weight`, `head.bias` — the `state_dict` of the same PyTorch module with attributes
/// `embedding`, `lstm`, `dropout`, `head`.
///
/// Input: token ids [B, T] (post-padded with 0) and the valid length of each row (1...T).
/// Padding never changes the logits: the embedding row 0 is zero, the LSTM stops at each
/// sequence's length (`LSTM.callAsFunction(_:lengths:)`), and every pooling looks at the
/// valid steps only.
public final class LSTMClassifier: Module {
  public let embedding: Embedding
  public let lstm: LSTM
  public let dropout: Dropout
  public let head: Linear
  public let config: LSTMClassifierConfig

  /// A model with `pretrained` vectors [vocabularySize, embeddingDimension] (N(0, 1) when nil),
  /// padding index 0. The embedding is frozen when `freezeEmbedding`.
  public init(_ config: LSTMClassifierConfig, pretrained: Tensor? = nil, freezeEmbedding: Bool = true, seed: UInt64 = 0) {
    precondition((1...2).contains(config.layers), "LSTMClassifier: \(config.layers) layers (1 or 2)")
    var generator = Generator(seed: seed)
    if let pretrained {
      precondition(pretrained.shape == [config.vocabularySize, config.embeddingDimension],
                   "LSTMClassifier: pretrained \(pretrained.shape), config [\(config.vocabularySize), \(config.embeddingDimension)]")
      embedding = Embedding(pretrained: pretrained, paddingIndex: Vocabulary.paddingIndex)
    } else {
      embedding = Embedding(config.vocabularySize, config.embeddingDimension, paddingIndex: Vocabulary.paddingIndex,
                            using: &generator)
    }
    lstm = LSTM(inputSize: config.embeddingDimension, hiddenSize: config.hiddenSize, layers: config.layers,
                bidirectional: config.bidirectional, dropout: config.layers > 1 ? config.layerDropout : 0,
                using: &generator)
    dropout = Dropout(config.headDropout, seed: seed &+ 1)
    head = Linear(config.featureCount, config.classCount, using: &generator)
    self.config = config
    super.init()
    if freezeEmbedding { embedding.freeze() }
  }

  /// This model as `TransferRecipe.run(_:…)` trains it: the embedding table is the base (one
  /// block), the LSTM, dropout and linear head are the head, and the forward pass reads the
  /// batch's lengths.
  public var grafted: GraftedNetwork {
    GraftedNetwork(model: self, base: embedding, blocks: [embedding]) { self($0) }
  }

  /// Logits [B, classCount] of a batch whose `inputs` are token ids [B, T] as Float.
  public func callAsFunction(_ batch: Batch) -> Tensor {
    let ids = batch.inputs
    precondition(ids.rank == 2, "LSTMClassifier: inputs \(ids.shape) must be token ids [B, T]")
    let lengths = batch.lengths ?? Array(repeating: ids.shape[1], count: ids.shape[0])
    return self(ids.scalars.map { Int($0) }, shape: ids.shape, lengths: lengths)
  }

  /// Logits [B, classCount] of token ids laid out as `shape` [B, T], row b valid for `lengths[b]` steps.
  public func callAsFunction(_ ids: [Int], shape: [Int], lengths: [Int]) -> Tensor {
    precondition(shape.count == 2 && ids.count == shape[0] * shape[1], "LSTMClassifier: \(ids.count) ids for shape \(shape)")
    let (b, t) = (shape[0], shape[1])
    precondition(lengths.count == b && lengths.allSatisfy { (1...t).contains($0) },
                 "LSTMClassifier: lengths \(lengths) for shape \(shape)")
    let x = embedding(ids, shape: shape)  // [B, T, E]
    let (output, h, _) = lstm(x, lengths: lengths)  // [B, T, D·H], [L·D, B, H]
    let pooled = pool(output: output, h: h, lengths: lengths, steps: t)
    return head(dropout(pooled))
  }

  /// [B, D·H] from the LSTM's output [B, T, D·H] and final states [L·D, B, H].
  func pool(output: Tensor, h: Tensor, lengths: [Int], steps t: Int) -> Tensor {
    let b = lengths.count, d = lstm.directions
    switch config.pooling {
    case .last:
      let top = h.slice(axis: 0, start: (config.layers - 1) * d, count: d)  // [D, B, H]
      return top.permuted([1, 0, 2]).reshaped([b, config.featureCount])
    case .mean:
      let mask = Tensor(shape: [b, t, 1], validMask(lengths, steps: t, valid: 1, invalid: 0))
      let counts = Tensor(shape: [b, 1], lengths.map(Float.init))
      return (output * mask).sum(axis: 1) / counts
    case .max:
      // Invalid steps pushed far below any tanh-bounded output, so they never win.
      let offset = Tensor(shape: [b, t, 1], validMask(lengths, steps: t, valid: 0, invalid: -1e9))
      return (output + offset).max(axis: 1)
    }
  }

  func validMask(_ lengths: [Int], steps t: Int, valid: Float, invalid: Float) -> [Float] {
    var values = [Float](repeating: invalid, count: lengths.count * t)
    for (row, length) in lengths.enumerated() {
      for step in 0..<length { values[row * t + step] = valid }
    }
    return values
  }
}
