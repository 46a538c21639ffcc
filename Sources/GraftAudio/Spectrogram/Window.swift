/// Analysis windows, periodic ("DFT-even") as `scipy.signal.get_window(window, n, fftbins=True)`
/// returns them for `librosa.stft`.
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

  /// The window of `length` zero-padded on both sides to `size`, centred as
  /// `librosa.util.pad_center` does (left padding `(size - length) / 2`).
  public func padded(_ length: Int, to size: Int) -> [Double] {
    precondition(length <= size, "WindowFunction.padded: window \(length) longer than \(size)")
    var out = [Double](repeating: 0, count: size)
    let left = (size - length) / 2
    for (i, w) in periodic(length).enumerated() { out[left + i] = w }
    return out
  }
}

#if canImport(Glibc)
import Glibc
#endif
