/// Batch normalization over [N, C] or [N, C, *], as `torch.nn.functional.batch_norm`.
/// https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
///
/// With `useBatchStatistics` (training) it normalizes by the batch's mean and
/// biased variance and, when running buffers are given, updates them in place:
/// `running = (1 − momentum)·running + momentum·batch`, with the unbiased
/// variance. Otherwise it normalizes by the running statistics.
/// `activation` (ReLU or ReLU6) is applied to the output in the same pass; with a tape it
/// is part of this op's backward.
public func batchNorm(
  _ x: Tensor, weight: Tensor?, bias: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
  useBatchStatistics: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, activation: FusedActivation = .none
) -> Tensor {
  precondition(x.rank >= 2, "batchNorm: input \(x.shape) must be [N, C, ...]")
  let n = x.shape[0], c = x.shape[1], l = Shape.product(x.shape, 2..<x.rank)
  for (name, t) in [("weight", weight), ("bias", bias), ("runningMean", runningMean), ("runningVar", runningVar)] {
    if let t { precondition(t.shape == [c], "batchNorm: \(name) \(t.shape) for input \(x.shape)") }
  }
  let mean = Tensor(uninitializedShape: [c]), invStd = Tensor(uninitializedShape: [c])
  if useBatchStatistics {
    precondition(n * l > 1, "batchNorm: batch statistics need more than one value per channel, input \(x.shape)")
    let variance = Tensor(uninitializedShape: [c])
    Kernels.channelMoments(mean: mean.data, variance: variance.data, x: x.data, n: n, c: c, l: l)
    for i in 0..<c { invStd.data[i] = 1 / (variance.data[i] + epsilon).squareRoot() }
    if let runningMean, let runningVar {
      let unbias = Float(n * l) / Float(n * l - 1)
      for i in 0..<c {
        runningMean.data[i] = (1 - momentum) * runningMean.data[i] + momentum * mean.data[i]
        runningVar.data[i] = (1 - momentum) * runningVar.data[i] + momentum * variance.data[i] * unbias
      }
    }
  } else {
    guard let runningMean, let runningVar else {
      preconditionFailure("batchNorm: running statistics are required when not using batch statistics")
    }
    for i in 0..<c {
      mean.data[i] = runningMean.data[i]
      invStd.data[i] = 1 / (runningVar.data[i] + epsilon).squareRoot()
    }
  }
  let out = Tensor(uninitializedShape: x.shape)
  let inputs = [x] + (weight.map { [$0] } ?? []) + (bias.map { [$0] } ?? [])
  let recording = Tensor.needsGradient(inputs)
  // The activation runs in the same pass over the output: one buffer and one pass instead
  // of two (PyTorch's `ReLU(inplace=True)` after BatchNorm). Its backward needs only the
  // activated output (ReLU: y > 0; ReLU6: 0 < y < 6 — the same tests as on the input), so
  // the tape keeps no separate pre-activation buffer either, and the backward masks dy as it
  // reads it (no masked copy).
  Kernels.channelAffine(y: out.data, x: x.data, mean: mean.data, invStd: invStd.data,
                        scale: weight?.data, shift: bias?.data, n: n, c: c, l: l, activation: activation)
  if recording {
    let yStorage = activation == .none ? nil : out.storage  // read by the backward's mask
    out.record(activation == .none ? "batchNorm" : "batchNorm+\(activation)", inputs) { g in
      let dX = x.requiresGrad ? Tensor(uninitializedShape: x.shape) : nil
      let dW = weight.map { $0.requiresGrad ? Tensor(uninitializedShape: [c]) : nil } ?? nil
      let dB = bias.map { $0.requiresGrad ? Tensor(uninitializedShape: [c]) : nil } ?? nil
      Kernels.batchNormBackward(dX: dX?.data, dScale: dW?.data, dShift: dB?.data, dY: g.data, x: x.data,
                                mean: mean.data, invStd: invStd.data, scale: weight?.data, n: n, c: c, l: l,
                                batchStatistics: useBatchStatistics, output: yStorage?.pointer, activation: activation)
      var grads: [Tensor?] = [dX]
      if weight != nil { grads.append(dW) }
      if bias != nil { grads.append(dB) }
      return grads
    }
  }
  return out
}

/// An activation a normalization can apply in its own pass over the output.
public enum FusedActivation: String, Sendable {
  case none, relu, relu6
}

/// Layer normalization over the last `normalizedCount` elements of each row
/// (the product of `normalized_shape`), as `torch.nn.functional.layer_norm`.
/// `weight` and `bias`, when given, have `normalizedCount` elements.
public func layerNorm(_ x: Tensor, normalizedCount d: Int, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
  precondition(d > 0 && x.count % d == 0 && Shape.product(x.shape, 0..<x.rank) % d == 0,
               "layerNorm: \(d) normalized elements for input \(x.shape)")
  let rows = x.count / d
  // Normalize each row as one "channel" of a [1, rows, d] batch norm (biased variance).
  let flat = x.reshaped([1, rows, d])
  let normalized = withoutGradients { () -> (Tensor, Tensor, Tensor) in
    let mean = Tensor(uninitializedShape: [rows]), variance = Tensor(uninitializedShape: [rows])
    Kernels.channelMoments(mean: mean.data, variance: variance.data, x: flat.data, n: 1, c: rows, l: d)
    let invStd = variance.mapValues { 1 / ($0 + epsilon).squareRoot() }
    let y = Tensor(uninitializedShape: [1, rows, d])
    Kernels.channelAffine(y: y.data, x: flat.data, mean: mean.data, invStd: invStd.data, scale: nil, shift: nil,
                          n: 1, c: rows, l: d)
    return (y, mean, invStd)
  }
  let (xhat, mean, invStd) = normalized
  if Tensor.needsGradient(x) {
    xhat.record("layerNorm", [x]) { g in
      let dX = Tensor(uninitializedShape: x.shape)
      Kernels.batchNormBackward(dX: dX.data, dScale: nil, dShift: nil, dY: g.data, x: x.data, mean: mean.data,
                                invStd: invStd.data, scale: nil, n: 1, c: rows, l: d, batchStatistics: true)
      return [dX]
    }
  }
  var y = xhat.reshaped(x.shape)
  if let weight { y = y * weight.reshaped([d]).reshaped(Array(x.shape.suffix(from: x.rank - trailingAxes(x.shape, d)))) }
  if let bias { y = y + bias.reshaped(Array(x.shape.suffix(from: x.rank - trailingAxes(x.shape, d)))) }
  return y
}

/// Number of trailing axes of `shape` whose product is `d`.
private func trailingAxes(_ shape: [Int], _ d: Int) -> Int {
  var p = 1, k = 0
  while p < d && k < shape.count { p *= shape[shape.count - 1 - k]; k += 1 }
  precondition(p == d, "layerNorm: \(d) is not the product of trailing axes of \(shape)")
  return k
}
