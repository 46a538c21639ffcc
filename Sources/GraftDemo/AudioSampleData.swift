import Foundation
import GraftAudio
import GraftCore

/// The audio part of `SampleData/`: one-second 16 kHz FLAC clips synthesised in code and a
/// `smallcnn` base pretrained on a *source* task of eight other synthetic sound classes (tones,
/// harmonic tones, chirps up and down, white and band noise, clicks, broadband bursts). The
/// target task is a detector: "cough" (one to three short noisy bursts with a fast attack, a
/// decaying envelope and formant-like band emphasis) against "other" (tones, chirps, steady
/// noise, clicks), with a few training clips per class.
///
/// Layout under `root`: `audio/base.safetensors`, `audio/train/<label>/*.flac`,
/// `audio/test/<label>/*.flac`. The source clips are regenerated and deleted by `generate`.
public enum AudioSampleData {
  public static let sampleRate = 16000
  public static let seconds = 1.0
  public static let sourceClasses = ["bursts", "chirp_down", "chirp_up", "clicks", "band_noise", "harmonic", "tone",
                                     "vowel", "white_noise"]
  public static let targetClasses = ["cough", "other"]
  /// What the target's "other" clips are, in turn (clip i of a split is kind i mod count).
  public static let otherKinds = ["tone", "harmonic", "chirp_up", "chirp_down", "white_noise", "band_noise", "clicks", "bursts"]
  public static let sourcePerClass = 60
  public static let trainPerClass = 8
  public static let testPerClass = 40

  public static let baseSpec = ArchitectureSpec(name: "smallcnn", hyperparameters: [
    "input_channels": .number(1), "widths": .array([.number(16), .number(32), .number(64)]),
  ])
  /// 32 mel bands, 32-frame (0.32 s) patches: small enough for a quick CPU demo.
  public static let frontEnd = LogMelFrontEnd(nMels: 32, patchFrames: 32)

  // MARK: Synthesis

  /// A resonant band-pass (RBJ biquad, constant 0 dB peak gain) run over `x`.
  static func bandPass(_ x: [Float], centre: Double, q: Double) -> [Float] {
    let w0 = 2 * Double.pi * centre / Double(sampleRate)
    let alpha = sin(w0) / (2 * q)
    let a0 = 1 + alpha
    let b0 = alpha / a0, b2 = -alpha / a0, a1 = -2 * cos(w0) / a0, a2 = (1 - alpha) / a0
    var y = [Float](repeating: 0, count: x.count)
    var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0
    for i in x.indices {
      let xi = Double(x[i])
      let yi = b0 * xi + b2 * x2 - a1 * y1 - a2 * y2
      x2 = x1; x1 = xi; y2 = y1; y1 = yi
      y[i] = Float(yi)
    }
    return y
  }

  static func noise(_ n: Int, using g: inout Generator) -> [Float] { (0..<n).map { _ in g.uniform(-1, 1) } }

  static func normalized(_ x: [Float], peak: Float) -> [Float] {
    let m = x.reduce(0) { max($0, abs($1)) }
    return m > 0 ? x.map { $0 * peak / m } : x
  }

  /// A sine whose frequency moves linearly from `f0` to `f1` Hz over the clip.
  static func sweep(_ n: Int, from f0: Double, to f1: Double, amplitude: Float) -> [Float] {
    var phase = 0.0
    return (0..<n).map { i in
      let f = f0 + (f1 - f0) * Double(i) / Double(n)
      phase += 2 * Double.pi * f / Double(sampleRate)
      return amplitude * Float(sin(phase))
    }
  }

  /// `count` bursts of `make(length)` samples, each with a 5–15 ms attack and an exponential
  /// decay, placed at random non-overlapping-ish times.
  static func bursts(_ n: Int, count: Int, using g: inout Generator, make: (Int, inout Generator) -> [Float]) -> [Float] {
    var out = [Float](repeating: 0, count: n)
    let slot = n / count
    for b in 0..<count {
      let length = Int(Double(sampleRate) * Double(g.uniform(0.15, 0.3)))
      let start = b * slot + g.int(below: max(1, slot - length))
      let attack = Double(sampleRate) * Double(g.uniform(0.005, 0.015))
      let decay = Double(sampleRate) * Double(g.uniform(0.04, 0.09))
      let amplitude = g.uniform(0.4, 0.9)
      let body = normalized(make(length, &g), peak: 1)
      for i in 0..<length where start + i < n {
        let t = Double(i)
        let envelope = t < attack ? t / attack : exp(-(t - attack) / decay)
        out[start + i] += amplitude * Float(envelope) * body[i]
      }
    }
    return out
  }

