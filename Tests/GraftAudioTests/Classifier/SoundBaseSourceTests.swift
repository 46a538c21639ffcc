import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// The released EfficientAT mn04 `.pt` as an audio base through `BaseSource`, and the CLI's
/// architecture builder.
@Suite struct SoundBaseSourceTests {
  static let file = "pretrained/audioset_mn04/mn04_as_mAP_432.pt"

  @Test(.enabled(if: SharedData.has(file), SharedData.skipMessage(file)))
  func pytorchCheckpointLoadsAsABase() throws {
    GraftAudio.registerArchitectures()
    let path = try #require(SharedData.path(Self.file))
    let spec = try SoundClassifier.architecture(name: "mn04_as")
    let loaded = try BaseSource.weights(path, architecture: spec).load(architectures: SoundClassifier.architectures)
    #expect(loaded.format == .pytorch && loaded.network.architecture.name == "mn04_as")
    let checkpoint = try PyTorchCheckpoint.read(path).tensors
    #expect(loaded.network.stateDict().allSatisfy { checkpoint[$0.0]?.scalars == $0.1.scalars })
    let missing = try? BaseSource.weights(path).load()
    #expect(missing == nil)
  }

  @Test func architectureFromUserChoices() throws {
    #expect(try SoundClassifier.architecture(name: "vggish", widthMultiplier: 0.5)
      == ArchitectureSpec(name: "vggish", hyperparameters: ["width_multiplier": 0.5]))
    #expect(try SoundClassifier.architecture(name: "audio_resnet", widthMultiplier: 0.5)
      == ArchitectureSpec(name: "audio_resnet", hyperparameters: ["input_channels": 1, "base_width": 8]))
    #expect(try SoundClassifier.architecture(name: "smallcnn", widths: [4, 8])
      == ArchitectureSpec(name: "smallcnn", hyperparameters: ["input_channels": 1, "widths": [4, 8]]))
    #expect(throws: ArchitectureError.self) { try SoundClassifier.architecture(name: "vggish", widths: [8]) }
    #expect(throws: ArchitectureError(.unknown("resnet18"))) { try SoundClassifier.architecture(name: "resnet18") }
  }
}
