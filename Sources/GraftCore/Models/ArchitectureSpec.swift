/// A network's architecture as data: a registered name and its hyper-parameters.
/// Bundles store it in `config.json`; `ArchitectureRegistry` turns it back into a module.
public struct ArchitectureSpec: Codable, Equatable, Sendable {
  public var name: String
  public var hyperparameters: [String: JSONValue]

  public init(name: String, hyperparameters: [String: JSONValue] = [:]) {
    self.name = name
    self.hyperparameters = hyperparameters
  }

  /// As one JSON object (`{"name": …, "hyperparameters": {…}}`), for nesting.
  public var json: JSONValue { .object(["name": .string(name), "hyperparameters": .object(hyperparameters)]) }

  public init?(json: JSONValue) {
    guard let name = json["name"]?.string else { return nil }
    self.init(name: name, hyperparameters: json["hyperparameters"]?.object ?? [:])
  }
}

/// Why an architecture could not be rebuilt from its description.
public struct ArchitectureError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case unknown(String)
    case invalidHyperparameter(String)
  }
  public var reason: Reason
  public init(_ reason: Reason) { self.reason = reason }
  public var description: String {
    switch reason {
    case .unknown(let name): return "unknown architecture \"\(name)\""
    case .invalidHyperparameter(let why): return "invalid hyper-parameter: \(why)"
    }
  }
}
