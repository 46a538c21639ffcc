/// A signal the STFT cannot frame.
public enum SpectrogramError: Error, Equatable, CustomStringConvertible {
  /// Fewer samples than one frame needs (`nFFT` without centring, one with it).
  case signalTooShort(samples: Int, needed: Int)

  public var description: String {
    switch self {
    case .signalTooShort(let samples, let needed): "signal of \(samples) samples is shorter than one frame (\(needed))"
    }
  }
}