  /// One clip of `kind`, before background noise.
  static func synthesize(_ kind: String, using g: inout Generator) -> [Float] {
    let n = Int(seconds * Double(sampleRate))
    switch kind {
    case "tone":
      let f = Double(g.uniform(300, 3000))
      return sweep(n, from: f, to: f, amplitude: g.uniform(0.2, 0.6))
    case "harmonic":
      let f0 = Double(g.uniform(100, 400)), a = g.uniform(0.2, 0.5)
      var x = [Float](repeating: 0, count: n)
      for h in 1...5 {
        let s = sweep(n, from: f0 * Double(h), to: f0 * Double(h), amplitude: a / Float(h))
        for i in 0..<n { x[i] += s[i] }
      }
      return x
    case "chirp_up":
      return sweep(n, from: Double(g.uniform(200, 1000)), to: Double(g.uniform(2500, 6000)), amplitude: g.uniform(0.2, 0.6))
    case "chirp_down":
      return sweep(n, from: Double(g.uniform(2500, 6000)), to: Double(g.uniform(200, 1000)), amplitude: g.uniform(0.2, 0.6))
    case "white_noise":
      let a = g.uniform(0.1, 0.4)
      return noise(n, using: &g).map { $0 * a }
    case "band_noise":
      let centre = Double(g.uniform(400, 4000)), a = g.uniform(0.2, 0.6)
      return normalized(bandPass(noise(n, using: &g), centre: centre, q: 4), peak: a)
    case "clicks":
      let rate = Int(g.uniform(4, 20))
      var x = [Float](repeating: 0, count: n)
      for _ in 0..<rate {
        let at = g.int(below: n - 64), a = g.uniform(0.3, 0.9)
        for i in 0..<64 { x[at + i] += a * Float(exp(-Double(i) / 8)) * (i % 2 == 0 ? 1 : -1) }
      }
      return x
    case "vowel":
      // A steady voiced sound: a harmonic source shaped by three formant resonances.
      let f0 = Double(g.uniform(90, 250))
      let source = sweep(n, from: f0, to: f0, amplitude: 1).indices.map { i -> Float in
        var v: Float = 0
        for h in 1...30 where Double(h) * f0 < 7000 {
          v += Float(sin(2 * Double.pi * f0 * Double(h) * Double(i) / Double(sampleRate))) / Float(h).squareRoot()
        }
        return v
      }
      var y = [Float](repeating: 0, count: n)
      for (k, f) in [Double(g.uniform(400, 800)), Double(g.uniform(1200, 2000)), Double(g.uniform(2500, 3500))].enumerated() {
        let band = normalized(bandPass(source, centre: f, q: 6), peak: 1 / Float(k + 1))
        for i in 0..<n { y[i] += band[i] }
      }
      return normalized(y, peak: g.uniform(0.2, 0.6))
    case "bursts":
      let count = 2 + g.int(below: 3)
      return bursts(n, count: count, using: &g) { length, g in noise(length, using: &g) }
    case "cough":
      // Noisy bursts whose energy sits in three formant-like bands, plus a little broadband.
      let count = 2 + g.int(below: 3)
      return bursts(n, count: count, using: &g) { length, g in
        let source = noise(length, using: &g)
        let formants = [Double(g.uniform(400, 800)), Double(g.uniform(1200, 2000)), Double(g.uniform(2500, 3500))]
        var y = source.map { $0 * 0.1 }
        for (k, f) in formants.enumerated() {
          let band = normalized(bandPass(source, centre: f, q: 6), peak: 1 / Float(k + 1))
          for i in 0..<length { y[i] += band[i] }
        }
        return y
      }
    case "other":
      let kind = otherKinds[g.int(below: otherKinds.count)]
      return synthesize(kind, using: &g)
    default:
      preconditionFailure("AudioSampleData: unknown sound \(kind)")
    }
  }

  /// A clip of `kind` over quiet background noise, peak-limited to 0.95.
  public static func clip(_ kind: String, using g: inout Generator) -> [Float] {
    let x = synthesize(kind, using: &g)
    let level = g.uniform(0.005, 0.03)
    let y = x.map { $0 + level * g.uniform(-1, 1) }
    let peak = y.reduce(0) { max($0, abs($1)) }
    return peak > 0.95 ? y.map { $0 * 0.95 / peak } : y
  }

  static func writeFolder(_ root: String, classes: [String], perClass: Int, using g: inout Generator) throws {
    for name in classes {
      let dir = root + "/" + name
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for i in 0..<perClass {
        let kind = name == "other" ? otherKinds[i % otherKinds.count] : name
        try writeAudio(clip(kind, using: &g), sampleRate: sampleRate, format: .flac16,
                       to: dir + "/" + String(format: "%03d.flac", i))
      }
    }
  }

  // MARK: Generation

  public struct Generated: Sendable {
    /// Clip accuracy of the pretrained base (with its source head) on held-out source clips.
    public var sourceAccuracy: Double
    public var seconds: Double
  }

  /// Training every block from random weights: one head epoch (Adam: the exact solver's head on
  /// random features would start the next stage from a large loss), then all blocks with batch
  /// statistics.
  static func scratchRecipe(epochs: Int, seed: UInt64, quiet: Bool) -> TransferRecipe {
    TransferRecipe(head: .linear, headEpochs: 1, headLearningRate: 3e-3, batchSize: 16,
                   fineTune: FineTune(topBlocks: 3, epochs: epochs, baseLearningRate: 3e-3, headLearningRate: 3e-3,
                                      trainBatchNorm: true),
                   seed: seed, headSolver: nil, quiet: quiet)
  }

