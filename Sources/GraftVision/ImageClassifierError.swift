import GraftCore

/// Why an image classifier could not train or evaluate on a folder.
public struct ImageClassifierError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case tooFewClasses(Int)
    case unknownClass(name: String, known: [String])
    /// The base states an input preprocessing that is not one (`LoadedBase.preprocessing`).
    case invalidBasePreprocessing(SettingsError)
  }
  public let path: String
  public let reason: Reason
  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }
  public var description: String {
    switch reason {
    case .tooFewClasses(let n): return "\(path): \(n) class folder(s); a classifier needs at least 2"
    case .unknownClass(let name, let known):
      return "\(path): class \"\(name)\" is not one of the model's labels (\(known.joined(separator: ", ")))"
    case .invalidBasePreprocessing(let error): return "\(path): the base's stated preprocessing: \(error)"
    }
  }
}
