/// Parameters that share a learning rate and weight decay: one entry of PyTorch's `param_groups`.
///
/// Several groups with different learning rates give discriminative fine-tuning: a new head
/// at 1e-3 and the top block of a pretrained base at 1e-5. A schedule scales each group's
/// `initialLearningRate`, so the ratios between groups survive warm-up and decay.
///
/// See https://pytorch.org/docs/stable/optim.html#per-parameter-options
public struct ParameterGroup {
  /// The tensors this group updates. Each must appear in only one group of an optimizer.
  public var parameters: [Tensor]
  /// Dotted names (`"head.weight"`), one per parameter. When given, they are the parameters'
  /// checkpoint keys (`"head.weight.exp_avg"`); otherwise keys are positional (`"group0.param3.exp_avg"`).
  public var names: [String]?
  /// The learning rate the next `step()` uses. Schedules overwrite it.
  public var learningRate: Float
  /// The learning rate the group was created with; schedules scale this one (PyTorch's `initial_lr`).
  public var initialLearningRate: Float
  /// This group's weight decay, or nil to use the optimizer's.
  public var weightDecay: Float?

  /// A group of `parameters` trained at `learningRate`.
  ///
  /// - Parameters:
  ///   - names: one dotted name per parameter, used as checkpoint keys; nil for positional keys.
  ///   - weightDecay: overrides the optimizer's weight decay for this group (nil: use the optimizer's).
  public init(_ parameters: [Tensor], names: [String]? = nil, learningRate: Float, weightDecay: Float? = nil) {
    if let names {
      precondition(names.count == parameters.count,
                   "ParameterGroup: \(names.count) names for \(parameters.count) parameters")
    }
    self.parameters = parameters
    self.names = names
    self.learningRate = learningRate
    self.initialLearningRate = learningRate
    self.weightDecay = weightDecay
  }

  /// The checkpoint key prefix of parameter `index` in group `groupIndex`.
  func key(_ index: Int, group groupIndex: Int) -> String {
    names?[index] ?? "group\(groupIndex).param\(index)"
  }
}
