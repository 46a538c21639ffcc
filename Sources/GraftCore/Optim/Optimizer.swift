/// Updates parameters from their gradients: the shape of `torch.optim.Optimizer`.
///
/// One training step is `optimizer.zeroGradients(); loss.backward(); optimizer.step()`.
/// A parameter whose `grad` is nil is skipped by `step()`: it is not updated, gets no state,
/// and its step count does not advance (as PyTorch does). Learning rates live in `groups`,
/// so a `LearningRateSchedule` can set them between steps.
///
/// Checkpoints: `stateTensors()` returns every buffer (momentum buffers, `exp_avg`,
/// `exp_avg_sq`) and each parameter's step count as a one-element tensor; `loadState(_:)`
/// restores them into an optimizer built over the same parameters, after which the next
/// `step()` is bit-identical to the uninterrupted run's. Hyperparameters (learning rates,
/// betas, momentum) are configuration, not state, and are not saved.
///
/// See https://pytorch.org/docs/stable/optim.html
public protocol Optimizer: AnyObject {
  /// The parameter groups. Set `groups[i].learningRate` to change a learning rate.
  var groups: [ParameterGroup] { get set }
  /// Applies one update to every parameter that has a gradient.
  func step()
  /// Sets every parameter's `grad` to nil (`zero_grad(set_to_none=True)`).
  func zeroGradients()
  /// Every state buffer and step count, keyed `"<parameter key>.<buffer>"`.
  ///
  /// A parameter's key is its name from `ParameterGroup.names`, or `"group<g>.param<i>"`.
  /// Each parameter has `"<key>.step"` (a `[1]` tensor); once it has taken a step it also
  /// has its buffers (`momentum_buffer`; `exp_avg` and `exp_avg_sq`), shaped like it.
  /// Buffers are the optimizer's own tensors, not copies: copy them to keep a snapshot.
  /// Step counts are Float, as PyTorch keeps them, so they are exact up to 2²⁴ (16.7 M) steps.
  func stateTensors() -> [String: Tensor]
  /// Restores state saved by `stateTensors()`, copying the values. Nothing changes when it
  /// throws; the error lists every missing key, unexpected key, shape mismatch and bad step count.
  func loadState(_ tensors: [String: Tensor]) throws(OptimizerStateError)
}

extension Optimizer {
  public func zeroGradients() {
    for group in groups {
      for parameter in group.parameters { parameter.grad = nil }
    }
  }

  /// All parameters, group by group.
  public var parameters: [Tensor] { groups.flatMap(\.parameters) }

  /// The current learning rate of each group.
  public var learningRates: [Float] { groups.map(\.learningRate) }
}

/// Why `Optimizer.loadState(_:)` refused a state dictionary: every problem at once.
public struct OptimizerStateError: Error, Equatable, CustomStringConvertible, Sendable {
  /// A buffer whose shape differs from its parameter's (or a step count that is not one element).
  public struct ShapeMismatch: Equatable, Sendable {
    public var key: String
    public var expected: [Int]
    public var actual: [Int]

    public init(key: String, expected: [Int], actual: [Int]) {
      self.key = key
      self.expected = expected
      self.actual = actual
    }
  }

  /// Keys the optimizer needs that the dictionary lacks, sorted.
  public var missingKeys: [String]
  /// Keys in the dictionary that the optimizer has no use for, sorted.
  public var unexpectedKeys: [String]
  public var shapeMismatches: [ShapeMismatch]
  /// `.step` keys whose value is not a whole number ≥ 0.
  public var invalidSteps: [String]

  public init(missingKeys: [String] = [], unexpectedKeys: [String] = [],
              shapeMismatches: [ShapeMismatch] = [], invalidSteps: [String] = []) {
    self.missingKeys = missingKeys
    self.unexpectedKeys = unexpectedKeys
    self.shapeMismatches = shapeMismatches
    self.invalidSteps = invalidSteps
  }

  var isEmpty: Bool {
    missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty && invalidSteps.isEmpty
  }

  public var description: String {
    var parts: [String] = []
    if !missingKeys.isEmpty { parts.append("missing keys: \(missingKeys.joined(separator: ", "))") }
    if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
    for m in shapeMismatches { parts.append("\(m.key): expected shape \(m.expected), got \(m.actual)") }
    if !invalidSteps.isEmpty { parts.append("invalid step counts: \(invalidSteps.joined(separator: ", "))") }
    return "optimizer state: " + parts.joined(separator: "; ")
  }
}

