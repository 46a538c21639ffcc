import Foundation

/// A trained model on disk: a directory `NAME.graft/` holding `config.json`
/// (format version, modality, architecture and hyper-parameters, label names,
/// every preprocessing parameter, training history) and `model.safetensors`.
/// Loading it rebuilds the model and its preprocessing with nothing else.
public struct ModelBundle {
  public static let formatVersion = 1
  public static let configFile = "config.json"
  public static let weightsFile = "model.safetensors"

  public typealias Architecture = ArchitectureSpec

  public struct Config: Codable, Equatable, Sendable {
    public var formatVersion: Int
    /// "vision", "text", "audio" or "core".
    public var modality: String
    public var architecture: Architecture
    public var labels: [String]
    public var preprocessing: [String: JSONValue]
    /// Per-epoch metrics and anything else worth showing in `graft summary`.
    public var training: [String: JSONValue]
    public var graftVersion: String

    public init(modality: String, architecture: Architecture, labels: [String],
                preprocessing: [String: JSONValue] = [:], training: [String: JSONValue] = [:],
                graftVersion: String = "0.1.0") {
      formatVersion = ModelBundle.formatVersion
      self.modality = modality
      self.architecture = architecture
      self.labels = labels
      self.preprocessing = preprocessing
      self.training = training
      self.graftVersion = graftVersion
    }

    enum CodingKeys: String, CodingKey {
      case formatVersion = "format_version", modality, architecture, labels, preprocessing, training
      case graftVersion = "graft_version"
    }
  }

  public var config: Config
  /// State-dict tensors of the model.
  public var weights: [String: Tensor]

  public init(config: Config, weights: [String: Tensor]) {
    self.config = config
    self.weights = weights
  }

  public init(config: Config, model: Module) {
    self.init(config: config, weights: Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.0, $0.1) }))
  }

  /// Writes the bundle directory. Files go to a temporary directory beside the
  /// target, which then replaces any existing bundle, so a failed write never
  /// leaves a partial bundle nor damages the previous one. The replacement is one atomic
  /// exchange of the two directories (`renameat2(RENAME_EXCHANGE)`): a process killed at any
  /// moment (`SIGKILL`, power loss after the directory is synced) leaves the old bundle or the
  /// new one at `path`, never a mix and never neither. Where the file system cannot exchange,
  /// the old bundle is moved aside first (a kill between the two renames then leaves it at
  /// `.NAME.graft.old-PID`).
  ///
  /// In a data-parallel job (`ProcessGroups.current` of more than one process) only rank 0
  /// writes: every rank holds the same model, and one writer leaves no race on the path.
  public func write(to path: String) throws(BundleError) {
    guard ProcessGroups.isLeader else { return }
    let fm = FileManager.default
    let target = URL(fileURLWithPath: path).standardizedFileURL
    let parent = target.deletingLastPathComponent()
    // Leftovers of earlier writes of this bundle that were killed (their process is gone).
    StaleTemporaries.remove(in: parent.path, name: target.lastPathComponent, kind: "tmp")
    if fm.fileExists(atPath: target.path) {
      StaleTemporaries.remove(in: parent.path, name: target.lastPathComponent, kind: "old")
    }
    let temp = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    do {
      try fm.createDirectory(at: temp, withIntermediateDirectories: false)
    } catch {
      throw BundleError(path: path, reason: .writeFailed("cannot create \(temp.path): \(Self.reason(error))"))
    }
    do {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      let json = try encoder.encode(config)
      try AtomicFile.write([UInt8](json) + [10], to: temp.appendingPathComponent(Self.configFile).path)
      try SafeTensors.write(weights, metadata: ["format": "pt", "graft": "bundle"],
                            to: temp.appendingPathComponent(Self.weightsFile).path)
      // Swap in atomically, then delete the old bundle (now at the temporary name).
      if fm.fileExists(atPath: target.path) {
        do throws(SystemError) {
          try Syscalls.exchange(temp.path, target.path)
          Syscalls.syncDirectoryIgnoringErrors(parent.path)
          try? fm.removeItem(at: temp)
          return
        } catch where error.code == ENOSYS || error.code == EINVAL {
          // No exchange here: the two-step replacement below.
        } catch {
          throw BundleError(path: path, reason: .writeFailed("cannot replace \(target.path): \(error.message)"))
        }
      }
      // Move any old bundle aside, move the new one in, delete the old one.
      var backup: URL? = nil
      if fm.fileExists(atPath: target.path) {
        let b = parent.appendingPathComponent(".\(target.lastPathComponent).old-\(getpid())")
        try? fm.removeItem(at: b)
        try fm.moveItem(at: target, to: b)
        backup = b
      }
      do {
        try fm.moveItem(at: temp, to: target)
      } catch {
        if let backup { try? fm.moveItem(at: backup, to: target) }
        throw error
      }
      if let backup { try? fm.removeItem(at: backup) }
    } catch let error as BundleError {
      try? fm.removeItem(at: temp)
      throw error
    } catch {
      try? fm.removeItem(at: temp)
      throw BundleError(path: path, reason: .writeFailed(Self.reason(error)))
    }
  }

  /// Reads and validates a bundle directory.
  public static func read(from path: String) throws(BundleError) -> ModelBundle {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      // A write killed between its two renames leaves the previous bundle moved aside: say where.
      let target = URL(fileURLWithPath: path).standardizedFileURL
      if let backup = StaleTemporaries.stale(in: target.deletingLastPathComponent().path, name: target.lastPathComponent,
                                             kind: "old").first {
        throw BundleError(path: path, reason: .interruptedWrite(backup: backup))
      }
      throw BundleError(path: path, reason: .missing)
    }
    guard isDirectory.boolValue else { throw BundleError(path: path, reason: .notADirectory) }
    let configPath = (path as NSString).appendingPathComponent(configFile)
    guard let data = FileManager.default.contents(atPath: configPath) else {
      throw BundleError(path: path, reason: .missingFile(configFile))
    }
    // Check the version first, so a future format gets a clear error rather than a decoding one.
    struct VersionOnly: Decodable {
      var formatVersion: Int?
      enum CodingKeys: String, CodingKey { case formatVersion = "format_version" }
    }
    guard let version = try? JSONDecoder().decode(VersionOnly.self, from: data) else {
      throw BundleError(path: path, reason: .invalidConfig("config.json is not a JSON object"))
    }
    guard let v = version.formatVersion else { throw BundleError(path: path, reason: .invalidConfig("no format_version")) }
    guard v == formatVersion else { throw BundleError(path: path, reason: .unsupportedFormatVersion(v)) }
    let config: Config
    do {
      config = try JSONDecoder().decode(Config.self, from: data)
    } catch {
      throw BundleError(path: path, reason: .invalidConfig(reason(error)))
    }
    // Labels become keys of predictions and reports: two equal as `String` (a repeated label, or
    // the same text in two Unicode normalisation forms) cannot both be told apart there.
    if let (a, b) = config.labels.firstEquivalentPair() {
      let detail = a.utf8.elementsEqual(b.utf8) ? "" : " (\(a.unicodeScalarCodes) vs \(b.unicodeScalarCodes))"
      throw BundleError(path: path, reason: .invalidConfig("label \"\(b)\" appears twice\(detail)"))
    }
    let weightsPath = (path as NSString).appendingPathComponent(weightsFile)
    guard FileManager.default.fileExists(atPath: weightsPath) else {
      throw BundleError(path: path, reason: .missingFile(weightsFile))
    }
    do {
      let file = try SafeTensors.read(weightsPath)
      return ModelBundle(config: config, weights: file.tensors)
    } catch {
      throw BundleError(path: path, reason: .invalidWeights(error.description))
    }
  }

  /// Loads the weights into `model` (built from `config.architecture`), strictly.
  public func load(into model: Module, path: String) throws(BundleError) {
    do {
      try model.load(weights, strict: true, source: (path as NSString).appendingPathComponent(Self.weightsFile))
    } catch {
      throw BundleError(path: path, reason: .weightsDoNotMatch(error.description))
    }
  }

  static func reason(_ error: any Error) -> String { String(describing: error) }
}

