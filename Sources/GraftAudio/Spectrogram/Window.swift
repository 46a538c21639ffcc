/// Analysis windows, periodic ("DFT-even") as `scipy.signal.get_window(window, n, fftbins=True)`
/// returns them for `librosa.stft`, or symmetric (`symmetric(_:)`) as `torch.hann_window(n,
/// periodic=False)`.
public enum WindowFunction: String, Sendable, CaseIterable {
  /// w[n] = 0.5 − 0.5 cos(2πn/N).
  case hann
  /// w[n] = 0.54 − 0.46 cos(2πn/N).
  case hamming

  /// The periodic window of `length` samples, computed in Double.
  public func periodic(_ length: Int) -> [Double] {
    precondition(length >= 1, "WindowFunction.periodic: length \(length)")
    let (a, b): (Double, Double) = self == .hann ? (0.5, 0.5) : (0.54, 0.46)
    return (0..<length).map { n in a - b * cos(2 * Double.pi * Double(n) / Double(length)) }
  }

  /// The symmetric window of `length` samples (`w[n] = a − b cos(2πn/(length − 1))`, first and
  /// last samples equal), as `torch.hann_window(length, periodic=False)` and
  /// `scipy.signal.get_window(window, n, fftbins=False)`; computed in Double. Length 1 gives [1].
  public func symmetric(_ length: Int) -> [Double] {
    precondition(length >= 1, "WindowFunction.symmetric: length \(length)")
    if length == 1 { return [1] }
    let (a, b): (Double, Double) = self == .hann ? (0.5, 0.5) : (0.54, 0.46)
    return (0..<length).map { n in a - b * cos(2 * Double.pi * Double(n) / Double(length - 1)) }
  }

  /// The window of `length` zero-padded on both sides to `size`, centred as
  /// `librosa.util.pad_center` does (left padding `(size - length) / 2`): periodic by default,
  /// symmetric with `periodic: false`.
  public func padded(_ length: Int, to size: Int, periodic: Bool = true) -> [Double] {
    precondition(length <= size, "WindowFunction.padded: window \(length) longer than \(size)")
    var out = [Double](repeating: 0, count: size)
    let left = (size - length) / 2
    for (i, w) in (periodic ? self.periodic(length) : symmetric(length)).enumerated() { out[left + i] = w }
    return out
  }
}

#if canImport(Glibc)
import Glibc
#endif
