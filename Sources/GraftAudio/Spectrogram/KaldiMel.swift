#if canImport(Glibc)
import Glibc
#endif

extension MelFilterbank {
  /// Kaldi's mel filterbank, as `torchaudio.compliance.kaldi.get_mel_banks(nMels, nFFT, sampleRate,
  /// fmin, fmax, vtln_low, vtln_high, vtln_warp_factor=1.0)` builds it (no VTLN warping), with a zero
  /// column appended for the Nyquist bin (as EfficientAT's `AugmentMelSTFT` pads it), so it applies
  /// to the `nFFT / 2 + 1` bins of `STFT`.
  /// https://pytorch.org/audio/stable/compliance.kaldi.html
  ///
  /// It differs from librosa's (`init(sampleRate:…)`) in its triangles: Kaldi spaces `nMels + 2`
  /// edges evenly in mel = 1127 · ln(1 + f / 700) from `fmin` to `fmax` and makes each filter a
  /// triangle that is linear **in mel** (librosa's are linear in Hz), peak 1, not area-normalised,
  /// evaluated at the bin frequencies k · sampleRate / nFFT for k < nFFT / 2. The weights are
  /// computed in Double and rounded once: torchaudio computes them in float32 with a vectorized
  /// log whose last-bit errors, times 1127 and divided by a triangle's width in mel, move its
  /// weights by up to about 2e-5 (1.3e-5 for mn04's 128 bands) from these. `scale` reads `.htk`
  /// (the same mel scale, 2595 · log10 = 1127 · ln up to the constants' rounding), `norm` `.none`.
  public static func kaldi(sampleRate: Int, nFFT: Int, nMels: Int, fmin: Double = 0, fmax: Double? = nil) -> MelFilterbank {
    let nyquist = Double(sampleRate) / 2
    let top = fmax.map { $0 <= 0 ? $0 + nyquist : $0 } ?? nyquist  // Kaldi: high_freq ≤ 0 is an offset from Nyquist
    precondition(sampleRate > 0 && nFFT >= 2 && nFFT % 2 == 0 && nMels > 3,
                 "MelFilterbank.kaldi: sampleRate \(sampleRate), nFFT \(nFFT) (even), nMels \(nMels) (> 3)")
    precondition(fmin >= 0 && fmin < nyquist && top > 0 && top <= nyquist && fmin < top,
                 "MelFilterbank.kaldi: mel range \(fmin)–\(top) Hz must satisfy 0 ≤ fmin < fmax ≤ \(nyquist)")
    func melScale(_ f: Double) -> Double { 1127 * log(1 + f / 700) }
    let fftBins = nFFT / 2
    let binWidth = Double(sampleRate) / Double(nFFT)
    let melLow = melScale(fmin), melHigh = melScale(top)
    let delta = (melHigh - melLow) / Double(nMels + 1)
    let binMel = (0..<fftBins).map { melScale(binWidth * Double($0)) }
    let edges = (0..<(nMels + 2)).map { melLow + Double($0) * delta }
    let (ranges, weights) = melTriangles(edges: edges, binMel: binMel, bins: 0..<fftBins)
    return MelFilterbank(sampleRate: sampleRate, nFFT: nFFT, nMels: nMels, fmin: fmin, fmax: top, scale: .htk,
                         norm: .none, ranges: ranges, weights: weights)
  }

  /// The triangles of Kaldi's and TensorFlow's filterbanks: filter m rises linearly in mel from
  /// `edges[m]` to 1 at `edges[m + 1]` and falls to 0 at `edges[m + 2]`, evaluated (in Double,
  /// rounded once) at the bins `bins` whose mels are `binMel`; each filter's non-zero run and its
  /// weights, packed as `MelFilterbank` stores them.
  static func melTriangles(edges: [Double], binMel: [Double], bins: Range<Int>) -> (ranges: [Range<Int>], weights: [Float]) {
    var ranges: [Range<Int>] = []
    var weights: [Float] = []
    for m in 0..<(edges.count - 2) {
      let (left, centre, right) = (edges[m], edges[m + 1], edges[m + 2])
      var first = -1, last = -1
      var row: [Float] = []
      for k in bins {
        let w = Float(max(0, min((binMel[k] - left) / (centre - left), (right - binMel[k]) / (right - centre))))
        if w > 0 {
          if first < 0 { first = k }
          row += repeatElement(0, count: k - first - row.count)
          row.append(w)
          last = k
        }
      }
      ranges.append(first < 0 ? 0..<0 : first..<(last + 1))
      weights += row
    }
    return (ranges, weights)
  }
}