/// The state of one parameter: how many updates it has had and its buffers (created on its
/// first update, in the optimizer's buffer-name order).
final class ParameterState {
  /// Held so the `ObjectIdentifier` key cannot be reused while this entry lives.
  let parameter: Tensor
  var step = 0
  var buffers: [Tensor] = []

  init(parameter: Tensor) { self.parameter = parameter }
}

/// Per-parameter state keyed by tensor identity (as PyTorch keys `optimizer.state` by the
/// parameter object), so it follows a parameter if groups are rearranged.
struct ParameterStates {
  private var entries: [ObjectIdentifier: ParameterState] = [:]

  /// The state of `parameter`, created empty on first use.
  mutating func state(for parameter: Tensor) -> ParameterState {
    if let s = entries[ObjectIdentifier(parameter)] { return s }
    let s = ParameterState(parameter: parameter)
    entries[ObjectIdentifier(parameter)] = s
    return s
  }

  func existing(_ parameter: Tensor) -> ParameterState? { entries[ObjectIdentifier(parameter)] }

  /// (key, parameter) for every parameter, in group order; keys must be unique.
  static func keyed(_ groups: [ParameterGroup]) -> [(String, Tensor)] {
    var out: [(String, Tensor)] = []
    var seen = Set<String>()
    for (g, group) in groups.enumerated() {
      for (i, p) in group.parameters.enumerated() {
        let key = group.key(i, group: g)
        precondition(seen.insert(key).inserted, "optimizer: two parameters share the checkpoint key \"\(key)\"")
        out.append((key, p))
      }
    }
    return out
  }

  /// See `Optimizer.stateTensors()`. `bufferNames` are the buffers a stepped parameter holds.
  func tensors(groups: [ParameterGroup], bufferNames: [String]) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (key, p) in Self.keyed(groups) {
      let s = existing(p)
      out[key + ".step"] = Tensor(shape: [1], [Float(s?.step ?? 0)])
      guard let s, s.step > 0 else { continue }
      for (name, buffer) in zip(bufferNames, s.buffers) { out[key + "." + name] = buffer }
    }
    return out
  }

  /// See `Optimizer.loadState(_:)`. Validates everything before changing anything.
  mutating func load(_ tensors: [String: Tensor], groups: [ParameterGroup],
                     bufferNames: [String]) throws(OptimizerStateError) {
    var error = OptimizerStateError()
    var used = Set<String>()
    var loaded: [(Tensor, Int, [Tensor])] = []
    for (key, p) in Self.keyed(groups) {
      let stepKey = key + ".step"
      guard let stepTensor = tensors[stepKey] else {
        error.missingKeys.append(stepKey)
        for name in bufferNames { used.insert(key + "." + name) }  // reported once, via .step
        continue
      }
      used.insert(stepKey)
      var step: Int?
      if stepTensor.count != 1 {
        error.shapeMismatches.append(.init(key: stepKey, expected: [1], actual: stepTensor.shape))
      } else {
        let v = stepTensor.data[0]
        if v >= 0, v.isFinite, v.rounded(.towardZero) == v { step = Int(v) } else { error.invalidSteps.append(stepKey) }
      }
      guard let step else {
        for name in bufferNames { used.insert(key + "." + name) }
        continue
      }
      var buffers: [Tensor] = []
      if step > 0 {
        for name in bufferNames {
          let bufferKey = key + "." + name
          guard let b = tensors[bufferKey] else { error.missingKeys.append(bufferKey); continue }
          used.insert(bufferKey)
          if b.shape != p.shape {
            error.shapeMismatches.append(.init(key: bufferKey, expected: p.shape, actual: b.shape))
          } else {
            buffers.append(b)
          }
        }
      }
      loaded.append((p, step, buffers))
    }
    error.unexpectedKeys = tensors.keys.filter { !used.contains($0) }.sorted()
    error.missingKeys.sort()
    guard error.isEmpty else { throw error }
    for (p, step, buffers) in loaded {
      let s = state(for: p)
      s.step = step
      s.buffers = buffers.map { $0.copy() }
    }
  }

  /// Checks that no tensor appears twice (PyTorch refuses that too).
  static func checkDistinct(_ groups: [ParameterGroup], _ caller: String) {
    var seen = Set<ObjectIdentifier>()
    for group in groups {
      for p in group.parameters {
        precondition(seen.insert(ObjectIdentifier(p)).inserted,
                     "\(caller): a parameter of shape \(p.shape) appears in more than one place")
      }
    }
  }
}
