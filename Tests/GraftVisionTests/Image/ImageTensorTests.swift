import GraftVision
import Testing

/// `Image.toTensor` against torchvision's `ToTensor()` + `Normalize(mean, std)` arithmetic.
@Suite struct ImageTensorTests {
  @Test func tensorIsCHWScaledThenNormalized() {
    let image = Image(width: 2, height: 1, channels: 3, samples: [0, 51, 255, 255, 102, 0])
    let t = image.toTensor()
    #expect(t.shape == [3, 1, 2])
    #expect(t.scalars == [0, 1, 0.2, 0.4, 1, 0])
    let n = image.toTensor(normalization: .imageNet)
    let expected: [Float] = [
      (0 - 0.485) / 0.229, (1 - 0.485) / 0.229,
      (0.2 - 0.456) / 0.224, (0.4 - 0.456) / 0.224,
      (1 - 0.406) / 0.225, (0 - 0.406) / 0.225,
    ]
    for (a, b) in zip(n.scalars, expected) { #expect(abs(a - b) < 1e-6) }
    let wide = Image(width: 1, height: 1, channels: 1, samples16: [65535])
    #expect(wide.toTensor().scalars == [1])
  }

  @Test func imageNetStatisticsAreTorchvisions() {
    #expect(Normalization.imageNet.mean == [0.485, 0.456, 0.406])
    #expect(Normalization.imageNet.std == [0.229, 0.224, 0.225])
  }
}