  /// Writes `root/audio/`: the target train/test clips and the base pretrained (from scratch) on
  /// a freshly synthesised source set, which is deleted afterwards.
  public static func generate(root: String, seed: UInt64 = 42, quiet: Bool = true) throws -> Generated {
    let start = Stopwatch.now()
    let out = root + "/audio"
    try? FileManager.default.removeItem(atPath: out)
    var g = Generator(seed: seed)
    try writeFolder(out + "/train", classes: targetClasses, perClass: trainPerClass, using: &g)
    try writeFolder(out + "/test", classes: targetClasses, perClass: testPerClass, using: &g)
    let source = FileManager.default.temporaryDirectory.appendingPathComponent("graft-audio-source-\(getpid())").path
    try? FileManager.default.removeItem(atPath: source)
    defer { try? FileManager.default.removeItem(atPath: source) }
    try writeFolder(source, classes: sourceClasses, perClass: sourcePerClass, using: &g)
    let run = try SoundClassifier.train(
      base: .scratch(baseSpec), on: try SoundDataSource.folder(source),
      recipe: scratchRecipe(epochs: 15, seed: seed, quiet: quiet),
      options: SoundTrainingOptions(frontEnd: frontEnd, validationFraction: 0.15))
    let base = run.transfer.model.base
    // The metadata names the architecture, so `--base` needs no `--arch`/`--widths`.
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1) }),
                          metadata: ["format": "pt", "graft": "smallcnn base pretrained on AudioSampleData source sounds",
                                     "seed": "\(seed)"].merging(try BaseSource.metadata(architecture: baseSpec)) { $1 },
                          to: out + "/base.safetensors")
    return Generated(sourceAccuracy: run.validation?.metrics.accuracy ?? 0, seconds: Stopwatch.now() - start)
  }

  // MARK: Demo

  /// Trains the cough detector on `root/audio/train` twice — a new head on the pretrained base
  /// then a short fine-tune of its top block, and the same network from scratch — and scores
  /// both (clip decisions, patch probabilities averaged) on `root/audio/test`.
  public static func runDemo(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true) throws
    -> DemoScenarioResult {
    try runDemoScenario(root: root, seed: seed, effort: effort, quiet: quiet).result
  }

  /// `runDemo`, and with `report` the sections of an HTML report: each model's training
  /// curves, test metrics and spectrogram grid.
  public static func runDemoScenario(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true,
                                     report: Bool = false) throws -> DemoScenarioRun {
    let start = Stopwatch.now()
    let dir = root + "/audio"
    func epochs(_ n: Int) -> Int { max(1, Int((Double(n) * effort).rounded())) }
    let train = try SoundDataSource.folder(dir + "/train")
    let test = try SoundDataSource.folder(dir + "/test")
    let transferRecipe = TransferRecipe(
      head: .linear, headEpochs: epochs(60), headLearningRate: 1e-2, batchSize: 16,
      fineTune: FineTune(topBlocks: 2, epochs: epochs(15), baseLearningRate: 1e-3, headLearningRate: 1e-3),
      seed: seed, headSolver: nil, quiet: quiet)  // the demo's own schedule: Adam epochs, not the exact fit
    let transfer = try SoundClassifier.train(
      base: .weights(dir + "/base.safetensors", architecture: baseSpec), on: train, recipe: transferRecipe,
      options: SoundTrainingOptions(frontEnd: frontEnd, validationFraction: 0))
    let scratch = try SoundClassifier.train(
      base: .scratch(baseSpec), on: train, recipe: scratchRecipe(epochs: epochs(60), seed: seed, quiet: quiet),
      options: SoundTrainingOptions(frontEnd: frontEnd, validationFraction: 0))
    let transferTest = transfer.classifier.evaluate(test), scratchTest = scratch.classifier.evaluate(test)
    let result = DemoScenarioResult(name: "audio", trainExamples: train.clips.count, testExamples: test.clips.count,
                                    transfer: .init(transferTest.metrics), scratch: .init(scratchTest.metrics),
                                    seconds: Stopwatch.now() - start)
    guard report else { return DemoScenarioRun(result: result) }
    let facts = [ReportFact("train", "\(dir)/train (\(train.clips.count) clips)"), ReportFact("test", dir + "/test")]
    return DemoScenarioRun(result: result, sections: [
      transferTest.reportSection(heading: "audio: transfer (pretrained smallcnn base), test split",
                                 facts: facts + [ReportFact("base", dir + "/base.safetensors")], stages: transfer.transfer.reportStages,
                                 frontEnd: frontEnd),
      scratchTest.reportSection(heading: "audio: from scratch, test split",
                                facts: facts + [ReportFact("base", "random weights")], stages: scratch.transfer.reportStages,
                                frontEnd: frontEnd),
    ])
  }

}
