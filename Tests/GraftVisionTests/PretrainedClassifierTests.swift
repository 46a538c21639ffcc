import Foundation
import GraftCore
@testable import GraftVision
import Testing
import _GraftTestSupport

/// A bare network file with its own classifier predicts with no training
/// (`ImageClassifier.pretrained`): the class count from its classifier's weights, names from a
/// labels file or the one beside it, the stated preprocessing.
@Suite struct PretrainedClassifierTests {
  /// A tiny ResNet with torchvision's `fc` written as safetensors: the classifier's output is
  /// the network's own logits; without `fc` it is refused by name.
  @Test func aResNetStateDictWithItsFcPredictsItsOwnLogits() throws {
    GraftVision.registerArchitectures()
    let dir = try TemporaryDirectory("graft-pretrained")
    defer { dir.remove() }
    var g = Generator(seed: 4)
    let network = ResNet(.resnet18, width: 4, classCount: 3, using: &g)
    let tensors = Dictionary(uniqueKeysWithValues: network.stateDict().map { ($0.0, $0.1) })
    let path = dir.file("r.safetensors")
    try SafeTensors.write(tensors, metadata: ["arch": "resnet18", "preprocessing": #"{"width": 16, "height": 16}"#], to: path)
    let classifier = try ImageClassifier.pretrained(path, architecture: ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 4]))
    #expect(classifier.labels == ["class 0", "class 1", "class 2"])
    #expect(classifier.preprocessing.width == 16 && classifier.preprocessing.height == 16)
    var pixels = [UInt8](repeating: 0, count: 16 * 16 * 3)
    for i in pixels.indices { pixels[i] = UInt8((i * 37) % 251) }
    let image = Image(width: 16, height: 16, channels: 3, samples: pixels)
    network.eval()
    let x = classifier.preprocessing.apply(to: image).unsqueezed(0)
    let expected = softmax(withoutGradients { network.logits(x) }, axis: 1).scalars
    let ours = classifier.probabilities(image)
    #expect(zip(ours, expected).allSatisfy { abs($0 - Double($1)) < 1e-6 }, "\(ours) vs \(expected)")

    // Names from a file (one per line) or from a CSV's display_name column; counts must agree.
    try "a\r\nb\r\nc\r\n".write(toFile: dir.file("names.txt"), atomically: true, encoding: .utf8)
    #expect(try ImageClassifier.readLabels(dir.file("names.txt")) == ["a", "b", "c"])
    try "index,mid,display_name\n0,/m/x,\"Alpha, one\"\n1,/m/y,Beta\n".write(toFile: dir.file("names.csv"), atomically: true, encoding: .utf8)
    #expect(try ImageClassifier.readLabels(dir.file("names.csv")) == ["Alpha, one", "Beta"])
    #expect(throws: ImageClassifierError.self) {
      try ImageClassifier.pretrained(path, architecture: ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 4]),
                                     labels: ["Alpha, one", "Beta"])
    }
    #expect(throws: ImageClassifierError.self) { try ImageClassifier.readLabels(dir.file("missing.txt")) }

    // No fc: nothing to predict with, said by name.
    let bare = dir.file("bare.safetensors")
    try SafeTensors.write(tensors.filter { !$0.key.hasPrefix("fc.") }, metadata: ["arch": "resnet18"], to: bare)
    let error = try #require(throws: ImageClassifierError.self) {
      try ImageClassifier.pretrained(bare, architecture: ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 4]))
    }
    #expect(error.description.contains("no classifier") && error.description.contains(bare))
  }

  static let tflite = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  /// The ImageNet MobileNetV2 `.tflite` as it is: 1,001 classes named from the
  /// `imagenet_labels.txt` beside it, (u8 − 128)/128 at 224×224, and on reference photos the
  /// float reference's top five (the TFLite interpreter's quantized arithmetic agrees on the
  /// top-1 of 12 of the 14 reference images; ../shared/pretrained/ref/mobilenet_v2/top5.json).
  @Test(.enabled(if: SharedData.has(tflite) && SharedData.has("pretrained/ref"), SharedData.skipMessage("pretrained")))
  func theImageNetMobileNetPredictsTheReferenceClasses() throws {
    let classifier = try ImageClassifier.pretrained(try #require(SharedData.path(Self.tflite)))
    #expect(classifier.labels.count == 1001 && classifier.labels[0] == "background")
    #expect(classifier.preprocessing.width == 224 && classifier.preprocessing.normalization.mean == [128 / 255, 128 / 255, 128 / 255])
    let ref = try #require(SharedData.path("pretrained/ref"))
    let top5 = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: ref + "/mobilenet_v2/top5.json")))
      as? [String: [String: Any]])
    for name in ["img00_airplane_0003", "img05_dog_0002"] {
      let predictions = try classifier.predict(file: ref + "/images/\(name).png", top: 5)
      let expected = try #require(top5[name]?["float_top5_prob"] as? [[String: Any]])
      #expect(predictions.map(\.label) == expected.map { $0["name"] as? String ?? "" }, "\(name)")
      for (p, e) in zip(predictions, expected) { #expect(abs(p.probability - (e["value"] as? Double ?? -1)) < 1e-4) }
    }
  }
}
