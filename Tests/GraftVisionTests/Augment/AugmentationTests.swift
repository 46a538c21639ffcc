import GraftCore
import GraftVision
import Testing

@Suite struct AugmentationTests {
  /// 16×12 RGB with distinct pixels.
  let image = Image(width: 16, height: 12, channels: 3,
                    samples: (0..<(16 * 12 * 3)).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 3) })

  let train = Augmentation([
    .randomResizedCrop(width: 8, height: 8), .horizontalFlip(), .rotation(maxDegrees: 10),
    .colorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4),
  ])

  @Test func sameSeedSameImageDifferentSeedDifferentImage() {
    var a = Generator(seed: 3), b = Generator(seed: 3), c = Generator(seed: 4)
    let x = train.apply(to: image, using: &a), y = train.apply(to: image, using: &b)
    let z = train.apply(to: image, using: &c)
    #expect(x == y)
    #expect(x != z)
    #expect(x.width == 8 && x.height == 8 && x.channels == 3)
    // The generator advanced identically.
    #expect(a == b)
  }

  @Test func deterministicPipelineIsTheComposedOps() {
    let eval = Augmentation([.resizeShorterSide(8)]).then(.centerCrop(width: 8, height: 8))
    #expect(eval.isDeterministic && !train.isDeterministic)
    var g = Generator(seed: 1)
    let expected = image.resizedShorterSide(to: 8).centerCropped(width: 8, height: 8)
    #expect(eval.apply(to: image, using: &g) == expected)
    #expect(g == Generator(seed: 1))  // nothing drawn
  }

  @Test func flipProbabilityIsHonoured() {
    var g = Generator(seed: 9)
    let always = Augmentation([.horizontalFlip(probability: 1)])
    let never = Augmentation([.horizontalFlip(probability: 0)])
    #expect(always.apply(to: image, using: &g) == image.flippedHorizontally())
    #expect(never.apply(to: image, using: &g) == image)
    var flips = 0
    for _ in 0..<400 where Augmentation([.horizontalFlip()]).apply(to: image, using: &g) != image { flips += 1 }
    #expect((140...260).contains(flips))
  }

  @Test func randomCropStaysInsideAndCoversEveryOffset() {
    var g = Generator(seed: 5)
    var corners = Set<[UInt8]>()
    for _ in 0..<200 {
      let crop = Augmentation([.randomCrop(width: 15, height: 11)]).apply(to: image, using: &g)
      #expect(crop.width == 15 && crop.height == 11)
      corners.insert(Array(crop.samples8.prefix(3)))
    }
    // 2 × 2 possible offsets, each with a different top-left pixel.
    #expect(corners.count == 4)
  }

  @Test func randomResizedCropBoxFollowsTorchvision() {
    var g = Generator(seed: 11)
    for _ in 0..<200 {
      let box = Augmentation.randomResizedCropBox(width: 40, height: 30, scale: 0.08...1, ratio: 0.75...(4.0 / 3.0),
                                                  using: &g)
      #expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= 40 && box.y + box.height <= 30)
      let area = Double(box.width * box.height) / 1200
      #expect(area > 0.05 && area <= 1.0)
    }
    // Impossible scale: always the central fallback, clamped to the ratio range (wide → 4:3).
    let fallback = Augmentation.randomResizedCropBox(width: 100, height: 10, scale: 5...6, ratio: 0.75...(4.0 / 3.0),
                                                     using: &g)
    #expect(fallback.width == 13 && fallback.height == 10 && fallback.x == 43 && fallback.y == 0)
  }

  @Test func colorJitterWithZeroStrengthChangesNothing() {
    var g = Generator(seed: 2)
    #expect(Augmentation([.colorJitter()]).apply(to: image, using: &g) == image)
  }
}
