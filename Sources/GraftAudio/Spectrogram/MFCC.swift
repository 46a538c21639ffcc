import GraftCore

/// Mel-frequency cepstral coefficients of a log-mel spectrogram `[M, T]`: the orthonormal
/// DCT-II along the mel axis, first `count` rows, `[count, T]` — what `librosa.feature.mfcc`
/// does after `power_to_db(melspectrogram(...))`
/// (https://librosa.org/doc/latest/generated/librosa.feature.mfcc.html, `dct_type=2`,
/// `norm='ortho'`, no liftering). Sums run in Double.
public func mfcc(logMel: Tensor, count: Int = 20) -> Tensor {
  precondition(logMel.rank == 2, "mfcc: log-mel \(logMel.shape) is not [M, T]")
  let (mels, frames) = (logMel.shape[0], logMel.shape[1])
  precondition(count >= 1 && count <= mels, "mfcc: \(count) coefficients from \(mels) mel bands")
  let out = Tensor(uninitializedShape: [count, frames])  // [count, T]
  let (src, dst) = (logMel.data, out.data)
  var row = [Double](repeating: 0, count: frames)
  for k in 0..<count {
    // X_k = s_k Σ_n x_n cos(πk(2n + 1) / 2M), s_0 = √(1/M), s_k = √(2/M).
    let scale = (k == 0 ? 1 : 2.0).squareRoot() / Double(mels).squareRoot()
    for t in 0..<frames { row[t] = 0 }
    for n in 0..<mels {
      let c = scale * cos(Double.pi * Double(k) * Double(2 * n + 1) / Double(2 * mels))
      let x = src + n * frames
      for t in 0..<frames { row[t] += c * Double(x[t]) }
    }
    for t in 0..<frames { dst[k * frames + t] = Float(row[t]) }
  }
  return out
}

#if canImport(Glibc)
import Glibc
#endif
