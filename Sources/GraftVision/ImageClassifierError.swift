import GraftCore

/// Why an image classifier could not train or evaluate on a folder.
public struct ImageClassifierError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case tooFewClasses(Int)
    case unknownClass(name: String, known: [String])
    /// The base states an input preprocessing that is not one (`LoadedBase.preprocessing`).
    case invalidBasePreprocessing(SettingsError)
    /// A bare network file asked to classify has no classifier (`classifier.1.` or `fc.` weights).
    case noClassifier(architecture: String)
    /// A class-name file that cannot be read, or names another number of classes.
    case labels(String)
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
    case .noClassifier(let architecture):
      return "\(path): this \(architecture) has no classifier to predict with (no classifier.1 or fc weights); train a head on it with graft vision train"
    case .labels(let why): return "\(path): \(why)"
    }
  }
}
