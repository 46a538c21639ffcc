import Foundation
@testable import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// EfficientAT's MN as a pretrained base of `SoundClassifier`: its own front end by default
/// (`LogMelFrontEnd.efficientAT`), patches fed frames × mel bands (`MN.InputLayout`), both
/// recorded in the bundle and rebuilt from it.
@Suite struct EfficientATTrainingTests {
  /// The front end's log-mel is EfficientAT's network input, values and shape; its floor is
  /// EfficientAT's silence; it survives a bundle's JSON; disagreeing restated fields are refused.
  @Test func frontEndIsEfficientATsLogMel() throws {
    let f = LogMelFrontEnd.efficientAT()
    #expect(f.problem == nil && f.sampleRate == 32000 && f.nMels == 128 && f.patchFrames == 200 && f.patchHopFrames == 100)
    var g = Generator(seed: 3)
    let samples = (0..<16000).map { _ in g.uniform(-0.5, 0.5) }
    let mel = try f.logMel(samples), reference = try EfficientATFrontEnd().melInput(samples)
    #expect(mel.shape == [128, reference.shape[3]] && mel.scalars == reference.scalars)
    #expect(abs(f.floor - (log(Float(1e-5)) + 4.5) / 5) < 1e-6)
    let decoded = try JSONDecoder().decode(LogMelFrontEnd.self, from: JSONEncoder().encode(f))
    #expect(decoded == f && decoded.efficientAT == EfficientATFrontEnd())
    var wrong = f
    wrong.hopLength = 160
    #expect(wrong.problem?.contains("efficient_at") == true)
  }

  /// Frames × mel bands through a transposing MN equals mel bands × frames through EfficientAT's
  /// layout; the layout is a hyperparameter of the architecture and rebuilds.
  @Test func framesByMelsLayoutTransposesTheInput() throws {
    var g = Generator(seed: 4)
    let mn = MN(widthMultiplier: 0.1, classCount: nil, using: &g)
    mn.eval()
    let x = Tensor.randomNormal([2, 1, 32, 20], using: &g)  // [N, 1, mels, frames]
    let reference = mn.features(x)
    mn.inputLayout = .framesByMels
    #expect(mn.features(x.transposed(2, 3)).scalars == reference.scalars)
    #expect(mn.architecture.hyperparameters["input"] == "frames_mels")
    GraftAudio.registerArchitectures()
    let rebuilt = try #require(try ArchitectureRegistry.makeBase(mn.architecture) as? MN)
    #expect(rebuilt.inputLayout == .framesByMels)
    #expect(throws: ArchitectureError.self) {
      try ArchitectureRegistry.makeBase(ArchitectureSpec(name: "mn", hyperparameters: ["input": "sideways"]))
    }
  }

  /// Pretrained MN weights (a small MN saved as a weights file) train through SoundClassifier with
  /// EfficientAT's front end and no option; the bundle rebuilds the same classifier.
  @Test func pretrainedMNTrainsWithItsOwnFrontEnd() throws {
    let files = try TestAudioFiles()
    try SyntheticSounds.writeFolder(files, root: "data", perClass: 4)
    var g = Generator(seed: 5)
    let mn = MN(widthMultiplier: 0.1, classCount: nil, using: &g)
    let weights = files.path("mn.safetensors")
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: mn.stateDict().map { ($0.0, $0.1) }),
                          metadata: ["architecture": #"{"name": "mn", "hyperparameters": {"width_mult": 0.1, "num_classes": 0}}"#],
                          to: weights)
    let recipe = TransferRecipe(headEpochs: 2, headLearningRate: 3e-3, batchSize: 8, seed: 7, quiet: true)
    let run = try SoundClassifier.train(base: .weights(weights), on: try SoundDataSource.load(files.path("data")),
                                        recipe: recipe, options: SoundTrainingOptions(validationFraction: 0.25))
    #expect(run.classifier.frontEnd == .efficientAT())
    #expect((run.classifier.model.base as? MN)?.inputLayout == .framesByMels)
    let bundle = files.path("mn.graft")
    try run.bundle.write(to: bundle)
    let reloaded = try SoundClassifier(bundlePath: bundle)
    #expect(reloaded.frontEnd == .efficientAT() && (reloaded.model.base as? MN)?.inputLayout == .framesByMels)
    let clip = files.path("data/tone/t0.wav")
    #expect(try reloaded.predict(file: clip).probabilities == (try run.classifier.predict(file: clip)).probabilities)
    // Another front end with pretrained MN weights is refused, naming the reason.
    var options = SoundTrainingOptions(validationFraction: 0.25)
    options.frontEnd = LogMelFrontEnd()
    #expect(throws: SoundDataError.self) {
      try SoundClassifier.train(base: .weights(weights), on: try SoundDataSource.load(files.path("data")), recipe: recipe,
                                options: options)
    }
  }
}
