import Foundation
import GraftAudio
import GraftCore
import Testing
import _GraftTestSupport

/// A base whose one feature is the mean of each patch.
final class PatchMean: Layer, FeatureExtractor {
  var featureCount: Int { 1 }
  var architecture: ArchitectureSpec { ArchitectureSpec(name: "test_patch_mean") }
  var blocks: [Module] { [] }
  func features(_ x: Tensor) -> Tensor { x.flattened().mean(axes: [1], keepDims: true) }
  override func forward(_ x: Tensor) -> Tensor { features(x) }
}

/// Events and clip decisions with a model whose probabilities are known exactly: labels
/// ["negative", "positive"], logits (−mean, +mean), so P(positive) = σ(2 · mean) of the patch.
@Suite struct SoundEventsTests {
  static func classifier(positive: String?, threshold: Float? = nil) -> SoundClassifier {
    var g = Generator(seed: 1)
    let head = Linear(1, 2, using: &g)
    head.weight.assign(Tensor(shape: [2, 1], [-1, 1]))
    head.bias.assign(Tensor(shape: [2], [0, 0]))
    return SoundClassifier(model: Classifier(base: PatchMean(), head: head), labels: ["negative", "positive"],
                           frontEnd: LogMelFrontEnd(nMels: 4, fmax: 2000, patchFrames: 8), positiveLabel: positive,
                           threshold: threshold)
  }

  /// 4 mel bands × 64 frames: +1 over `bright`, −1 elsewhere; 8-frame patches `hop` apart.
  static func patches(bright: Range<Int>..., hop: Int = 2) -> Patches {
    let logMel = Tensor(shape: [4, 64], (0..<4).flatMap { _ in
      (0..<64).map { t in bright.contains { $0.contains(t) } ? Float(1) : -1 }
    })
    return Patches(logMel: logMel, frames: 8, hop: hop, floor: -1)
  }

  // With hop 2, patch centres are 4, 6, …, 60; the patch centred on c covers frames c−4..<c+4.
  // Over bright frames 20..<36 it holds k bright frames and its mean is (2k − 8) / 8: positive for
  // centres 22…34 (k > 4), exactly 0 (probability 0.5) for centres 20 and 36.

  @Test func binaryEventsSitOnTheBrightFrames() throws {
    let detector = Self.classifier(positive: "positive")
    let seconds = detector.frontEnd.secondsPerFrame
    let p = Self.patches(bright: 20..<36)
    // Threshold 0.5 accepts centres 20…36: from midway between centres 18 and 20 to midway between 36 and 38.
    let events = detector.events(p, threshold: 0.5)
    #expect(events.count == 1, "\(events)")
    #expect(abs(events[0].start - 19 * seconds) < 1e-9 && abs(events[0].end - 37 * seconds) < 1e-9, "\(events)")
    #expect(events[0].label == "positive" && abs(events[0].score - 1 / (1 + exp(-2))) < 1e-6)
    // Just above 0.5 drops the ties: centres 22…34.
    let strict = detector.events(p, threshold: 0.51)
    #expect(strict.count == 1 && abs(strict[0].start - 21 * seconds) < 1e-9 && abs(strict[0].end - 35 * seconds) < 1e-9)
    // Above every probability: nothing.
    #expect(detector.events(p, threshold: 0.9).isEmpty)
    // Two separate bright stretches give two events.
    // Two bright stretches far apart give two events (centres 12…18 and 46…52 are mostly bright).
    let two = detector.events(Self.patches(bright: 10..<20, 44..<54), threshold: 0.51)
    #expect(two.map { [$0.start / seconds, $0.end / seconds].map { ($0 * 1e6).rounded() / 1e6 } } == [[11, 19], [45, 53]], "\(two)")
  }

  @Test func multiclassEventsLabelEveryConfidentStretch() throws {
    let classifier = Self.classifier(positive: nil)
    let seconds = classifier.frontEnd.secondsPerFrame
    let events = classifier.events(Self.patches(bright: 20..<36))
    // Every patch's best probability is ≥ 0.5; ties go to the first label.
    #expect(events.map(\.label) == ["negative", "positive", "negative"], "\(events)")
    #expect(abs(events[0].start) < 1e-12 && abs(events[2].end - 64 * seconds) < 1e-9)
    #expect(abs(events[1].start - 21 * seconds) < 1e-9 && abs(events[1].end - 35 * seconds) < 1e-9, "\(events)")
    // Clipped to a duration when one is given.
    #expect(classifier.events(Self.patches(bright: 20..<36), duration: 0.5).last?.end == 0.5)
  }

