import GraftCore

/// The 0 dB level of `powerToDB`.
public enum DecibelReference: Equatable, Sendable {
  /// A fixed power (librosa's default `ref=1.0`).
  case value(Float)
  /// The largest element (`ref=np.max`), so the loudest bin is 0 dB.
  case max
}

/// `10 · log10(max(amin, S) / max(amin, ref))`, floored at `max − topDB` when `topDB` is given:
/// `librosa.power_to_db` (https://librosa.org/doc/latest/generated/librosa.power_to_db.html).
public func powerToDB(_ power: Tensor, reference: DecibelReference = .value(1), amin: Float = 1e-10,
                      topDB: Float? = 80) -> Tensor {
  precondition(amin > 0, "powerToDB: amin \(amin)")
  if let topDB { precondition(topDB >= 0, "powerToDB: topDB \(topDB)") }
  let n = power.count
  let src = power.data
  let refValue: Float
  switch reference {
  case .value(let v): refValue = abs(v)
  case .max: refValue = (0..<n).reduce(-Float.infinity) { Swift.max($0, src[$1]) }
  }
  let offset = 10 * log10(Swift.max(amin, refValue))
  let out = Tensor(uninitializedShape: power.shape)
  let dst = out.data
  let peak = Kernels.powerToDecibels(dst, src, count: n, amin: amin, offset: offset)
  if let topDB, n > 0 {
    let floor = peak - topDB
    Kernels.parallelRanges(n, grain: Kernels.elementwiseGrain) { r in
      for i in r where dst[i] < floor { dst[i] = floor }
    }
  }
  return out
}

/// `20 · log10` of a magnitude spectrogram: `librosa.amplitude_to_db`, i.e. `powerToDB` of the
/// squares with `ref²` and `amin²` (amin 1e-5 by default).
public func amplitudeToDB(_ magnitude: Tensor, reference: DecibelReference = .value(1), amin: Float = 1e-5,
                          topDB: Float? = 80) -> Tensor {
  let squared = Tensor(uninitializedShape: magnitude.shape)
  for i in 0..<magnitude.count { squared.data[i] = magnitude.data[i] * magnitude.data[i] }
  let ref: DecibelReference
  switch reference {
  case .value(let v): ref = .value(v * v)
  case .max: ref = .max
  }
  return powerToDB(squared, reference: ref, amin: amin * amin, topDB: topDB)
}

#if canImport(Glibc)
import Glibc
#endif
