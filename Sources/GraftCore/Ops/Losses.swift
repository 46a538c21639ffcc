/// Mean cross-entropy of `logits` [N, C] against class indices `labels` (N),
/// as `torch.nn.functional.cross_entropy` with `reduction='mean'`.
/// https://pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html
///
/// - classWeights: per-class weights (C); the mean divides by Σ weight[label].
/// - labelSmoothing: ε mixes the one-hot target with the uniform distribution.
public func crossEntropy(
  logits: Tensor, labels: [Int], classWeights: [Float]? = nil, labelSmoothing: Float = 0
) -> Tensor {
  precondition(logits.rank == 2, "crossEntropy: logits \(logits.shape) must be [N, C]")
  let (n, c) = (logits.shape[0], logits.shape[1])
  precondition(labels.count == n, "crossEntropy: \(labels.count) labels for logits \(logits.shape)")
  precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: label smoothing \(labelSmoothing)")
  if let classWeights { precondition(classWeights.count == c, "crossEntropy: \(classWeights.count) class weights for \(c) classes") }
  for y in labels { precondition(y >= 0 && y < c, "crossEntropy: label \(y) outside 0..<\(c)") }
  // loss = −Σ_i Σ_c T[i, c]·logp[i, c] with the (weighted, smoothed) target T
  // normalised by Σ_i w[y_i], which is PyTorch's formula.
  let w = classWeights ?? [Float](repeating: 1, count: c)
  let normalizer = labels.reduce(Float(0)) { $0 + w[$1] }
  let target = Tensor.zeros([n, c])
  let eps = labelSmoothing
  for i in 0..<n {
    for j in 0..<c { target.data[i * c + j] = eps / Float(c) * w[j] / normalizer }
    target.data[i * c + labels[i]] += (1 - eps) * w[labels[i]] / normalizer
  }
  return -(logSoftmax(logits, axis: 1) * target).sum()
}

/// Mean squared error, as `torch.nn.functional.mse_loss`.
public func mseLoss(_ prediction: Tensor, _ target: Tensor) -> Tensor {
  precondition(prediction.shape == target.shape, "mseLoss: prediction \(prediction.shape) vs target \(target.shape)")
  return (prediction - target).square().mean()
}

/// Inverted dropout, as `torch.nn.functional.dropout`: in training, zeroes each
/// element with probability `p` and scales the rest by 1/(1−p).
public func dropout(_ x: Tensor, probability p: Float, training: Bool, using generator: inout Generator) -> Tensor {
  precondition(p >= 0 && p < 1, "dropout: probability \(p) must be in [0, 1)")
  guard training && p > 0 else { return x }
  let mask = Tensor(uninitializedShape: x.shape)
  let keep = 1 / (1 - p)
  for i in 0..<mask.count { mask.data[i] = generator.nextUnit() < Double(p) ? 0 : keep }
  return x * mask
}
