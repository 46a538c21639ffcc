import GraftCore
@testable import GraftAudio
import Testing

@Suite struct SoundBaselineTests {
  /// Overlapping patches (the last one ends at the last frame) count every frame once: the
  /// summary equals the mean and standard deviation over the log-mel's own frames.
  @Test func summaryCountsEachFrameOnce() {
    let mels = 2, frames = 7
    // Band 0 holds the frame index, band 1 a constant.
    let values: [Float] = (0..<frames).map { Float($0) } + [Float](repeating: 3, count: frames)
    let patches = Patches(logMel: Tensor(shape: [mels, frames], values), frames: 4, hop: 2, floor: -100)
    #expect(patches.count >= 3)  // starts 0, 2, then one ending at frame 6
    let s = SoundBaseline.summary(patches)
    let mean = 3.0, std = (28.0 / 7).squareRoot()  // frames 0…6
    #expect(abs(Double(s[0]) - mean) < 1e-6 && abs(Double(s[1]) - 3) < 1e-6)
    #expect(abs(Double(s[2]) - std) < 1e-5 && abs(Double(s[3])) < 1e-6)
  }

  /// A clip shorter than a patch is padded with `floor`: the padding is not counted.
  @Test func paddingIsNotCounted() {
    let patches = Patches(logMel: Tensor(shape: [1, 2], [1, 3]), frames: 5, hop: 5, floor: -100)
    let s = SoundBaseline.summary(patches)
    #expect(s == [2, 1])
  }
}
