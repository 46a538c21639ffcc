import Foundation
import GraftCore
@testable import GraftVision
import Testing
import _GraftTestSupport

/// The ImageNet MobileNetV2 read from its original `.tflite` (dequantized, BatchNorm folded,
/// TF SAME padding) against the float reference of `../shared/pretrained/ref/mobilenet_v2/`:
/// logits within 1e-3 and the same top-1 class on the reference photos (exact 224×224 pixels).
@Suite struct MobileNetV2ImageNetParityTests {
  static let model = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  @Test(.enabled(if: SharedData.has(model) && SharedData.has("pretrained/ref"), SharedData.skipMessage("pretrained")))
  func logitsMatchTheFloatReference() throws {
    let weights = try MobileNetV2.tfliteWeights(path: SharedData.path(Self.model)!)
    #expect(weights.classCount == 1001 && weights.inputHeight == 224 && weights.inputWidth == 224)
    var g = Generator(seed: 0)
    let network = MobileNetV2(widthMultiplier: 1, classCount: 1001, padding: .same, using: &g)
    try network.load(weights.stateDict, strict: true, source: Self.model)
    network.eval()
    let ref = SharedData.path("pretrained/ref")!
    let pixels = try NPY.read(ref + "/inputs/images_uint8.npy").toTensor()  // [14, 224, 224, 3] NHWC
    let expected = try NPY.read(ref + "/mobilenet_v2/float_logits.npy").toTensor()  // [14, 1001]
    let rows = [0, 3, 12]  // two photos and the synthetic gradient: a debug build runs 224×224 slowly
    let plane = 224 * 224
    let x = Tensor(uninitializedShape: [rows.count, 3, 224, 224])
    for (r, image) in rows.enumerated() {
      for i in 0..<plane {
        for c in 0..<3 { x.data[(r * 3 + c) * plane + i] = (pixels.data[(image * plane + i) * 3 + c] - 128) / 128 }
      }
    }
    let logits = withoutGradients { network.logits(x) }
    #expect(logits.shape == [rows.count, 1001])
    for (r, image) in rows.enumerated() {
      let ours = Array(logits.scalars[(r * 1001)..<((r + 1) * 1001)])
      let theirs = Array(expected.scalars[(image * 1001)..<((image + 1) * 1001)])
      var worst: Float = 0
      for (a, b) in zip(ours, theirs) { worst = max(worst, abs(a - b)) }
      #expect(worst <= 1e-3, "image \(image): max |Δlogit| \(worst)")
      #expect(ours.indices.max { ours[$0] < ours[$1] } == theirs.indices.max { theirs[$0] < theirs[$1] },
              "image \(image): top-1")
    }
  }
}
