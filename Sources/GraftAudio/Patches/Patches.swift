import GraftCore

/// A log-mel spectrogram cut into fixed patches: `tensor` is `[P, 1, frames, mels]` (time down,
/// mel bands across, one channel), VGGish's layout. Glossary: M = mel bands, T = frames of the clip,
/// L = frames per patch, P = patches.
///
/// The rule (`starts(frameCount:frames:hop:)`):
/// * a clip of at most L frames gives one patch starting at frame 0, padded at the end with
///   `floor` (the log-mel value of silence);
/// * a longer clip gives patches at frames 0, hop, 2·hop, … as long as they fit, and, when they
///   leave frames uncovered at the end, one more patch ending at the last frame (so it overlaps
///   its predecessor). Every frame lies in some patch; nothing is padded.
public struct Patches {
  /// `[P, 1, L, M]`.
  public let tensor: Tensor
  /// First frame of each patch, `[P]`, ascending.
  public let starts: [Int]
  /// Frames per patch, L.
  public let frames: Int
  /// Frames of the whole clip, T.
  public let frameCount: Int

  public var count: Int { starts.count }

  /// Cuts `logMel` `[M, T]` into patches of `frames` frames whose starts are `hop` frames apart.
  public init(logMel: Tensor, frames: Int, hop: Int, floor: Float) {
    precondition(logMel.rank == 2 && logMel.shape[1] >= 1, "Patches: log-mel \(logMel.shape) is not [M, T] with T ≥ 1")
    precondition(frames >= 1 && hop >= 1, "Patches: \(frames) frames per patch, hop \(hop)")
    let (mels, total) = (logMel.shape[0], logMel.shape[1])
    let starts = Patches.starts(frameCount: total, frames: frames, hop: hop)
    self.tensor = Patches.cut(logMel, starts: starts[...], frames: frames, floor: floor)
    self.starts = starts
    self.frames = frames
    self.frameCount = total
  }

  /// The patches `[starts.count, 1, frames, M]` of `logMel` `[M, T]` starting at `starts`; frames
  /// past T read `floor`.
  public static func cut(_ logMel: Tensor, starts: ArraySlice<Int>, frames: Int, floor: Float) -> Tensor {
    let (mels, total) = (logMel.shape[0], logMel.shape[1])
    let out = Tensor(uninitializedShape: [starts.count, 1, frames, mels])  // [P, 1, L, M]
    let (src, dst) = (logMel.data, out.data)
    for (p, start) in starts.enumerated() {
      let patch = dst + p * frames * mels
      for i in 0..<frames {
        let t = start + i
        for m in 0..<mels { patch[i * mels + m] = t < total ? src[m * total + t] : floor }
      }
    }
    return out
  }

  /// The first frame of each patch of a clip of `frameCount` frames (see the type's rule).
  public static func starts(frameCount: Int, frames: Int, hop: Int) -> [Int] {
    precondition(frameCount >= 1 && frames >= 1 && hop >= 1, "Patches.starts: \(frameCount) frames, patch \(frames), hop \(hop)")
    guard frameCount > frames else { return [0] }
    var starts = Array(stride(from: 0, through: frameCount - frames, by: hop))
    if starts.last! + frames < frameCount { starts.append(frameCount - frames) }
    return starts
  }

  /// Patch `index` as `[1, L, M]`.
  public func patch(_ index: Int) -> Tensor {
    tensor.slice(axis: 0, start: index, count: 1).squeezed(0)
  }
}

/// How patch probabilities become one clip-level probability vector.
public enum PatchAggregation: String, Codable, Sendable, CaseIterable {
  /// The mean of the patches' probability vectors (sums to 1): every patch has a vote.
  case mean
  /// Per class, the highest probability any patch gives it: a clip is as "cough" as its most
  /// cough-like patch. The values need not sum to 1; the argmax is the prediction.
  case max

  /// Aggregates `probabilities` `[P, C]` (P ≥ 1) into `[C]`.
  public func callAsFunction(_ probabilities: Tensor) -> [Float] {
    precondition(probabilities.rank == 2 && probabilities.shape[0] >= 1, "PatchAggregation: \(probabilities.shape) is not [P ≥ 1, C]")
    let (rows, classes) = (probabilities.shape[0], probabilities.shape[1])
    let p = probabilities.data
    var out = [Float](repeating: self == .mean ? 0 : -.infinity, count: classes)
    for r in 0..<rows {
      for c in 0..<classes {
        let v = p[r * classes + c]
        out[c] = self == .mean ? out[c] + v : Swift.max(out[c], v)
      }
    }
    if self == .mean { for c in 0..<classes { out[c] /= Float(rows) } }
    return out
  }
}
