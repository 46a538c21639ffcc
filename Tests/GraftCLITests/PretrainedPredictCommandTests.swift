import Foundation
import Testing
import _GraftTestSupport

/// `graft predict BASE FILE…` with a bare ImageNet network file: its own classifier, no training.
@Suite struct PretrainedPredictCommandTests {
  static let tflite = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  /// The ImageNet MobileNetV2 `.tflite` with nothing else: the classes named from the
  /// `imagenet_labels.txt` beside it, the float reference's top-1 on reference photos; a
  /// file that is not a PNG is reported and the others still predicted; `graft vision predict`
  /// takes the same path.
  @Test(.enabled(if: SharedData.has(tflite) && SharedData.has("pretrained/ref"), SharedData.skipMessage("pretrained")))
  func theBareImageNetTFLitePredicts() throws {
    let model = try #require(SharedData.path(Self.tflite))
    let images = try #require(SharedData.path("pretrained/ref/images"))
    let dir = try TemporaryDirectory("graft-cli-pretrained")
    defer { dir.remove() }
    let bad = dir.file("not.png")
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: bad))
    let r = try GraftBinary.run(["predict", model, images + "/img00_airplane_0003.png", bad, images + "/img13_synth_checkerboard.png",
                                 "--top", "2", "--json"])
    #expect(r.status == 1 && r.stderr.contains(bad), "\(r.stderr)")
    let entries = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    let top = entries.map { (($0["predictions"] as? [[String: Any]])?.first?["label"] as? String) }
    #expect(top == ["frilled lizard, Chlamydosaurus kingi", nil, "crossword puzzle, crossword"], "\(r.stdout)")
    let vision = try GraftBinary.run(["vision", "predict", model, images + "/img13_synth_checkerboard.png"])
    #expect(vision.status == 0 && vision.stdout.contains(": crossword puzzle, crossword 0."), "\(vision.stdout)")
  }
}