/// Why a model bundle could not be read or written.
public struct BundleError: Error, Equatable, CustomStringConvertible {
  public enum Reason: Equatable, Sendable {
    case missing
    /// Missing, but an interrupted write left the previous bundle at `backup`.
    case interruptedWrite(backup: String)
    case notADirectory
    case missingFile(String)
    case invalidConfig(String)
    case unsupportedFormatVersion(Int)
    case wrongModality(expected: String, actual: String)
    /// No classifier type is registered for the bundle's modality (`ModalityRegistry`).
    case unsupportedModality(String)
    case unknownArchitecture(String)
    case invalidWeights(String)
    case weightsDoNotMatch(String)
    case writeFailed(String)
  }
  public var path: String
  public var reason: Reason

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String {
    switch reason {
    case .missing: return "\(path): no such bundle"
    case .interruptedWrite(let backup):
      return "\(path): no such bundle, but an interrupted write left the previous one at \(backup) (rename it back)"
    case .notADirectory: return "\(path): not a bundle directory (expected NAME.graft/ with config.json and model.safetensors)"
    case .missingFile(let f): return "\(path): missing \(f)"
    case .invalidConfig(let why): return "\(path): invalid config.json: \(why)"
    case .unsupportedFormatVersion(let v):
      return "\(path): bundle format version \(v) is not supported (this graft reads version \(ModelBundle.formatVersion))"
    case .wrongModality(let expected, let actual):
      return "\(path): this bundle's modality is \(actual), expected \(expected)"
    case .unsupportedModality(let modality):
      return "\(path): bundle of modality \"\(modality)\": not supported by this build yet"
    case .unknownArchitecture(let name): return "\(path): unknown architecture \"\(name)\""
    case .invalidWeights(let why): return "\(path): invalid weights: \(why)"
    case .weightsDoNotMatch(let why): return "\(path): weights do not match the architecture: \(why)"
    case .writeFailed(let why): return "\(path): cannot write bundle: \(why)"
    }
  }
}
