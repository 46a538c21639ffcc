/// An audio file that could not be turned into log-mel patches: the path and why.
public struct PreprocessingError: Error, Equatable, CustomStringConvertible {
  public let path: String
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// The file could not be decoded (`AudioError`'s reason).
    case decode(AudioError.Reason)
    /// The file holds no samples.
    case noSamples
    /// Resampling to the front end's rate failed.
    case resample(ResampleError)
    /// The spectrogram could not be computed.
    case spectrogram(SpectrogramError)

    public var description: String {
      switch self {
      case .decode(let r): r.description
      case .noSamples: "no audio samples"
      case .resample(let e): e.description
      case .spectrogram(let e): e.description
      }
    }
  }

  public init(path: String, reason: Reason) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}

extension PreprocessingError {
  /// Decodes `path` for a front end, a decoding failure reported as this error (one place for
  /// every front end's `file:` entry point).
  static func decodedAudio(at path: String) throws(PreprocessingError) -> AudioBuffer {
    do {
      return try decodeAudio(at: path)
    } catch {
      throw PreprocessingError(path: path, reason: .decode(error.reason))
    }
  }
}
