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
    /// The rates reduce to a ratio whose polyphase sinc kernel (`SincResampler`, one filter per
    /// output phase) would have this many taps, past its limit: the rates share too small a factor.
    case kernelTooLarge(Int)

    public var description: String {
      switch self {
      case .invalidRate: "sample rates must be positive"
      case .ratioOutOfRange: "ratio outside 1/256…256"
      case .converter(let m): m
      case .kernelTooLarge(let taps): "the rates share too small a factor: a \(taps)-tap polyphase kernel"
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
