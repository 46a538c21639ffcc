import GraftAudio
import GraftCore
import Testing

@Suite struct PatchesTests {
  @Test func startsCoverEveryFrame() {
    #expect(Patches.starts(frameCount: 50, frames: 96, hop: 96) == [0])    // short: one padded patch
    #expect(Patches.starts(frameCount: 96, frames: 96, hop: 96) == [0])    // exactly one
    #expect(Patches.starts(frameCount: 97, frames: 96, hop: 96) == [0, 1]) // one frame left: end-aligned patch
    #expect(Patches.starts(frameCount: 288, frames: 96, hop: 96) == [0, 96, 192])
    #expect(Patches.starts(frameCount: 300, frames: 96, hop: 96) == [0, 96, 192, 204])
    #expect(Patches.starts(frameCount: 192, frames: 96, hop: 48) == [0, 48, 96])  // 50 % overlap
    #expect(Patches.starts(frameCount: 200, frames: 96, hop: 24) == [0, 24, 48, 72, 96, 104])
  }

  /// [M = 3, T] with value 100·m + t.
  static func ramp(frames: Int) -> Tensor {
    Tensor(shape: [3, frames], (0..<3).flatMap { m in (0..<frames).map { Float(100 * m + $0) } })
  }

  @Test func patchesAreTimeByMelCopies() {
    let p = Patches(logMel: Self.ramp(frames: 7), frames: 4, hop: 2, floor: -9)
    #expect(p.tensor.shape == [3, 1, 4, 3])
    #expect(p.starts == [0, 2, 3] && p.frameCount == 7 && p.count == 3)
    for (index, start) in p.starts.enumerated() {
      let patch = p.patch(index)
      #expect(patch.shape == [1, 4, 3])
      for i in 0..<4 { for m in 0..<3 { #expect(patch.data[i * 3 + m] == Float(100 * m + start + i)) } }
    }
  }

  @Test func shortClipIsPaddedWithTheFloor() {
    let p = Patches(logMel: Self.ramp(frames: 2), frames: 4, hop: 4, floor: -4.5)
    #expect(p.tensor.shape == [1, 1, 4, 3] && p.starts == [0])
    #expect(p.tensor.scalars == [0, 100, 200, 1, 101, 201, -4.5, -4.5, -4.5, -4.5, -4.5, -4.5])
  }

  @Test func aggregation() {
    let probabilities = Tensor(shape: [3, 2], [0.9, 0.1, 0.2, 0.8, 0.4, 0.6])
    let mean = PatchAggregation.mean(probabilities)
    #expect(abs(mean[0] - 0.5) < 1e-6 && abs(mean[1] - 0.5) < 1e-6)
    #expect(PatchAggregation.max(probabilities) == [0.9, 0.8])
  }
}
