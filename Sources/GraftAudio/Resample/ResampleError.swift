/// A resampling request that cannot be carried out.
public struct ResampleError: Error, Equatable, CustomStringConvertible {
  /// The rates asked for, in Hz.
  public let from: Int
  public let to: Int
  public let reason: Reason

  public enum Reason: Equatable, Sendable, CustomStringConvertible {
    /// A rate is zero or negative.
    case invalidRate
    /// `to / from` lies outside libsamplerate's range (1/256 to 256).
    case ratioOutOfRange
    /// libsamplerate refused; carries `src_strerror`'s message.
    case converter(String)

    public var description: String {
      switch self {
      case .invalidRate: "sample rates must be positive"
      case .ratioOutOfRange: "ratio outside 1/256…256"
      case .converter(let m): m
      }
    }
  }

  public init(from: Int, to: Int, reason: Reason) {
    self.from = from
    self.to = to
    self.reason = reason
  }

  public var description: String { "resampling \(from) Hz to \(to) Hz: \(reason)" }
}
