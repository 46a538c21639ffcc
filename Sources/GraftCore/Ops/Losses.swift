#if canImport(Glibc)
import Glibc
#endif

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

/// Mean binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`.
/// https://pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
///
/// loss = mean(−[p·y·log σ(x) + (1 − y)·log(1 − σ(x))]), computed stably with
/// softplus. `positiveWeight` (p, one per class along the last axis) trades
/// recall against precision for imbalanced binary tasks.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, positiveWeight: [Float]? = nil) -> Tensor {
  precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: logits \(logits.shape) vs targets \(targets.shape)")
  let classes = logits.shape.last ?? 1
  if let positiveWeight {
    precondition(positiveWeight.count == classes, "binaryCrossEntropyWithLogits: \(positiveWeight.count) positive weights for last axis \(classes)")
  }
  let n = logits.count
  @inline(__always) func softplus(_ z: Float) -> Float { Swift.max(z, 0) + log1pf(expf(-Swift.abs(z))) }
  var total: Double = 0
  for i in 0..<n {
    let x = logits.data[i], y = targets.data[i]
    let p = positiveWeight?[i % classes] ?? 1
    total += Double(p * y * softplus(-x) + (1 - y) * softplus(x))
  }
  let out = Tensor(Float(total / Double(Swift.max(n, 1))))
  if Tensor.needsGradient(logits) {
    out.record("binaryCrossEntropyWithLogits", [logits]) { g in
      let gx = Tensor(uninitializedShape: logits.shape)
      let scale = g.item / Float(Swift.max(n, 1))
      for i in 0..<n {
        let x = logits.data[i], y = targets.data[i]
        let p = positiveWeight?[i % classes] ?? 1
        let s = SigmoidFunction.value(x)
        gx.data[i] = scale * (-p * y * (1 - s) + (1 - y) * s)
      }
      return [gx]
    }
  }
  return out
}
