import Foundation
@testable import GraftAudio
import GraftCore
import Testing

@Suite(.serialized) struct SoundClassifierTests {
  static let base = ArchitectureSpec(name: "audio_resnet", hyperparameters: ["base_width": 8])

  static func options(positive: String? = "tone") -> SoundTrainingOptions {
    SoundTrainingOptions(positiveLabel: positive, validationFraction: 0.25)
  }

  static let recipe = TransferRecipe(headEpochs: 6, headLearningRate: 3e-3, batchSize: 8, seed: 7, quiet: true)

  @Test func trainsReportsTheCorruptFileBundlesReloadsAndPredicts() throws {
    let files = try TestAudioFiles()
    let broken = try SyntheticSounds.writeFolder(files, root: "data")
    let data = try SoundDataSource.load(files.path("data"))
    let run = try SoundClassifier.train(base: .scratch(Self.base), on: data, recipe: Self.recipe, options: Self.options())
    // The corrupt file is reported with its reason and skipped; everything else trained.
    #expect(run.skipped.map(\.path) == [broken])
    #expect(run.skipped.first?.reason.contains("not an audio file") == true || run.skipped.first?.reason.contains("malformed") == true)
    #expect(run.trainClips == 12 && run.validationClips == 4)
    let validation = try #require(run.validation)
    // Every patch of every decodable clip is an example: 1 + i/7 s → 1 + samples/160 frames.
    var patchCount = 0
    for i in 0..<8 {
      let samples = Int((1 + Double(i) / 7) * 16000)
      patchCount += 2 * Patches.starts(frameCount: 1 + samples / 160, frames: 96, hop: 96).count
    }
    #expect(run.trainPatches + validation.predictions.map(\.patches).reduce(0, +) == patchCount)
    #expect(validation.metrics.accuracy == 1, "\(validation.metrics)")
    #expect(validation.rocAUC == 1)
    let threshold = try #require(run.classifier.threshold)
    #expect(threshold > 0 && threshold < 1)

    // Bundle → reload: same labels, front end, threshold and probabilities.
    let bundlePath = files.path("tone.graft")
    try run.bundle.write(to: bundlePath)
    let reloaded = try SoundClassifier(bundlePath: bundlePath)
    #expect(reloaded.labels == ["noise", "tone"] && reloaded.positiveLabel == "tone" && reloaded.threshold == threshold)
    #expect(reloaded.frontEnd == LogMelFrontEnd() && reloaded.aggregation == .mean && reloaded.eventHopFrames == 24)
    let config = try ModelBundle.read(from: bundlePath).config
    #expect(config.modality == "audio" && config.preprocessing["threshold_criterion"] == "youden")
    #expect(config.preprocessing["front_end"]?["n_mels"] == 64 && config.training["clip_validation"]?["roc_auc"] == 1)

    let tone = try files.write("new_tone.wav", .floats(SyntheticSounds.tone(seconds: 1.5, seed: 999)), channels: 1,
                               format: SyntheticSounds.wavFloat)
    let noise = try files.write("new_noise.wav", .floats(SyntheticSounds.noise(seconds: 1.2, amplitude: 0.3, seed: 998)),
                                channels: 1, format: SyntheticSounds.wavFloat)
    let p1 = try reloaded.predict(file: tone), p2 = try reloaded.predict(file: noise)
    #expect(p1.label == "tone" && p2.label == "noise")
    #expect(p1.patches == 2 && p2.patches == 2)  // 151 and 121 frames: a patch at 0 and an end-aligned one
    #expect(p1.probabilities == (try run.classifier.predict(file: tone)).probabilities)
    #expect(abs(p1.probabilities.reduce(0, +) - 1) < 1e-5)
    #expect(throws: PreprocessingError.self) { try reloaded.predict(file: broken) }

    // Evaluation through the library entry point a generic `graft evaluate` can call.
    let evaluation = try SoundClassifier.evaluate(bundlePath: bundlePath, data: files.path("data"))
    #expect(evaluation.metrics.count == 16 && evaluation.metrics.accuracy == 1 && evaluation.rocAUC == 1)
    #expect(evaluation.skipped.map(\.path) == [broken])
    #expect(evaluation.binary?.truePositives == 8)
    let csv = files.path("eval.csv")
    try Data("file,label\ndata/tone/t0.wav,tone\ndata/noise/n0.wav,dog\ndata/noise/n1.wav\n".utf8).write(to: URL(fileURLWithPath: csv))
    let partial = try SoundClassifier.evaluate(bundlePath: bundlePath, data: csv)
    #expect(partial.metrics.count == 1 && partial.predictions.map(\.label) == ["tone"])
    #expect(partial.skipped.map(\.description) == [
      "\(csv):4: expected at least 2 fields, found 1",
      "\(files.path("data/noise/n0.wav")): label \"dog\" is not one of noise, tone",
    ])
    let results = try SoundClassifier.predict(bundlePath: bundlePath, files: [tone, broken])
    #expect((try results[0].get()).label == "tone")
    #expect(throws: PreprocessingError.self) { try results[1].get() }
    #expect(try SoundClassifier(bundle: ModelBundle.read(from: bundlePath)).labels == ["noise", "tone"])

    // Events: tone bursts planted in a long noise recording are found at the right times.
    var long = SyntheticSounds.noise(seconds: 8, amplitude: 0.3, seed: 6)
    SyntheticSounds.addTone(&long, from: 2, to: 3)
    SyntheticSounds.addTone(&long, from: 5.5, to: 6.5)
    let recording = try files.write("long.wav", .floats(long), channels: 1, format: SyntheticSounds.wavFloat)
    let events = try reloaded.events(file: recording)
    let patchScores = try reloaded.probabilities(reloaded.frontEnd.patches(file: recording, hopFrames: 24)).scalars
    #expect(events.count == 2, "\(events) \(patchScores)")
    if events.count == 2 {
      #expect(abs(events[0].start - 2) <= 0.5 && abs(events[0].end - 3) <= 0.5, "\(events[0])")
      #expect(abs(events[1].start - 5.5) <= 0.5 && abs(events[1].end - 6.5) <= 0.5, "\(events[1])")
      #expect(events.allSatisfy { $0.label == "tone" && $0.score >= threshold })
    }
  }

  @Test func errorsNameTheProblem() throws {
    let files = try TestAudioFiles()
    try SyntheticSounds.writeFolder(files, root: "data", perClass: 2)
    let data = try SoundDataSource.load(files.path("data"))
    #expect(throws: SoundDataError(path: files.path("data"), reason: .invalidPositiveLabel("cough", labels: ["noise", "tone"]))) {
      try SoundClassifier.train(base: .scratch(Self.base), on: data, recipe: Self.recipe, options: Self.options(positive: "cough"))
    }
    var small = Self.options()
    small.frontEnd = LogMelFrontEnd(nMels: 32)
    let vggish = ArchitectureSpec(name: "vggish", hyperparameters: ["width_multiplier": 0.0625])
    #expect(throws: SoundDataError(path: files.path("data"), reason: .baseMismatch(
      "the vggish base takes 96×64 patches, the front end makes 96×32"))) {
      try SoundClassifier.train(base: .scratch(vggish), on: data, recipe: Self.recipe, options: small)
    }
    let one = SoundDataSource(source: "x.csv", clips: [SoundClip(path: "a.wav", label: "a")])
    #expect(throws: SoundDataError(path: "x.csv", reason: .tooFewLabels(["a"]))) {
      try SoundClassifier.train(base: .scratch(Self.base), on: one)
    }
  }

  @Test func basesFromWeightFilesAndAugmentedPatches() throws {
    let files = try TestAudioFiles()
    try SyntheticSounds.writeFolder(files, root: "data", perClass: 2)
    let data = try SoundDataSource.load(files.path("data"))
    let spec = ArchitectureSpec(name: "vggish", hyperparameters: ["width_multiplier": 0.0625])
    var g = Generator(seed: 11)
    let pretrained = VGGish(widthMultiplier: 0.0625, using: &g)
    let weights = files.path("vggish.safetensors")
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: pretrained.stateDict().map { ("base." + $0.0, $0.1) }), to: weights)
    var options = Self.options()
    options.validationFraction = 0
    var recipe = Self.recipe
    recipe.headEpochs = 1
    let run = try SoundClassifier.train(base: .weights(weights, architecture: spec), on: data, recipe: recipe, options: options)
    // The frozen base is the file's, unchanged by training; no validation means threshold 0.5.
    let trained = Dictionary(uniqueKeysWithValues: run.classifier.model.base.stateDict().map { ($0.0, $0.1.scalars) })
    #expect(pretrained.stateDict().allSatisfy { trained[$0.0] == $0.1.scalars })
    #expect(run.validation == nil && run.validationClips == 0 && run.classifier.threshold == 0.5)
    #expect(run.transfer.usedFeatureCache)
    // Weights of another network are refused with the file named.
    let resnet = ArchitectureSpec(name: "audio_resnet", hyperparameters: ["base_width": 4])
    do {
      _ = try SoundClassifier.train(base: .weights(weights, architecture: resnet), on: data, recipe: recipe, options: options)
      Issue.record("no error")
    } catch let error as BaseSourceError {
      #expect(error.path == weights && error.description.contains("weights do not fit audio_resnet"))
    }

    // SpecAugment: patches are masked per draw, reproducibly, and the feature cache is off.
    options.augment = SpecAugment(timeMasks: 2, maxTimeWidth: 40, frequencyMasks: 2, maxFrequencyWidth: 20, fill: -100)
    let augmented = try SoundClassifier.train(base: .weights(weights, architecture: spec), on: data, recipe: recipe, options: options)
    #expect(!augmented.transfer.usedFeatureCache)
    let (clips, _) = SoundClassifier.prepare(data.clips, labels: data.labels, frontEnd: LogMelFrontEnd())
    let a = PatchDataset(clips, augment: (options.augment!, seed: 3)), b = PatchDataset(clips, augment: (options.augment!, seed: 3))
    let first = try a.example(at: 0).input.scalars, second = try a.example(at: 0).input.scalars
    let again = try b.example(at: 0).input.scalars, againSecond = try b.example(at: 0).input.scalars
    #expect(first == again && second == againSecond)
    #expect(first != second)
    #expect(first.contains(-100) || second.contains(-100))
    let plain = try PatchDataset(clips, augment: nil).example(at: 0)
    #expect(plain.input.scalars == clips[0].patches.patch(0).scalars && plain.input.shape == [1, 96, 64])
  }

  /// The stored threshold: 0.5 when it does as well on validation as the best one, else the
  /// midpoint between the chosen score and the next lower one.
  @Test func thresholdSitsBetweenTheChosenScoreAndTheNextLower() {
    // 0.5 separates these as well as any threshold does: kept.
    #expect(SoundClassifier.chooseThreshold(scores: [1, 1, 0.2, 0.1], positives: [true, true, false, false], criterion: .youden) == 0.5)
    // Here 0.5 lets a negative through (J 0.5 against 1): the midpoint of the best interval.
    #expect(SoundClassifier.chooseThreshold(scores: [1, 0.875, 0.625, 0.125], positives: [true, true, false, false], criterion: .youden) == 0.75)
    #expect(SoundClassifier.chooseThreshold(scores: [0.4375, 0.375, 0.25, 0.125], positives: [true, true, false, false], criterion: .youden) == 0.3125)
    #expect(SoundClassifier.chooseThreshold(scores: [0.9, 0.3, 0.7], positives: [true, false, true], criterion: .f1) == 0.5)
    #expect(SoundClassifier.chooseThreshold(scores: [0.9, 0.8], positives: [true, true], criterion: .youden) == 0.5)
  }

  @Test func eventSpansAndMerging() {
    // Regular hop 24 with 96-frame patches over 200 frames: starts 0, 24, …, 96, 104.
    let spans = SoundClassifier.spans(starts: [0, 24, 48, 72, 96, 104], frames: 96, frameCount: 200)
    #expect(spans.map(\.0) == [0, 60, 84, 108, 132, 148])
    #expect(spans.map(\.1) == [60, 84, 108, 132, 148, 200])
    #expect(SoundClassifier.spans(starts: [0], frames: 96, frameCount: 30).map(\.1) == [30])
  }
}