  /// `events(file:)` streams the file and classifies its patches a batch at a time; the events
  /// equal those of all the patches of the whole decoded file. 5 s of tone bursts in silence (more
  /// than one 65 536-frame decode block), at 16 kHz and at 44.1 kHz stereo (resampled), with
  /// librosa framing, YAMNet's (TensorFlow framing, padded to whole patches) and mn04's
  /// (EfficientAT: torchaudio's resampler, pre-emphasis, reflect padding; 0.5 s patches); batches
  /// of 3 patches; a binary and a multi-class detector.
  @Test(arguments: [(16_000, 1, "librosa"), (44_100, 2, "librosa"), (16_000, 1, "yamnet"), (44_100, 2, "mn04"),
                    (32_000, 1, "mn04")])
  func streamedEventsEqualTheWholeFiles(rate: Int, channels: Int, frontEnd: String) throws {
    let dir = try TemporaryDirectory("graft-events")
    defer { dir.remove() }
    let frames = 5 * rate
    let samples = (0..<frames * channels).map { i -> Float in
      let t = Double(i / channels) / Double(rate)
      let on = Int(t * 2) % 5 == 1  // bursts at 0.5–1 s and 3–3.5 s
      return on ? Float(0.5 * sin(2 * Double.pi * 1_000 * t)) : 0
    }
    let path = dir.file("bursts.wav")
    try writeAudio(samples, sampleRate: rate, channels: channels, format: .wavFloat, to: path)
    for positive in ["positive", nil] {
      var detector = Self.classifier(positive: positive)
      if frontEnd != "librosa" {
        detector = SoundClassifier(model: detector.model, labels: detector.labels,
                                   frontEnd: frontEnd == "yamnet" ? .yamnet : .efficientAT(patchFrames: 50),
                                   positiveLabel: positive)
      }
      detector.batchSize = 3
      let audio = try decodeAudio(at: path)
      let patches = try detector.frontEnd.patches(audio, path: path, hopFrames: detector.eventHopFrames)
      // Just above silence's positive probability (the lowest): the bursts detect, silence does not.
      let scores = detector.probabilities(patches).slice(axis: 1, start: 1, count: 1).scalars.sorted()
      let threshold = try #require(scores.first { $0 > scores[0] })
      let whole = detector.events(patches, threshold: threshold, duration: audio.duration)
      let streamed = try detector.events(file: path, threshold: threshold)
      #expect(whole.count >= (positive == nil ? 1 : 2), "\(whole)")
      #expect(streamed.map(\.label) == whole.map(\.label) && streamed.map(\.start) == whole.map(\.start)
        && streamed.map(\.end) == whole.map(\.end), "\(streamed) vs \(whole)")
      #expect(zip(streamed, whole).allSatisfy { abs($0.score - $1.score) < 1e-5 })
    }
  }

  @Test func clipDecisionsAggregateThenThreshold() {
    let detector = Self.classifier(positive: "positive", threshold: 0.9)
    let p = Self.patches(bright: 0..<40, hop: 8)  // eight patches: five bright (mean +1), three dark (−1)
    let prediction = detector.predict(p, path: "x")
    #expect(prediction.patches == 8)
    let sigmoid2 = Float(1 / (1 + exp(-2.0)))
    let expected = (5 * sigmoid2 + 3 * (1 - sigmoid2)) / 8
    #expect(abs((prediction.positiveScore ?? 0) - expected) < 1e-5)
    #expect(prediction.label == "negative")  // 0.595 < 0.9
    #expect(detector.predict(p, path: "x", threshold: 0.5).label == "positive")
    // Max aggregation: the most positive patch decides.
    let maxDetector = SoundClassifier(model: detector.model, labels: detector.labels, frontEnd: detector.frontEnd,
                                      aggregation: .max, positiveLabel: "positive", threshold: 0.85)
    #expect(maxDetector.predict(p, path: "x").label == "positive")  // σ(2) ≈ 0.881
  }
}
