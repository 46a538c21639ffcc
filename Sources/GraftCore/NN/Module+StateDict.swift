/// Everything that keeps a state dict from loading, gathered in one error
/// (as PyTorch's `load_state_dict` does).
public struct StateDictError: Error, Equatable, CustomStringConvertible {
  public struct Mismatch: Equatable, Sendable {
    public var key: String
    public var expected: [Int]
    public var actual: [Int]
    public init(key: String, expected: [Int], actual: [Int]) {
      self.key = key; self.expected = expected; self.actual = actual
    }
  }
  /// Where the state came from (a file path, or "state dict").
  public var source: String
  public var missing: [String]
  public var unexpected: [String]
  public var mismatched: [Mismatch]

  public var description: String {
    var parts: [String] = []
    if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
    if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
    if !mismatched.isEmpty {
      parts.append("shape mismatches: " + mismatched.map { "\($0.key) expected \($0.expected), got \($0.actual)" }
        .joined(separator: ", "))
    }
    return "\(source): \(parts.joined(separator: "; "))"
  }
}

extension Module {
  /// Parameters and buffers with dotted keys in PyTorch's `state_dict` order
  /// (per module: parameters, then buffers; then its children).
  public func stateDict() -> [(String, Tensor)] {
    namedModules().flatMap { path, m in
      m.ownParameters().map { (Module.join(path, $0.0), $0.1.wrappedValue) }
        + m.ownBuffers().map { (Module.join(path, $0.0), $0.1.wrappedValue) }
    }
  }

  /// Copies `state` into this module's tensors (their identity is kept, so
  /// optimizers holding them stay valid). With `strict`, missing or unexpected
  /// keys fail; shape mismatches always fail. Nothing is changed on failure.
  public func load(_ state: [String: Tensor], strict: Bool = true, source: String = "state dict") throws(StateDictError) {
    let own = stateDict()
    let ownKeys = Set(own.map(\.0))
    var error = StateDictError(source: source, missing: [], unexpected: [], mismatched: [])
    for (key, tensor) in own {
      guard let incoming = state[key] else { error.missing.append(key); continue }
      if incoming.shape != tensor.shape {
        error.mismatched.append(.init(key: key, expected: tensor.shape, actual: incoming.shape))
      }
    }
    error.unexpected = state.keys.filter { !ownKeys.contains($0) }.sorted()
    if !error.mismatched.isEmpty || (strict && (!error.missing.isEmpty || !error.unexpected.isEmpty)) {
      throw error
    }
    withoutGradients {
      for (key, tensor) in own { if let incoming = state[key] { tensor.assign(incoming) } }
    }
  }

  /// Copies the state of a module of the same architecture.
  public func load(from other: Module) throws(StateDictError) {
    try load(Dictionary(uniqueKeysWithValues: other.stateDict().map { ($0.0, $0.1) }))
  }
}
