import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// The real ImageNet MobileNetV2 `.tflite` as a base through `BaseSource`: recognised from its
/// graph with no architecture given, its classifier dropped, the same weights as the direct mapping.
@Suite struct VisionBaseSourceTests {
  static let file = "pretrained/imagenet_mobilenet_v2/mobilenet_v2_1.0_224_quant.tflite"

  @Test(.enabled(if: SharedData.has(file), SharedData.skipMessage(file)))
  func tfliteNeedsNoArchitecture() throws {
    GraftVision.registerArchitectures()
    let path = try #require(SharedData.path(Self.file))
    let loaded = try BaseSource.weights(path).load(modality: ImageClassifier.modality,
                                                   architectures: ImageClassifier.architectures)
    #expect(loaded.format == .tflite)
    #expect(loaded.network.architecture == ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 1, "padding": "same"]))
    let state = Dictionary(uniqueKeysWithValues: loaded.network.stateDict().map { ($0.0, $0.1.scalars) })
    #expect(!state.keys.contains { $0.hasPrefix("classifier.") })
    let mapped = try MobileNetV2.tfliteWeights(path: path)
    #expect(state.allSatisfy { mapped.stateDict[$0.key]?.scalars == $0.value })
    // Asked for with its classifier, the 1001 ImageNet classes load too.
    let full = try BaseSource.weights(path, architecture: ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["classes": 1001]))
      .load()
    #expect(full.network.stateDict().contains { $0.0 == "classifier.1.weight" })
  }

  /// The CLI's architecture builder: the same flags for every architecture.
  @Test func architectureFromUserChoices() throws {
    #expect(try VisionBases.architecture(name: "smallcnn", widths: [8, 16])
      == ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [8, 16]]))
    #expect(try VisionBases.architecture(name: "smallcnn", widthMultiplier: 0.5)
      == ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 3, "widths": [16, 32, 64]]))
    #expect(try VisionBases.architecture(name: "resnet18", widths: [32]) == ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 32]))
    #expect(try VisionBases.architecture(name: "resnet34", widthMultiplier: 0.25)
      == ArchitectureSpec(name: "resnet34", hyperparameters: ["width": 16]))
    #expect(try VisionBases.architecture(name: "mobilenet_v2", widthMultiplier: 0.75)
      == ArchitectureSpec(name: "mobilenet_v2", hyperparameters: ["width_mult": 0.75]))
    #expect(try VisionBases.architecture(name: "resnet50") == ArchitectureSpec(name: "resnet50"))
    #expect(throws: ArchitectureError.self) { try VisionBases.architecture(name: "mobilenet_v2", widths: [8]) }
    #expect(throws: ArchitectureError.self) { try VisionBases.architecture(name: "resnet18", widths: [8, 16]) }
    #expect(throws: ArchitectureError(.unknown("vggish"))) { try VisionBases.architecture(name: "vggish") }
  }
}
