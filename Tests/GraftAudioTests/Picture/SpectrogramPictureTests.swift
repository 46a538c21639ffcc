@testable import GraftAudio
import GraftCore
import Testing

@Suite struct SpectrogramPictureTests {
  @Test func viridisEndpointsAndMiddle() {
    #expect(Viridis.table.count == 256)
    #expect(Viridis.table[0] == (68, 1, 84))        // #440154
    #expect(Viridis.table[255] == (253, 231, 37))   // #FDE725
    // matplotlib's 256-entry table at 0.5 (index 128) is #21918C; the interpolation stays within 3.
    let mid = Viridis.color(0.5)
    #expect(abs(Int(mid.r) - 33) <= 3 && abs(Int(mid.g) - 145) <= 3 && abs(Int(mid.b) - 140) <= 3)
    #expect(Viridis.color(-3) == Viridis.table[0] && Viridis.color(7) == Viridis.table[255])
  }

  @Test func lowBinsAtTheBottomAndLoudIsYellow() {
    // 3 bins × 2 frames: bin 0 loud, bin 2 quiet.
    let s = Tensor(shape: [3, 2], [0, 0, -10, -10, -20, -20])
    let p = SpectrogramPicture.render(s)
    #expect(p.width == 2 && p.height == 3)
    #expect(p[0, 2] == (253, 231, 37))  // bottom row: bin 0, the maximum
    #expect(p[1, 0] == (68, 1, 84))     // top row: bin 2, the minimum
    #expect(p[0, 1] == p[1, 1] && p[0, 1] != p[0, 0] && p[0, 1] != p[0, 2])
  }

  @Test func dynamicRangeFloorsAndPowerIsShownInDecibels() {
    let s = Tensor(shape: [2, 1], [1, 1e-9])  // 0 dB and −90 dB
    let p = SpectrogramPicture.render(s, scale: .power, dynamicRange: 80)
    #expect(p[0, 1] == (253, 231, 37) && p[0, 0] == (68, 1, 84))
  }

  @Test func shrinkingAveragesAndGrowingRepeats() {
    let s = Tensor(shape: [2, 4], [0, 0, 1, 1, 0, 0, 1, 1])
    let small = SpectrogramPicture.render(s, width: 2, height: 1)
    #expect(small.width == 2 && small.height == 1 && small[0, 0] == (68, 1, 84) && small[1, 0] == (253, 231, 37))
    let big = SpectrogramPicture.render(s, width: 8, height: 4)
    #expect(big[0, 0] == big[1, 0] && big[6, 3] == (253, 231, 37))
  }

  @Test func labelledPictureHasAxesAroundThePlot() {
    var g = Generator(seed: 1)
    let s = Tensor(shape: [64, 300], (0..<(64 * 300)).map { _ in g.uniform(-80, 0) })
    let axis = FrequencyAxis(MelFilterbank(sampleRate: 16_000, nFFT: 512, nMels: 64))
    let p = SpectrogramPicture.labelled(s, secondsPerFrame: 0.01, frequencies: axis)
    // Plot: 300 frames repeated to 600 columns (at least 320), 64 bins to 256 rows.
    #expect(p.width > 600 && p.height > 256)
    var colours = Set<Int>()
    for i in stride(from: 0, to: p.pixels.count, by: 3) {
      let (r, g, b) = (Int(p.pixels[i]), Int(p.pixels[i + 1]), Int(p.pixels[i + 2]))
      colours.insert(r << 16 | g << 8 | b)
    }
    #expect(colours.contains(0xFFFFFF) && colours.contains(0x282828))  // paper and ink (axes, numbers)
    #expect(colours.count > 50)
    #expect(SpectrogramPicture.hzLabel(22_050) == "22.05k" && SpectrogramPicture.hzLabel(500) == "500"
      && SpectrogramPicture.hzLabel(1000) == "1k")
  }
}
