import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// The parent suite of every optimizer, schedule, clipping and LR-finder test, so that
/// `swift test --filter Optim` selects them all.
@Suite enum Optim {}

/// JSON fixtures written by `Tools/fixtures/optim.py` (see `Fixtures/optim/README.md`).
enum OptimFixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/optim")

  static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
    let data = try Data(contentsOf: directory.appendingPathComponent(name + ".json"))
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: data)
  }

  static let optimizerCases = [
    "sgd_plain", "sgd_wd", "sgd_momentum_wd", "sgd_dampening", "sgd_nesterov", "sgd_nesterov_wd", "sgd_groups",
    "adam", "adam_wd", "adam_betas_eps", "adam_small_beta1", "adamw_small_beta1",
    "adamw", "adamw_wd", "adam_groups", "adamw_groups",
  ]
}

/// Expects |actual − expected| ≤ `relative`·|expected| + `absolute` elementwise: a truly
/// relative check, since optimizer states and small learning rates live far below 1, where
/// `assertClose` turns absolute.
func expectRelativelyClose(
  _ actual: [Float], _ expected: [Float], relative: Float, absolute: Float = 1e-9, _ what: String,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) elements",
          sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return }
  var worst: (index: Int, excess: Float)?
  for (i, (a, e)) in zip(actual, expected).enumerated() {
    let excess = Swift.abs(a - e) - (relative * Swift.abs(e) + absolute)
    if !(excess <= 0), excess > (worst?.excess ?? -1) || excess.isNaN { worst = (i, excess.isNaN ? .infinity : excess) }
  }
  if let worst {
    Issue.record("\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index]) (relative tolerance \(relative))",
                 sourceLocation: sourceLocation)
  }
}

/// One optimizer trajectory from PyTorch: five steps over p0 [3, 4], p1 [5], p2 [2].
struct OptimizerCase: Decodable {
  struct Group: Decodable {
    var params: [String]
    var lr: Float?
    var weightDecay: Float?
  }

  struct Config: Decodable {
    var optimizer: String
    var lr: Float
    var momentum: Float?
    var dampening: Float?
    var nesterov: Bool?
    var weightDecay: Float?
    var betas: [Double]?
    var eps: Float?
    var groups: [Group]
  }

  var torch: String
  var config: Config
  var shapes: [String: [Int]]
  var initial: [String: [Float]]
  var c: [String: [Float]]
  /// Parameters after each step.
  var steps: [[String: [Float]]]
  /// Final optimizer state per parameter name and buffer (`step`, `exp_avg`, …).
  var state: [String: [String: [Float]]]

  static let names = ["p0", "p1", "p2"]

  /// Fresh parameters at their initial values, keyed by name.
  func makeParameters() -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for n in Self.names { out[n] = Tensor(shape: shapes[n]!, initial[n]!, requiresGrad: true) }
    return out
  }

  /// The optimizer this case describes, over `parameters`, with names as checkpoint keys.
  func makeOptimizer(_ parameters: [String: Tensor]) -> any Optimizer {
    let groups = config.groups.map { g in
      ParameterGroup(g.params.map { parameters[$0]! }, names: g.params, learningRate: g.lr ?? config.lr,
                     weightDecay: g.weightDecay)
    }
    let betas = config.betas.map { ($0[0], $0[1]) } ?? (0.9, 0.999)
    let eps = config.eps ?? 1e-8
    switch config.optimizer {
    case "SGD":
      return SGD(groups: groups, momentum: config.momentum ?? 0, dampening: config.dampening ?? 0,
                 nesterov: config.nesterov ?? false, weightDecay: config.weightDecay ?? 0)
    case "Adam":
      return Adam(groups: groups, betas: betas, epsilon: eps, weightDecay: config.weightDecay ?? 0)
    case "AdamW":
      if let wd = config.weightDecay { return AdamW(groups: groups, betas: betas, epsilon: eps, weightDecay: wd) }
      return AdamW(groups: groups, betas: betas, epsilon: eps)  // PyTorch's default weight decay, 0.01
    default:
      fatalError("unknown optimizer \(config.optimizer)")
    }
  }

  /// Sets the fixture's synthetic gradients for step `t` (1-based):
  /// `(p * 0.5 + float32(t * 0.1)) + c`; p1 gets none at step 3 and p2 never does.
  func setGradients(_ parameters: [String: Tensor], step t: Int) {
    for n in Self.names {
      let p = parameters[n]!
      guard n != "p2", !(n == "p1" && t == 3) else { p.grad = nil; continue }
      let offset = c[n]!
      let s = Float(Double(t) * 0.1)
      p.grad = Tensor(shape: p.shape, (0..<p.count).map { i in (p.data[i] * 0.5 + s) + offset[i] })
    }
  }
}

struct SchedulesFixture: Decodable {
  /// PyTorch's `max_lr`: one value for every group, or one per group.
  enum MaxLR: Decodable {
    case scalar(Float), perGroup([Float])

    init(from decoder: any Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let v = try? c.decode(Float.self) { self = .scalar(v) } else { self = .perGroup(try c.decode([Float].self)) }
    }
  }

  struct Params: Decodable {
    var maxLr: MaxLR?
    var stepSize: Int?
    var gamma: Double?
    var groupLrs: [Float]?
    var totalSteps: Int?
    var warmupSteps: Int?
    var minLr: Float?
    var pctStart: Double?
    var divFactor: Double?
    var finalDivFactor: Double?
    var annealStrategy: String?
    var threePhase: Bool?
  }

  struct Case: Decodable {
    var params: Params
    /// Learning rate of each group at scheduler step 0, 1, …
    var lrs: [[Double]]
  }

  var torch: String
  var cases: [String: Case]
}

struct ClipFixture: Decodable {
  struct Case: Decodable {
    var maxNorm: Float
    var grads: [String: [Float]]
    var totalNorm: Float
    var clipped: [String: [Float]]
  }

  var torch: String
  var shapes: [String: [Int]]
  var cases: [Case]
}
