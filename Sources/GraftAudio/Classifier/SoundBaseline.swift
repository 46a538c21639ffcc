import GraftCore

/// The raw-input baseline of audio training (`RawInputBaseline`): logistic regression on each
/// clip's log-mel summary — the mean and the standard deviation over time of every mel band of
/// the run's own front end (2·M features), every frame counted once — on the run's own training
/// and validation clips.
enum SoundBaseline {
  static func compare(train: [PreparedClip], validation: [PreparedClip], labels: [String]) -> BaselineComparison? {
    guard let first = train.first, !validation.isEmpty else { return nil }
    let width = 2 * first.patches.tensor.shape[3]
    let x = RawInputBaseline.matrix(train.map { summary($0.patches) }, width: width)
    let vx = RawInputBaseline.matrix(validation.map { summary($0.patches) }, width: width)
    return RawInputBaseline.fit(name: "logistic regression on clip-mean log-mel", train: x, trainLabels: train.map(\.label),
                                validation: vx, validationLabels: validation.map(\.label), classCount: labels.count,
                                labels: labels)
  }

  /// Per mel band: mean and standard deviation over the clip's frames. Patches overlap (the last
  /// one ends at the last frame), so frame t is read from the first patch that holds it; padding
  /// past the clip's end is not read.
  static func summary(_ patches: Patches) -> [Float] {
    let mels = patches.tensor.shape[3], frames = patches.frames
    var sum = [Double](repeating: 0, count: mels), sq = [Double](repeating: 0, count: mels)
    var next = 0, counted = 0  // the first frame not yet counted
    for p in 0..<patches.count {
      let start = patches.starts[p], end = min(start + frames, patches.frameCount)
      guard next < end else { continue }
      for t in max(next, start)..<end {
        let row = patches.tensor.data + (p * frames + t - start) * mels
        for m in 0..<mels { let v = Double(row[m]); sum[m] += v; sq[m] += v * v }
        counted += 1
      }
      next = end
    }
    let n = Double(max(counted, 1))
    var out = [Float](repeating: 0, count: 2 * mels)
    for m in 0..<mels {
      let mean = sum[m] / n
      out[m] = Float(mean)
      out[mels + m] = Float(max(sq[m] / n - mean * mean, 0).squareRoot())
    }
    return out
  }
}
