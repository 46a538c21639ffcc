/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// L2 weight decay, as `torch.optim.SGD`.
///
/// For each parameter with a gradient g, at learning rate lr:
///
///     g ← g + weightDecay · p                     (if weightDecay ≠ 0)
///     b ← g                                       (first step with momentum)
///     b ← momentum · b + (1 − dampening) · g      (later steps)
///     d ← g + momentum · b  (nesterov)  or  b  (otherwise); d = g without momentum
///     p ← p − lr · d
///
/// Weight decay is added to the gradient (coupled L2), and the momentum buffer starts as
/// the first gradient, not as zeros, exactly as PyTorch does. `p.grad` is not modified.
/// State: `momentum_buffer` per parameter (only with momentum) and a step count.
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.SGD.html
public final class SGD: Optimizer {
  public var groups: [ParameterGroup] {
    didSet { ParameterStates.checkDistinct(groups, "SGD") }
  }
  public let momentum: Float
  public let dampening: Float
  public let nesterov: Bool
  /// Weight decay for groups that do not set their own.
  public var weightDecay: Float
  var states = ParameterStates()

  /// - Precondition: learning rates, momentum and weight decay are ≥ 0; Nesterov needs
  ///   momentum > 0 and zero dampening (PyTorch's checks).
  public init(groups: [ParameterGroup], momentum: Float = 0, dampening: Float = 0,
              nesterov: Bool = false, weightDecay: Float = 0) {
    precondition(momentum >= 0, "SGD: momentum \(momentum) < 0")
    precondition(weightDecay >= 0, "SGD: weight decay \(weightDecay) < 0")
    precondition(!nesterov || (momentum > 0 && dampening == 0),
                 "SGD: Nesterov momentum requires a momentum and zero dampening")
    for group in groups {
      precondition(group.learningRate >= 0, "SGD: learning rate \(group.learningRate) < 0")
      precondition((group.weightDecay ?? 0) >= 0, "SGD: weight decay \(group.weightDecay ?? 0) < 0")
    }
    ParameterStates.checkDistinct(groups, "SGD")
    self.groups = groups
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  /// One group of `parameters` at `learningRate`.
  public convenience init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0,
                          dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    self.init(groups: [ParameterGroup(parameters, learningRate: learningRate)], momentum: momentum,
              dampening: dampening, nesterov: nesterov, weightDecay: weightDecay)
  }

  var bufferNames: [String] { momentum != 0 ? ["momentum_buffer"] : [] }

  public func step() {
    withoutGradients {
      for group in groups {
        let lr = group.learningRate
        let wd = group.weightDecay ?? weightDecay
        for p in group.parameters {
          guard let grad = p.grad else { continue }
          precondition(grad.shape == p.shape, "SGD: gradient \(grad.shape) for parameter \(p.shape)")
          let state = states.state(for: p)
          var mode = Kernels.MomentumMode.none
          if momentum != 0 {
            if state.buffers.isEmpty {
              state.buffers = [Tensor(uninitializedShape: p.shape)]
              mode = .first
            } else {
              mode = .accumulate
            }
          }
          Kernels.sgdStep(parameter: p.data, buffer: state.buffers.first?.data, gradient: grad.data,
                          count: p.count, learningRate: lr, weightDecay: wd, momentum: momentum,
                          dampening: dampening, nesterov: nesterov, mode: mode)
          state.step += 1
        }
      }
    }
  }

  public func stateTensors() -> [String: Tensor] {
    states.tensors(groups: groups, bufferNames: bufferNames)
  }

  public func loadState(_ tensors: [String: Tensor]) throws(OptimizerStateError) {
    try states.load(tensors, groups: groups, bufferNames: bufferNames)
  }
}
