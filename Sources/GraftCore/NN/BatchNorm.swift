/// Batch normalization over [N, C] / [N, C, L] (`BatchNorm1d`) or [N, C, H, W]
/// (`BatchNorm2d`), with PyTorch's keys and semantics.
/// https://pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
///
/// It normalizes by batch statistics only when training and not frozen;
/// a frozen BatchNorm keeps using (and no longer updates) its running
/// statistics while the rest of the model trains, as in Keras.
public class BatchNorm: Layer {
  @Param public var weight: Tensor                               // [C]
  @Param public var bias: Tensor                                 // [C]
  @Buffer public var runningMean: Tensor     // [C], key "running_mean"
  @Buffer public var runningVar: Tensor      // [C], key "running_var"
  @Buffer public var batchesTracked: Tensor  // [], key "num_batches_tracked"
  public let momentum: Float
  public let epsilon: Float
  let expectedRanks: Set<Int>

  init(_ features: Int, momentum: Float, epsilon: Float, ranks: Set<Int>) {
    weight = Tensor.ones([features])
    bias = Tensor.zeros([features])
    _runningMean = Buffer(wrappedValue: Tensor.zeros([features]), key: "running_mean")
    _runningVar = Buffer(wrappedValue: Tensor.ones([features]), key: "running_var")
    _batchesTracked = Buffer(wrappedValue: Tensor.zeros([]), key: "num_batches_tracked")
    self.momentum = momentum
    self.epsilon = epsilon
    expectedRanks = ranks
    super.init()
  }

  /// Whether the next forward pass normalizes by batch statistics.
  public var usesBatchStatistics: Bool { isTraining && !isFrozen }

  public override func forward(_ x: Tensor) -> Tensor { forward(x, activation: .none) }

  /// The layer followed by `activation`, in one pass over the output when no gradient is
  /// recorded (see `batchNorm`). `Sequential` uses it for a BatchNorm followed by
  /// `ReLU`/`ReLU6`; a block's own code can call it instead of `bn(x).relu()`.
  public func forward(_ x: Tensor, activation: FusedActivation) -> Tensor {
    precondition(expectedRanks.contains(x.rank) && x.shape[1] == weight.count,
                 "\(type(of: self))(\(weight.count)): input \(x.shape)")
    let batch = usesBatchStatistics
    if batch { batchesTracked.data[0] += 1 }
    return batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                     useBatchStatistics: batch, momentum: momentum, epsilon: epsilon, activation: activation)
  }

  /// `self(x)` followed by `activation`, reported to a `summary()` trace like a call.
  public func callAsFunction(_ x: Tensor, then activation: FusedActivation) -> Tensor {
    let y = forward(x, activation: activation)
    ShapeTrace.report(self, y)
    return y
  }
}

/// `torch.nn.BatchNorm1d`: input [N, C] or [N, C, L].
public final class BatchNorm1d: BatchNorm {
  public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    super.init(features, momentum: momentum, epsilon: epsilon, ranks: [2, 3])
  }
}

/// `torch.nn.BatchNorm2d`: input [N, C, H, W].
public final class BatchNorm2d: BatchNorm {
  public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
    super.init(features, momentum: momentum, epsilon: epsilon, ranks: [4])
  }
}

/// Layer normalization over the trailing `normalizedShape`, as `torch.nn.LayerNorm`.
public final class LayerNorm: Layer {
  @Param public var weight: Tensor  // normalizedShape
  @Param public var bias: Tensor    // normalizedShape
  public let normalizedShape: [Int]
  public let epsilon: Float

  public init(_ normalizedShape: [Int], epsilon: Float = 1e-5) {
    self.normalizedShape = normalizedShape
    self.epsilon = epsilon
    weight = Tensor.ones(normalizedShape)
    bias = Tensor.zeros(normalizedShape)
    super.init()
  }

  public override func forward(_ x: Tensor) -> Tensor {
    precondition(Array(x.shape.suffix(normalizedShape.count)) == normalizedShape,
                 "LayerNorm(\(normalizedShape)): input \(x.shape)")
    return layerNorm(x, normalizedCount: Shape.count(normalizedShape), weight: weight, bias: bias, epsilon: epsilon)
  }
}
