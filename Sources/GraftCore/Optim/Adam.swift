#if canImport(Glibc)
import Glibc
#endif

/// Adam with optional coupled L2 weight decay, as `torch.optim.Adam`.
///
/// For each parameter with a gradient g, at its own step count t (advanced only on the steps
/// where it has a gradient) and learning rate lr:
///
///     g ← g + weightDecay · p                                  (if weightDecay ≠ 0)
///     m ← lerp(m, g, 1 − β1)                                   (exp_avg, starts at 0)
///     v ← β2 · v + (1 − β2) · g²                               (exp_avg_sq, starts at 0)
///     p ← p − (lr / (1 − β1ᵗ)) · m / (sqrt(v) / sqrt(1 − β2ᵗ) + ε)
///
/// This is PyTorch's non-capturable, non-foreach, non-fused single-tensor implementation:
/// ε is added *after* dividing sqrt(v) by sqrt(1 − β2ᵗ), and the bias corrections are
/// computed in double precision. AMSGrad and `maximize` are not supported.
/// State per parameter: `exp_avg`, `exp_avg_sq` and `step` (`AdamW` adds no more).
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.Adam.html
public class Adam: Optimizer {
  public var groups: [ParameterGroup] {
    didSet { ParameterStates.checkDistinct(groups, "Adam") }
  }
  /// (β1, β2): decay rates of the first and second moment averages. Double, as in PyTorch, where
  /// `1 − β2` and the bias corrections `1 − βᵗ` are computed in double precision: in Float,
  /// 0.999 is 0.99900001, which moves `1 − β2` by 1.3e-5 relative.
  public var betas: (Double, Double)
  /// Added to the denominator for numerical stability.
  public var epsilon: Float
  /// Weight decay for groups that do not set their own.
  public var weightDecay: Float
  /// True for AdamW: decay the parameter (`p *= 1 − lr·wd`) instead of adding `wd·p` to the gradient.
  public let decoupledWeightDecay: Bool
  var states = ParameterStates()

  /// - Precondition: β1, β2 in [0, 1), ε ≥ 0, learning rates and weight decay ≥ 0 (PyTorch's checks).
  public convenience init(groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999),
                          epsilon: Float = 1e-8, weightDecay: Float = 0) {
    self.init(groups: groups, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
              decoupledWeightDecay: false, caller: "Adam")
  }

  /// One group of `parameters` at `learningRate`.
  public convenience init(_ parameters: [Tensor], learningRate: Float, betas: (Double, Double) = (0.9, 0.999),
                          epsilon: Float = 1e-8, weightDecay: Float = 0) {
    self.init(groups: [ParameterGroup(parameters, learningRate: learningRate)], betas: betas,
              epsilon: epsilon, weightDecay: weightDecay)
  }

  init(groups: [ParameterGroup], betas: (Double, Double), epsilon: Float, weightDecay: Float,
       decoupledWeightDecay: Bool, caller: String) {
    precondition(betas.0 >= 0 && betas.0 < 1, "\(caller): β1 \(betas.0) outside [0, 1)")
    precondition(betas.1 >= 0 && betas.1 < 1, "\(caller): β2 \(betas.1) outside [0, 1)")
    precondition(epsilon >= 0, "\(caller): ε \(epsilon) < 0")
    precondition(weightDecay >= 0, "\(caller): weight decay \(weightDecay) < 0")
    for group in groups {
      precondition(group.learningRate >= 0, "\(caller): learning rate \(group.learningRate) < 0")
      precondition((group.weightDecay ?? 0) >= 0, "\(caller): weight decay \(group.weightDecay ?? 0) < 0")
    }
    ParameterStates.checkDistinct(groups, caller)
    self.groups = groups
    self.betas = betas
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
  }

  static let bufferNames = ["exp_avg", "exp_avg_sq"]

  public func step() {
    let (beta1, beta2) = betas
    withoutGradients {
      for group in groups {
        let lr = Double(group.learningRate)
        let wd = Double(group.weightDecay ?? weightDecay)
        for p in group.parameters {
          guard let grad = p.grad else { continue }
          precondition(grad.shape == p.shape, "Adam: gradient \(grad.shape) for parameter \(p.shape)")
          let state = states.state(for: p)
          if state.buffers.isEmpty { state.buffers = [Tensor.zeros(p.shape), Tensor.zeros(p.shape)] }
          state.step += 1
          let t = Double(state.step)
          let bias1 = 1 - pow(beta1, t)
          let bias2 = 1 - pow(beta2, t)
          let scalars = Kernels.AdamScalars(
            l2: decoupledWeightDecay ? 0 : Float(wd),
            decay: decoupledWeightDecay && wd != 0 ? Float(1 - lr * wd) : 1,
            lerpWeight: Float(1 - beta1),
            beta2: Float(beta2),
            oneMinusBeta2: Float(1 - beta2),
            negStepSize: Float(-(lr / bias1)),
            bias2Sqrt: Float(bias2.squareRoot()),
            epsilon: epsilon)
          Kernels.adamStep(parameter: p.data, gradient: grad.data, expAvg: state.buffers[0].data,
                           expAvgSq: state.buffers[1].data, count: p.count, scalars)
        }
      }
    }
  }

  public func stateTensors() -> [String: Tensor] {
    states.tensors(groups: groups, bufferNames: Self.bufferNames)
  }

  public func loadState(_ tensors: [String: Tensor]) throws(OptimizerStateError) {
    try states.load(tensors, groups: groups, bufferNames: Self.bufferNames)
  }
}

/// Adam with decoupled weight decay, as `torch.optim.AdamW`: before the Adam update each
/// parameter is scaled by `1 − lr · weightDecay` (the gradient is left alone). The default
/// weight decay is 0.01, as in PyTorch. Everything else is `Adam`.
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
public final class AdamW: Adam {
  public init(groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), epsilon: Float = 1e-8,
              weightDecay: Float = 0.01) {
    super.init(groups: groups, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
               decoupledWeightDecay: true, caller: "AdamW")
  }

  /// One group of `parameters` at `learningRate`.
  public convenience init(_ parameters: [Tensor], learningRate: Float, betas: (Double, Double) = (0.9, 0.999),
                          epsilon: Float = 1e-8, weightDecay: Float = 0.01) {
    self.init(groups: [ParameterGroup(parameters, learningRate: learningRate)], betas: betas,
              epsilon: epsilon, weightDecay: weightDecay)
  }
}
