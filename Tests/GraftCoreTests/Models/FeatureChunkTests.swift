import GraftCore
import Testing

/// `features(_:chunk:)`: a frozen base's features computed a few rows at a time equal the
/// whole batch's (BatchNorm on running statistics treats each example alone).
@Suite struct FeatureChunkTests {
  @Test func chunksGiveTheBatchsFeatures() {
    var g = Generator(seed: 9)
    let base = SmallCNN(inputChannels: 1, widths: [4, 8], using: &g)
    base.eval()
    let x = Tensor.randomNormal([7, 1, 12, 12], using: &g)
    let whole = withoutGradients { base.features(x) }
    for chunk in [1, 3, 7, 10] {
      let chunked = base.features(x, chunk: chunk)
      #expect(chunked.shape == whole.shape)
      var worst: Float = 0
      for i in 0..<whole.count { worst = max(worst, abs(chunked.data[i] - whole.data[i])) }
      #expect(worst <= 1e-6, "chunk \(chunk): max |Δ| \(worst)")
    }
  }
}
