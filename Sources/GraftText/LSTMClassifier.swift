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
  /// With `config.wordLogits`: [vocabularySize, classCount], zero at first; the mean of the rows
  /// of a text's valid tokens is added to its logits. Key `word_logits.weight`.
  public let wordLogits: Embedding?
  public let config: LSTMClassifierConfig
  /// Trainable vectors for the rows `trainableRows` names, added to `embedding`'s (whose rows for
  /// them are zero) while training; key `trainable_rows.weight`. nil outside training: a trained
  /// model folds them into `embedding` (`foldTrainableRows()`), so bundles hold one table.
  public private(set) var trainableRows: Embedding?
  /// For each vocabulary index, its row of `trainableRows` (0: none, the zero padding row).
  public private(set) var trainableRowIndex: [Int] = []

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
    wordLogits = config.wordLogits
      ? Embedding(pretrained: Tensor.zeros([config.vocabularySize, config.classCount]), paddingIndex: Vocabulary.paddingIndex)
      : nil
    self.config = config
    super.init()
    if freezeEmbedding { embedding.freeze() }
  }

  /// PyTorch-style keys for the optional tables: `word_logits`, `trainable_rows`.
  public override func namedChildren() -> [(String, Module)] {
    super.namedChildren().map { key, module in
      (key == "wordLogits" ? "word_logits" : key == "trainableRows" ? "trainable_rows" : key, module)
    }
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
    let x = embed(ids, shape: shape)  // [B, T, E]
    let (output, h, _) = lstm(x, lengths: lengths)  // [B, T, D·H], [L·D, B, H]
    let pooled = pool(output: output, h: h, lengths: lengths, steps: t)
    let logits = head(dropout(pooled))
    guard let wordLogits else { return logits }
    let mask = Tensor(shape: [b, t, 1], validMask(lengths, steps: t, valid: 1, invalid: 0))
    let counts = Tensor(shape: [b, 1], lengths.map(Float.init))
    return logits + (wordLogits(ids, shape: shape) * mask).sum(axis: 1) / counts
  }

  /// The vectors of `ids` [B, T] → [B, T, E]: `embedding`'s, plus `trainableRows`' when attached.
  func embed(_ ids: [Int], shape: [Int]) -> Tensor {
    let x = embedding(ids, shape: shape)
    guard let trainableRows else { return x }
    return x + trainableRows(ids.map { trainableRowIndex[$0] }, shape: shape)
  }

  /// Gives the vocabulary indices `rows` (each in 1..<vocabularySize, distinct) vectors of their
  /// own that train with the head while `embedding` stays frozen: `embedding`'s rows for them are
  /// set to zero and a second table `trainableRows` [rows.count + 1, E] holds `initial`
  /// [rows.count, E] (row 0 is its zero padding row, which never trains). The forward pass adds
  /// the two lookups, so a frozen pretrained row never changes and a trainable row gets the
  /// gradient of every step that reads it. Replaces rows attached before.
  public func attachTrainableRows(_ rows: [Int], initial: Tensor) {
    let d = config.embeddingDimension
    precondition(initial.shape == [rows.count, d], "LSTMClassifier: initial \(initial.shape) for \(rows.count) rows of \(d)")
    precondition(Set(rows).count == rows.count && rows.allSatisfy { (1..<config.vocabularySize).contains($0) },
                 "LSTMClassifier: trainable rows must be distinct indices in 1..<\(config.vocabularySize)")
    var index = [Int](repeating: 0, count: config.vocabularySize)
    let table = Tensor.zeros([rows.count + 1, d])
    table.data.advanced(by: d).update(from: initial.data, count: rows.count * d)
    for (k, row) in rows.enumerated() {
      index[row] = k + 1
      (embedding.weight.data + row * d).update(repeating: 0, count: d)
    }
    trainableRowIndex = index
    trainableRows = Embedding(pretrained: table, paddingIndex: 0)
  }

  /// Adds the trained rows into `embedding` (the same float additions as the forward pass, so
  /// the logits do not change by a bit) and drops `trainableRows`.
  public func foldTrainableRows() {
    guard let trainableRows else { return }
    let d = config.embeddingDimension
    for (row, k) in trainableRowIndex.enumerated() where k > 0 {
      let target = embedding.weight.data + row * d, source = trainableRows.weight.data + k * d
      for e in 0..<d { target[e] = target[e] + source[e] }
    }
    self.trainableRows = nil
    trainableRowIndex = []
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
