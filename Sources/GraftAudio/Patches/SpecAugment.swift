import GraftCore

/// SpecAugment's time and frequency masking (Park et al. 2019, https://arxiv.org/abs/1904.08779,
/// without time warping) on one patch `[1, L, M]` or `[L, M]` (L frames down, M mel bands across),
/// as `torchaudio.transforms.TimeMasking` / `FrequencyMasking` with `iid_masks=False`: each of
/// `timeMasks` masks blanks `w ~ U{0…maxTimeWidth}` consecutive frames starting at
/// `t0 ~ U{0…L − w}`, and each of `frequencyMasks` masks does the same across bands. Masked values
/// are set to `fill`; a nil `fill` means silence, and `SoundClassifier.train` sets it to its front
/// end's floor (`filled(floor:)`; −4.61 for VGGish's `log(mel + 0.01)`, −6.91 for YAMNet's
/// `log(mel + 0.001)`). Applied directly, a nil `fill` masks with 0.
///
/// Everything it draws comes from the generator passed in, so a seed fixes the masks.
public struct SpecAugment: Equatable, Sendable, Codable {
  public var timeMasks: Int
  public var maxTimeWidth: Int
  public var frequencyMasks: Int
  public var maxFrequencyWidth: Int
  /// The masked value; nil: the front end's silence (see above).
  public var fill: Float?

  public init(timeMasks: Int = 2, maxTimeWidth: Int = 16, frequencyMasks: Int = 2, maxFrequencyWidth: Int = 8,
              fill: Float? = nil) {
    precondition(timeMasks >= 0 && maxTimeWidth >= 0 && frequencyMasks >= 0 && maxFrequencyWidth >= 0,
                 "SpecAugment: negative count or width")
    self.timeMasks = timeMasks
    self.maxTimeWidth = maxTimeWidth
    self.frequencyMasks = frequencyMasks
    self.maxFrequencyWidth = maxFrequencyWidth
    self.fill = fill
  }

  enum CodingKeys: String, CodingKey {
    case timeMasks = "time_masks", maxTimeWidth = "max_time_width", frequencyMasks = "frequency_masks"
    case maxFrequencyWidth = "max_frequency_width", fill
  }

  /// This augmentation with a nil `fill` set to `floor` (an explicit `fill` is kept).
  public func filled(floor: Float) -> SpecAugment {
    var copy = self
    copy.fill = fill ?? floor
    return copy
  }

  /// A masked copy of `patch` (the input is not changed).
  public func callAsFunction(_ patch: Tensor, using g: inout Generator) -> Tensor {
    let fill = self.fill ?? 0
    precondition(patch.rank >= 2 && patch.shape.dropLast(2).allSatisfy { $0 == 1 },
                 "SpecAugment: patch \(patch.shape) is not [1, L, M] or [L, M]")
    let (frames, bands) = (patch.shape[patch.rank - 2], patch.shape[patch.rank - 1])
    let out = patch.copy()
    let p = out.data
    for _ in 0..<timeMasks {
      let (start, width) = Self.draw(maxWidth: maxTimeWidth, size: frames, &g)
      for t in start..<(start + width) { for m in 0..<bands { p[t * bands + m] = fill } }
    }
    for _ in 0..<frequencyMasks {
      let (start, width) = Self.draw(maxWidth: maxFrequencyWidth, size: bands, &g)
      for t in 0..<frames { for m in start..<(start + width) { p[t * bands + m] = fill } }
    }
    return out
  }

  /// A mask `start..<start + width` with width uniform in 0...min(maxWidth, size).
  static func draw(maxWidth: Int, size: Int, _ g: inout Generator) -> (Int, Int) {
    let width = g.int(below: min(maxWidth, size) + 1)
    let start = g.int(below: size - width + 1)
    return (start, width)
  }
}
