/// Why a base could not be built from its source. Errors of the file formats themselves
/// (`WeightsFormatError`, `SafeTensorsError`, `PyTorchError`, `TFLiteError`) and of bundles
/// (`BundleError`) are thrown as they are: each names the file too.
public struct BaseSourceError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable {
    /// No file at the path.
    case missing
    /// A directory given as a weights file.
    case notAWeightsFile
    /// The file does not say which network it holds and none was given.
    case needsArchitecture(WeightsFormat)
    /// The file names one architecture, the caller another.
    case architectureConflict(file: String, given: String)
    /// safetensors metadata that names an architecture badly.
    case invalidMetadata(String)
    /// An architecture the modality cannot use (an image network on audio patches).
    case notForThisModality(String, allowed: [String])
    /// No registered `WeightsMapper` for this architecture and format.
    case noMapper(architecture: String, format: WeightsFormat)
    /// No registered `WeightsMapper` recognised the file: each one's reason.
    case unrecognised(format: WeightsFormat, tried: [String])
    /// The file's tensors do not match the architecture's (every missing, unexpected and
    /// mis-shaped key).
    case weightsDoNotFit(architecture: String, StateDictError)
  }

  public let path: String
  public let reason: Reason

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String {
    switch reason {
    case .missing:
      return "\(path): no such weights file"
    case .notAWeightsFile:
      return "\(path): a directory, not a weights file"
    case .needsArchitecture(let format):
      return "\(path): a \(format.rawValue) file that does not say which network it holds; name the architecture (--arch)"
    case .architectureConflict(let file, let given):
      return "\(path): the file holds \(file), not \(given)"
    case .invalidMetadata(let why):
      return "\(path): invalid safetensors metadata: \(why)"
    case .notForThisModality(let name, let allowed):
      return "\(path): \(name) is not a base for this modality (one of \(allowed.joined(separator: ", ")))"
    case .noMapper(let name, let format):
      return "\(path): no reader maps a \(format.rawValue) file onto \(name)"
    case .unrecognised(let format, let tried):
      return tried.isEmpty ? "\(path): no registered architecture reads \(format.rawValue) files"
        : "\(path): no registered architecture recognises this \(format.rawValue) file (\(tried.joined(separator: "; ")))"
    case .weightsDoNotFit(let name, let error):
      let detail = error.description.hasPrefix(error.source + ": ")
        ? String(error.description.dropFirst(error.source.count + 2)) : error.description
      return "\(path): weights do not fit \(name): \(detail)"
    }
  }
}
