/// One recorded operation: its inputs and how to turn the gradient of its
/// output into gradients of those inputs.
public final class BackwardNode {
  public let name: String
  /// Inputs in the order `backward` returns their gradients.
  public internal(set) var inputs: [Tensor]
  /// Maps ∂L/∂output to ∂L/∂input for each input (nil where none is needed).
  let backward: (Tensor) -> [Tensor?]

  init(name: String, inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
    self.name = name
    self.inputs = inputs
    self.backward = backward
  }

  /// Runs `body` and returns how many backward steps it recorded (on this task
  /// only, so concurrent work elsewhere does not count). Tests use it to prove
  /// that a frozen forward pass records nothing.
  public static func counting<R>(_ body: () throws -> R) rethrows -> (result: R, recorded: Int) {
    let counter = Counter()
    let result = try $counter.withValue(counter) { try body() }
    return (result, counter.count)
  }

  final class Counter: @unchecked Sendable { var count = 0 }
  @TaskLocal static var counter: Counter?
}

extension Tensor {
  /// True when an operation on `inputs` must record a backward step.
  @inlinable
  public static func needsGradient(_ inputs: Tensor...) -> Bool {
    guard GradientMode.isEnabled else { return false }
    for t in inputs where t.requiresGrad { return true }
    return false
  }

  @inlinable
  public static func needsGradient(_ inputs: [Tensor]) -> Bool {
    guard GradientMode.isEnabled else { return false }
    for t in inputs where t.requiresGrad { return true }
    return false
  }

  /// Records `backward` as the operation that produced `self`. Call only after
  /// `needsGradient(inputs)` returned true; `backward` receives ∂L/∂self and
  /// returns one gradient (or nil) per input, each of that input's shape.
  public func record(_ name: String, _ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) {
    requiresGrad = true
    gradFn = BackwardNode(name: name, inputs: inputs, backward: backward)
    BackwardNode.counter?.count += 1
  }

  /// Back-propagates from this scalar: accumulates ∂self/∂leaf into every leaf's
  /// `grad` (with `+=`, as PyTorch does). The graph is freed afterwards unless
  /// `retainGraph` is set.
  public func backward(retainGraph: Bool = false) {
    precondition(count == 1, "backward: needs a one-element loss, got shape \(shape)")
    backward(gradient: Tensor(shape: shape, [1]), retainGraph: retainGraph)
  }

  /// Back-propagates `gradient` (∂L/∂self, same shape as self).
  public func backward(gradient: Tensor, retainGraph: Bool = false) {
    precondition(gradient.shape == shape, "backward: gradient \(gradient.shape) for tensor \(shape)")
    precondition(requiresGrad, "backward: tensor does not require a gradient")
    // Topological order of the recorded nodes reachable from self (iterative DFS).
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Bool)] = [(self, false)]
    while let (t, expanded) = stack.popLast() {
      if expanded { order.append(t); continue }
      guard visited.insert(ObjectIdentifier(t)).inserted else { continue }
      stack.append((t, true))
      if let node = t.gradFn {
        for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
          stack.append((input, false))
        }
      }
    }
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): gradient]
    withoutGradients {
      for t in order.reversed() {
        guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
        guard let node = t.gradFn else {
          t.accumulateGradient(g)
          continue
        }
        let inputGrads = node.backward(g)
        precondition(inputGrads.count == node.inputs.count, "backward of \(node.name): wrong gradient count")
        for (input, ig) in zip(node.inputs, inputGrads) {
          guard input.requiresGrad, let ig else { continue }
          precondition(ig.shape == input.shape,
                       "backward of \(node.name): gradient \(ig.shape) for input \(input.shape)")
          let key = ObjectIdentifier(input)
          if let existing = grads[key] {
            grads[key] = existing.summed(with: ig)
          } else {
            grads[key] = ig
          }
        }
        if !retainGraph { t.gradFn = nil; t.requiresGrad = true }
      }
    }
  }

  /// `grad += g` for a leaf; allocates the gradient buffer on first use.
  func accumulateGradient(_ g: Tensor) {
    if let existing = grad {
      Kernels.addInPlace(existing.data, g.data, count: count)
    } else {
      grad = g.copy()  // backward rules may return views of shared buffers
    }
  }

  /// Sums two gradient contributions into a new buffer (either may be a view
  /// of a buffer that another rule still holds).
  func summed(with other: Tensor) -> Tensor {
    let out = copy()
    Kernels.addInPlace(out.data, other.data, count: count)
    return out
  }
}
