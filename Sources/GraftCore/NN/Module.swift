/// Base class of every layer and network: named parameters, buffers and
/// submodules whose dotted names equal PyTorch `state_dict` keys for the same
/// architecture (`layer1.0.conv1.weight`, `bn1.running_mean`).
///
/// Subclasses declare parameters with `@Param`, buffers with `@Buffer`, and
/// submodules as stored properties (a `Module`, an optional one, or an array of
/// them, keyed `name.0`, `name.1`, …). Reflection finds them; nothing needs
/// registering. Override `namedChildren()` only to change the keys (as
/// `Sequential` does).
open class Module {
  /// Training mode (dropout active, batch statistics in BatchNorm). Set by `train()`/`eval()`.
  public private(set) var isTraining = true
  /// Frozen: parameters get no gradient and BatchNorm uses running statistics,
  /// whatever the training mode (Keras semantics). Set by `freeze()`/`unfreeze()`.
  public private(set) var isFrozen = false

  public init() {}

  // MARK: Tree

  /// Direct submodules with their keys, in declaration order.
  open func namedChildren() -> [(String, Module)] {
    var result: [(String, Module)] = []
    forEachProperty { label, value in
      if let m = value as? Module {
        result.append((label, m))
      } else if let list = value as? [Module] {
        for (i, m) in list.enumerated() { result.append(("\(label).\(i)", m)) }
      }
    }
    return result
  }

  /// Every module of the tree (self first) with its dotted path ("" for self).
  public func namedModules(prefix: String = "") -> [(String, Module)] {
    var out = [(prefix, self)]
    for (key, child) in namedChildren() {
      out += child.namedModules(prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
    }
    return out
  }

  /// This module's own parameters (not its children's), with their keys.
  public func ownParameters() -> [(String, Param)] {
    var out: [(String, Param)] = []
    forEachProperty { label, value in
      if let p = value as? Param { out.append((p.key ?? Module.stripWrapperPrefix(label), p)) }
    }
    return out
  }

  /// This module's own buffers, with their keys.
  public func ownBuffers() -> [(String, Buffer)] {
    var out: [(String, Buffer)] = []
    forEachProperty { label, value in
      if let b = value as? Buffer { out.append((b.key ?? Module.stripWrapperPrefix(label), b)) }
    }
    return out
  }

  /// All parameters of the tree with dotted names, in `state_dict` order.
  public func namedParameters() -> [(String, Tensor)] {
    namedModules().flatMap { path, m in m.ownParameters().map { (Module.join(path, $0.0), $0.1.wrappedValue) } }
  }

  public func parameters() -> [Tensor] { namedParameters().map(\.1) }

  /// Parameters that currently receive gradients.
  public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }
  public func namedTrainableParameters() -> [(String, Tensor)] { namedParameters().filter { $0.1.requiresGrad } }

  public func namedBuffers() -> [(String, Tensor)] {
    namedModules().flatMap { path, m in m.ownBuffers().map { (Module.join(path, $0.0), $0.1.wrappedValue) } }
  }

  public func buffers() -> [Tensor] { namedBuffers().map(\.1) }

  // MARK: Modes

  /// Training mode for the whole subtree (as `nn.Module.train()`).
  public func train(_ on: Bool = true) {
    for (_, m) in namedModules() { m.isTraining = on }
  }

  /// Inference mode for the whole subtree (as `nn.Module.eval()`).
  public func eval() { train(false) }

  /// Freezes the subtree: no parameter receives a gradient and every BatchNorm
  /// normalizes with its running statistics (and stops updating them), even
  /// while the rest of the model trains. Frozen layers record nothing on the
  /// tape, so a frozen base costs one forward pass.
  public func freeze() { setFrozen(true) }

  /// Undoes `freeze()` for the subtree.
  public func unfreeze() { setFrozen(false) }

  func setFrozen(_ frozen: Bool) {
    for (_, m) in namedModules() {
      m.isFrozen = frozen
      for (_, p) in m.ownParameters() {
        p.frozen = frozen
        p.wrappedValue.requiresGrad = !frozen
      }
    }
  }

  /// Number of parameter elements (all, or only trainable ones).
  public func parameterCount(trainableOnly: Bool = false) -> Int {
    (trainableOnly ? trainableParameters() : parameters()).reduce(0) { $0 + $1.count }
  }

  // MARK: Reflection

  /// Calls `body(label, value)` for each stored property of the dynamic class
  /// and its superclasses below `Module`.
  func forEachProperty(_ body: (String, Any) -> Void) {
    var mirror: Mirror? = Mirror(reflecting: self)
    var levels: [Mirror] = []
    while let m = mirror, m.subjectType != Module.self {
      levels.append(m)
      mirror = m.superclassMirror
    }
    for level in levels.reversed() {  // base-class properties first
      for child in level.children {
        guard let label = child.label else { continue }
        body(label, child.value)
      }
    }
  }

  static func stripWrapperPrefix(_ label: String) -> String {
    label.hasPrefix("_") ? String(label.dropFirst()) : label
  }

  static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// A module with one tensor in and one tensor out. Subclasses implement
/// `forward`; calling the layer runs it and reports the output to an active
/// `summary()` trace.
open class Layer: Module {
  open func forward(_ x: Tensor) -> Tensor {
    preconditionFailure("\(type(of: self)) must override forward(_:)")
  }

  public final func callAsFunction(_ x: Tensor) -> Tensor {
    let y = forward(x)
    ShapeTrace.report(self, y)
    return y
  }
}
