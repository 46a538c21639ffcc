#if canImport(Glibc)
import Glibc
#endif

extension MelFilterbank {
  /// TensorFlow's mel filterbank, as `tf.signal.linear_to_mel_weight_matrix(nMels, nFFT / 2 + 1,
  /// sampleRate, fmin, fmax)` builds it (the matrix of YAMNet's and VGGish's TF front ends),
  /// transposed to `[M, B]` like every `MelFilterbank`.
  /// https://www.tensorflow.org/api_docs/python/tf/signal/linear_to_mel_weight_matrix
  ///
  /// `nMels + 2` edges evenly spaced in mel = 1127 · ln(1 + f / 700) from `fmin` to `fmax`; each
  /// filter a triangle that is linear **in mel** (librosa's are linear in Hz), peak 1, not
  /// normalised, evaluated at the bin frequencies `linspace(0, sampleRate / 2, B)`; the DC bin
  /// weighs 0 in every filter (TF's `bands_to_zero = 1`). That is Kaldi's construction
  /// (`kaldi(…)`) over all B bins, Nyquist included. Weights are computed in Double and rounded
  /// once (as `make_refs.py`'s float64 restatement; TF computes in float32, within about 1e-6).
  /// `scale` reads `.htk`, `norm` `.none`.
  public static func tensorflow(sampleRate: Int, nFFT: Int, nMels: Int, fmin: Double, fmax: Double) -> MelFilterbank {
    let nyquist = Double(sampleRate) / 2
    precondition(sampleRate > 0 && nFFT >= 2 && nMels >= 1,
                 "MelFilterbank.tensorflow: sampleRate \(sampleRate), nFFT \(nFFT), nMels \(nMels)")
    precondition(fmin >= 0 && fmin < fmax && fmax <= nyquist,
                 "MelFilterbank.tensorflow: mel range \(fmin)–\(fmax) Hz must satisfy 0 ≤ fmin < fmax ≤ \(nyquist)")
    func mel(_ f: Double) -> Double { 1127 * log(1 + f / 700) }
    let bins = nFFT / 2 + 1
    let binMel = (0..<bins).map { mel(nyquist * Double($0) / Double(bins - 1)) }
    let low = mel(fmin), high = mel(fmax)
    let edges = (0..<(nMels + 2)).map { low + Double($0) * (high - low) / Double(nMels + 1) }
    let (ranges, weights) = melTriangles(edges: edges, binMel: binMel, bins: 1..<bins)  // bin 0 (DC) is zeroed
    return MelFilterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: fmax, scale: .htk,
                         norm: .none, ranges: ranges, weights: weights)
  }
}
