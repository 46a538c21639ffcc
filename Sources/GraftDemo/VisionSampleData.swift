import Foundation
import GraftCore
import GraftVision

/// The vision part of `SampleData/`: procedurally drawn 32×32 RGB images and a `smallcnn` base
/// pretrained on a *source* task (eight shape/texture classes), then a *different* target task
/// (four other classes, a few images each) on which `runDemo` compares the pretrained base with
/// the same network trained from scratch.
///
/// Layout under `root`: `vision/base.safetensors` (the base's state dict; its metadata names
/// `baseSpec` and `baseInput`),
/// `vision/train/<class>/*.png`, `vision/test/<class>/*.png`. Everything is drawn from one
/// seeded `Generator`, so the same seed gives the same files.
public enum VisionSampleData {
  public static let size = 32
  /// Pretraining classes (the source set is regenerated, never shipped).
  public static let sourceClasses = ["checker", "circle", "cross", "dots", "hstripes", "square", "triangle", "vstripes"]
  /// The demo's target classes.
  public static let targetClasses = ["diagonal", "diamond", "grid", "ring"]
  public static let sourcePerClass = 80
  public static let trainPerClass = 15
  public static let testPerClass = 30

  public static let baseSpec = ArchitectureSpec(name: "smallcnn", hyperparameters: [
    "input_channels": .number(3), "widths": .array([.number(16), .number(32), .number(64)]),
  ])
  public static let preprocessing = ImageFolder.Preprocessing(
    width: size, height: size, normalization: Normalization(mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25]))
  /// The input `base.safetensors` states (its `preprocessing` metadata): `preprocessing`'s side
  /// and statistics, so `--base` needs no `--size`.
  public static var baseInput: [String: JSONValue] { preprocessing.json.filter { ["width", "height", "mean", "std"].contains($0.key) } }

  // MARK: Drawing

  /// One image of `shape`: random colours, position, size, orientation and pixel noise.
  public static func draw(_ shape: String, using g: inout Generator) -> Image {
    let n = size
    func colour() -> [Float] { (0..<3).map { _ in g.uniform(0, 255) } }
    let background = colour()
    var foreground = colour()
    // Keep the shape visible: push the foreground away from the background.
    while zip(background, foreground).map({ abs($0 - $1) }).reduce(0, +) < 180 { foreground = colour() }
    let cx = Float(n) / 2 + g.uniform(-5, 5), cy = Float(n) / 2 + g.uniform(-5, 5)
    let r = g.uniform(7, 12)
    let angle = g.uniform(0, 2 * Float.pi)
    let period = g.uniform(4, 7)
    let phase = g.uniform(0, period)
    let noise = g.uniform(5, 25)
    let (ca, sa) = (cosf(angle), sinf(angle))
    var samples = [UInt8](repeating: 0, count: n * n * 3)
    for y in 0..<n {
      for x in 0..<n {
        let dx = Float(x) + 0.5 - cx, dy = Float(y) + 0.5 - cy
        let d = (dx * dx + dy * dy).squareRoot()
        // Rotated coordinates, for the shapes that turn.
        let u = ca * dx + sa * dy, v = -sa * dx + ca * dy
        let fx = Float(x) + phase, fy = Float(y) + phase
        func stripe(_ t: Float) -> Bool { t.truncatingRemainder(dividingBy: period) < period / 2 }
        let inside: Bool
        switch shape {
        case "circle": inside = d < r
        case "square": inside = max(abs(dx), abs(dy)) < r * 0.8
        case "triangle": inside = v > -r * 0.5 && v < r * 0.8 && abs(u) < (r * 0.8 - v) * 0.75
        case "cross": inside = (abs(u) < r * 0.25 && abs(v) < r) || (abs(v) < r * 0.25 && abs(u) < r)
        case "hstripes": inside = stripe(fy)
        case "vstripes": inside = stripe(fx)
        case "checker": inside = stripe(fx) != stripe(fy)
        case "dots":
          let px = fx.truncatingRemainder(dividingBy: period) - period / 2
          let py = fy.truncatingRemainder(dividingBy: period) - period / 2
          inside = px * px + py * py < period * period / 10
        case "ring": inside = d < r && d > r * 0.6
        case "diamond": inside = abs(dx) + abs(dy) < r
        case "diagonal": inside = stripe(fx + fy + 1000)
        case "grid":
          inside = fx.truncatingRemainder(dividingBy: period) < 1.3 || fy.truncatingRemainder(dividingBy: period) < 1.3
        default: preconditionFailure("VisionSampleData: unknown shape \(shape)")
        }
        let base = inside ? foreground : background
        for c in 0..<3 {
          let value = base[c] + g.uniform(-noise, noise)
          samples[(y * n + x) * 3 + c] = UInt8(max(0, min(255, value.rounded())))
        }
      }
    }
    return Image(width: n, height: n, channels: 3, samples: samples)
  }

  /// Writes `perClass` images of each class under `root/<class>/NNN.png`.
  static func writeFolder(_ root: String, classes: [String], perClass: Int, using g: inout Generator) throws {
    for name in classes {
      let dir = root + "/" + name
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      for i in 0..<perClass {
        try PNGEncoder.write(draw(name, using: &g), to: dir + "/" + String(format: "%03d.png", i))
      }
    }
  }

  // MARK: Generation

  /// What `generate` did.
  public struct Generated: Sendable {
    /// Accuracy of the pretrained base (with its source head) on held-out source images.
    public var sourceAccuracy: Double
    public var seconds: Double
  }

  /// Writes `root/vision/`: the target train/test folders and the base pretrained (from scratch)
  /// on a freshly drawn source set, which is deleted afterwards.
  public static func generate(root: String, seed: UInt64 = 42, quiet: Bool = true) throws -> Generated {
    let start = Stopwatch.now()
    let out = root + "/vision"
    try? FileManager.default.removeItem(atPath: out)
    var g = Generator(seed: seed)
    try writeFolder(out + "/train", classes: targetClasses, perClass: trainPerClass, using: &g)
    try writeFolder(out + "/test", classes: targetClasses, perClass: testPerClass, using: &g)
    let source = FileManager.default.temporaryDirectory.appendingPathComponent("graft-vision-source-\(getpid())").path
    try? FileManager.default.removeItem(atPath: source)
    defer { try? FileManager.default.removeItem(atPath: source) }
    try writeFolder(source, classes: sourceClasses, perClass: sourcePerClass, using: &g)
    let training = try ImageClassifier.train(
      base: .scratch(baseSpec), on: source, recipe: scratchRecipe(epochs: 15, seed: seed, quiet: quiet),
      preprocessing: preprocessing, validationFraction: 0.15)
    let base = training.result.model.base
    let stated = try BaseSource.metadata(architecture: baseSpec, preprocessing: baseInput)
    try SafeTensors.write(Dictionary(uniqueKeysWithValues: base.stateDict().map { ($0.0, $0.1) }),
                          metadata: ["format": "pt", "graft": "smallcnn base pretrained on VisionSampleData source shapes",
                                     "seed": "\(seed)"].merging(stated) { $1 },
                          to: out + "/base.safetensors")
    return Generated(sourceAccuracy: training.metrics?.accuracy ?? 0, seconds: Stopwatch.now() - start)
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

  // MARK: Demo

  /// Trains the target task on `root/vision/train` twice — a new head on the pretrained base then
  /// a short fine-tune of its top block, and the same network from scratch — and scores both on
  /// `root/vision/test`. `effort` scales the epochs (1 for the demo; less for quick checks).
  public static func runDemo(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true) throws
    -> DemoScenarioResult {
    try runDemoScenario(root: root, seed: seed, effort: effort, quiet: quiet).result
  }

  /// `runDemo`, and with `report` the sections of an HTML report: each model's training curves,
  /// test metrics and thumbnail grid.
  public static func runDemoScenario(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true,
                                     report: Bool = false) throws -> DemoScenarioRun {
    let start = Stopwatch.now()
    let dir = root + "/vision"
    func epochs(_ n: Int) -> Int { max(1, Int((Double(n) * effort).rounded())) }
    let transferRecipe = TransferRecipe(
      head: .linear, headEpochs: epochs(60), headLearningRate: 1e-2, batchSize: 16,
      fineTune: FineTune(topBlocks: 1, epochs: epochs(10), baseLearningRate: 1e-3, headLearningRate: 1e-3),
      seed: seed, headSolver: nil, quiet: quiet)  // the demo's own schedule: Adam epochs, not the exact fit
    let transfer = try ImageClassifier.train(base: .weights(dir + "/base.safetensors", architecture: baseSpec), on: dir + "/train",
                                             recipe: transferRecipe, preprocessing: preprocessing, validationFraction: 0)
    let scratch = try ImageClassifier.train(base: .scratch(baseSpec), on: dir + "/train",
                                            recipe: scratchRecipe(epochs: epochs(70), seed: seed, quiet: quiet),
                                            preprocessing: preprocessing, validationFraction: 0)
    func score(_ t: ImageClassifier.Training) throws -> ImageClassifier.FolderEvaluation {
      try ImageClassifier(model: t.result.model, labels: t.bundle.config.labels, preprocessing: preprocessing)
        .evaluateFolder(on: dir + "/test")
    }
    let transferTest = try score(transfer), scratchTest = try score(scratch)
    let result = DemoScenarioResult(
      name: "vision", trainExamples: transfer.report.total, testExamples: transferTest.evaluation.labels.count,
      transfer: .init(transferTest.evaluation.metrics), scratch: .init(scratchTest.evaluation.metrics),
      seconds: Stopwatch.now() - start)
    guard report else { return DemoScenarioRun(result: result) }
    let facts = [ReportFact("train", "\(dir)/train (\(transfer.report.total) images)"), ReportFact("test", dir + "/test")]
    return DemoScenarioRun(result: result, sections: [
      ImageReport.section(heading: "vision: transfer (pretrained smallcnn base), test split", evaluation: transferTest,
                          stages: transfer.result.reportStages,
                          facts: facts + [ReportFact("base", dir + "/base.safetensors")]),
      ImageReport.section(heading: "vision: from scratch, test split", evaluation: scratchTest,
                          stages: scratch.result.reportStages, facts: facts + [ReportFact("base", "random weights")]),
    ])
  }

}
