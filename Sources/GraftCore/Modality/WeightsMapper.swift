import Synchronization

/// Turns a weights file whose tensors are not a state dict — a TFLite graph, where weights hang
/// off operators — into one registered architecture's state dict. Modality modules register one
/// per architecture and format (GraftVision: `mobilenet_v2` from TFLite); `BaseSource.load`
/// looks them up, so GraftCore reads the container and never knows the networks.
///
/// ```swift
/// WeightsMapper.register(WeightsMapper(architecture: "mobilenet_v2", format: .tflite) { path, requested in
///   let w = try MobileNetV2.tfliteWeights(path: path)
///   return MappedWeights(architecture: …, stateDict: w.stateDict)
/// })
/// ```
public struct WeightsMapper: Sendable {
  /// Reads `path` as this architecture; `requested` is the caller's spec (nil: take what the
  /// file says). Throws (any typed error naming the file) when the file is not this network.
  public typealias Map = @Sendable (_ path: String, _ requested: ArchitectureSpec?) throws -> MappedWeights

  public let architecture: String
  public let format: WeightsFormat
  public let map: Map

  public init(architecture: String, format: WeightsFormat, map: @escaping Map) {
    self.architecture = architecture
    self.format = format
    self.map = map
  }

  static let registered = Mutex<[String: WeightsMapper]>([:])

  /// Adds (or replaces) the mapper for its architecture and format.
  public static func register(_ mapper: WeightsMapper) {
    registered.withLock { $0[mapper.format.rawValue + "/" + mapper.architecture] = mapper }
  }

  /// The registered mappers of `format`, by architecture name.
  public static func mappers(for format: WeightsFormat) -> [WeightsMapper] {
    registered.withLock { $0.values.filter { $0.format == format }.sorted { $0.architecture < $1.architecture } }
  }

  /// `requested`'s mapper, or with none requested the first (by name) that recognises the file.
  static func map(_ path: String, format: WeightsFormat, requested: ArchitectureSpec?) throws -> MappedWeights {
    let candidates = mappers(for: format)
    if let requested {
      guard let mapper = candidates.first(where: { $0.architecture == requested.name }) else {
        throw BaseSourceError(path: path, reason: .noMapper(architecture: requested.name, format: format))
      }
      return try mapper.map(path, requested)
    }
    var tried: [String] = []
    for mapper in candidates {
      do {
        return try mapper.map(path, nil)
      } catch {
        tried.append("\(mapper.architecture): \(error)")
      }
    }
    throw BaseSourceError(path: path, reason: .unrecognised(format: format, tried: tried))
  }
}

/// What a `WeightsMapper` read: the architecture the file holds (hyper-parameters included, as
/// the file implies them), its state dict under that architecture's keys, and the input the
/// file states.
public struct MappedWeights {
  public var architecture: ArchitectureSpec
  public var stateDict: [String: Tensor]
  /// The preprocessing the file states for its input, in the modality's bundle `preprocessing`
  /// vocabulary (a vision base: `width`, `height`, and per-channel `mean`/`std` of [0, 1]
  /// samples); empty when the file says nothing. GraftCore carries it; the modality reads it
  /// (`LoadedBase.preprocessing`).
  public var preprocessing: [String: JSONValue]

  public init(architecture: ArchitectureSpec, stateDict: [String: Tensor], preprocessing: [String: JSONValue] = [:]) {
    self.architecture = architecture
    self.stateDict = stateDict
    self.preprocessing = preprocessing
  }
}
