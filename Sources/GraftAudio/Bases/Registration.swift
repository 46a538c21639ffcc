import GraftCore

/// Registers `SoundClassifier` with `ModalityRegistry` (modality "audio") and GraftAudio's bases with `ArchitectureRegistry` — `vggish` (`VGGish`),
/// `audio_resnet` (`AudioResNet`), `mn04_as` / `mn` (EfficientAT's `MN`) and `yamnet` (`YAMNet`) — so bundles that name them can be rebuilt. Call it once before
/// reading such a bundle (`SoundClassifier` does); calling it again changes nothing.
/// Qualify it as `GraftAudio.registerArchitectures()` where other modules define one too.
public func registerArchitectures() {
  _ = AudioArchitectures.registered
}

enum AudioArchitectures {
  /// The architectures registered here.
  static let names = ["vggish", "audio_resnet", "mn04_as", "mn", "yamnet"]

  /// Runs once, on first use (Swift initialises static lets exactly once, thread-safely).
  static let registered: Bool = {
    ModalityRegistry.register(SoundClassifier.self)
    ArchitectureRegistry.register("vggish", VGGish.build)
    ArchitectureRegistry.register("audio_resnet", AudioResNet.build)
    ArchitectureRegistry.register("mn04_as", MN.build)
    ArchitectureRegistry.register("mn", MN.build)
    ArchitectureRegistry.register("yamnet", YAMNet.build)
    WeightsMapper.register(WeightsMapper(architecture: "yamnet", format: .tflite, map: YAMNet.mapTFLite))
    return true
  }()
}
