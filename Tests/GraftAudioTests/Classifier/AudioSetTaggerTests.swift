import Foundation
@testable import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// Zero-shot tagging and detection with a bare network's own classifier.
@Suite struct AudioSetTaggerTests {
  /// A small MN with a 3-class classifier, saved as a weights file that names its architecture.
  static func smallMN(_ files: TestAudioFiles) throws -> (MN, String) {
    var g = Generator(seed: 11)
    let mn = MN(widthMultiplier: 0.1, classCount: 3, using: &g)
    let path = files.path("mn3.safetensors")
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: mn.stateDict().map { ($0.0, $0.1) }),
                          metadata: ["architecture": #"{"name": "mn", "hyperparameters": {"width_mult": 0.1, "num_classes": 3}}"#],
                          to: path)
    return (mn, path)
  }

  @Test func scoresAreTheSigmoidOfTheWholeClipsLogitsAndTheDetectorAgrees() throws {
    let files = try TestAudioFiles()
    let (mn, weights) = try Self.smallMN(files)
    mn.eval()
    let clip = try files.write("tone.wav", .floats(SyntheticSounds.tone(seconds: 1.2, seed: 3)), channels: 1,
                               format: SyntheticSounds.wavFloat)
    let csv = files.path("labels.csv")
    try Data("index,mid,display_name\n0,/m/a,Alpha\n1,/m/b,\"Beta, gamma\"\n2,/m/c,Delta\n".utf8).write(to: URL(fileURLWithPath: csv))
    let labels = try AudioSetTagger.readLabels(csv)
    #expect(labels == ["Alpha", "Beta, gamma", "Delta"])
    let tagger = try AudioSetTagger(base: .weights(weights), labels: labels)
    let logits = mn.logits(try EfficientATFrontEnd().melInput(file: clip)).scalars
    let expected = (0..<3).map { 1 / (1 + exp(-logits[$0])) }
    let scores = try tagger.scores(file: clip)
    #expect(zip(scores, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(scores) vs \(expected)")
    let top = try tagger.top(file: clip, k: 2)
    #expect(top.count == 2 && top[0].probability >= top[1].probability && labels.contains(top[0].label))

    // The detector's two-way softmax is the class's sigmoid on each patch.
    let detector = try tagger.detector(for: "Beta, gamma", threshold: 0.4)
    #expect(detector.labels == ["not Beta, gamma", "Beta, gamma"] && detector.threshold == 0.4)
    let patches = try detector.frontEnd.patches(file: clip)
    let p = detector.probabilities(patches)
    let patch0 = patches.tensor.slice(axis: 0, start: 0, count: 1).transposed(2, 3)
    mn.inputLayout = .melsByFrames
    let z = mn.logits(patch0).scalars[1]
    #expect(abs(p.scalars[1] - 1 / (1 + exp(-z))) < 1e-6, "\(p.scalars.prefix(2)) vs sigmoid(\(z))")
    #expect(throws: AudioSetTaggerError.self) { try tagger.detector(for: "beta, gamma") }
    #expect(throws: AudioSetTaggerError.self) { try AudioSetTagger(base: .weights(weights), labels: ["only one"]) }

    // No labels given: the class list published with the network, beside its file, else "class N".
    #expect(try AudioSetTagger(base: .weights(weights)).labels == ["class 0", "class 1", "class 2"])
    let beside = ((weights as NSString).deletingLastPathComponent as NSString).appendingPathComponent("class_labels_indices.csv")
    try FileManager.default.copyItem(atPath: csv, toPath: beside)
    #expect(try AudioSetTagger(base: .weights(weights)).labels == labels)
    try Data("index,mid,display_name\n0,/m/a,Alpha\n".utf8).write(to: URL(fileURLWithPath: beside))
    #expect(throws: AudioSetTaggerError.self) { try AudioSetTagger(base: .weights(weights)) }
  }

  /// YAMNet's clip-level scores are the mean of its patches' scores, computed a few patches at a
  /// time (a long file's patches in one batch peaked at 3.5 GB): equal to one batch of all of them.
  @Test func yamnetClipScoresAreTheMeanOverPatchesInBatches() throws {
    let files = try TestAudioFiles()
    var g = Generator(seed: 12)
    let yamnet = YAMNet(classCount: 3, using: &g)
    yamnet.eval()
    let weights = files.path("yamnet3.safetensors")
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: yamnet.stateDict().map { ($0.0, $0.1) }),
                          metadata: ["architecture": #"{"name": "yamnet", "hyperparameters": {"classes": 3}}"#], to: weights)
    let clip = try files.write("long.wav", .floats(SyntheticSounds.tone(seconds: 6, seed: 4)),
                               channels: 1, sampleRate: 16_000, format: SyntheticSounds.wavFloat)
    let tagger = try AudioSetTagger(base: .weights(weights), labels: ["a", "b", "c"])
    let patches = try LogMelFrontEnd.yamnet.patches(file: clip).tensor
    #expect(patches.shape[0] > AudioSetTagger.patchBatch, "\(patches.shape): too few patches to batch")
    let all = yamnet.scores(patches)
    let (p, c) = (all.shape[0], all.shape[1])
    let expected = (0..<c).map { j in (0..<p).reduce(Float(0)) { $0 + all.scalars[$1 * c + j] } / Float(p) }
    let scores = try tagger.scores(file: clip)
    #expect(scores.count == 3 && zip(scores, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(scores) vs \(expected)")
  }

  @Test func malformedLabelFilesAreNamed() throws {
    let files = try TestAudioFiles()
    let csv = files.path("bad.csv")
    try Data("index,mid,display_name\n0,/m/a,Alpha\n5,/m/b,Beta\n".utf8).write(to: URL(fileURLWithPath: csv))
    #expect(throws: AudioSetTaggerError.self) { try AudioSetTagger.readLabels(csv) }
    #expect(throws: AudioSetTaggerError.self) { try AudioSetTagger.readLabels(files.path("missing.csv")) }
  }

  static let mn04 = "pretrained/audioset_mn04/mn04_as_mAP_432.pt"

  /// The released mn04 with its class list reproduces the reference's top five on a cough clip.
  @Test(.enabled(if: SharedData.has(mn04), SharedData.skipMessage(mn04)))
  func mn04TopFiveMatchesTheReference() throws {
    let weights = try #require(SharedData.path(Self.mn04))
    let labels = try AudioSetTagger.readLabels(try #require(SharedData.path("pretrained/audioset_mn04/class_labels_indices.csv")))
    #expect(labels.count == 527 && labels[47] == "Cough")
    let tagger = try AudioSetTagger(base: .weights(weights, architecture: ArchitectureSpec(name: "mn04_as")), labels: labels)
    // The same list is found beside the .pt when none is given.
    #expect(try AudioSetTagger(base: .weights(weights, architecture: ArchitectureSpec(name: "mn04_as"))).labels == labels)
    let clip = try #require(SharedData.path("pretrained/ref/audio/a0_cough_esc50_4-171396-A-24.flac"))
    let top = try tagger.top(file: clip, k: 5)
    // ../shared/pretrained/ref/manifest.json, mn04.per_clip.a0…: EfficientAT's own top five.
    let reference: [(String, Double)] = [("Cough", 0.542293), ("Throat clearing", 0.511556), ("Speech", 0.251138),
                                         ("Music", 0.014738), ("Groan", 0.013905)]
    #expect(top.map(\.label) == reference.map(\.0))
    for (t, r) in zip(top, reference) { #expect(abs(t.probability - r.1) < 1e-3, "\(t) vs \(r)") }
  }
}
