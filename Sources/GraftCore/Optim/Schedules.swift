#if canImport(Glibc)
import Glibc
#endif

/// A learning rate as a function of the step (or epoch) count, applied to each parameter
/// group's own `initialLearningRate`, so discriminative fine-tuning keeps its per-group ratios.
///
/// `step` counts completed scheduler steps, as PyTorch's `last_epoch`: step 0 is the
/// learning rate of the first optimizer step. Call `apply(to:step:)` before each
/// `optimizer.step()` (per batch for `OneCycle` and `CosineWithWarmup`, per epoch or per
/// batch for `StepLR`, as you choose). Values are computed in Double, as PyTorch does, and
/// rounded to Float once.
///
/// See https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
public protocol LearningRateSchedule {
  /// The learning rate at `step` for a group created with `initialLearningRate`.
  func learningRate(step: Int, initialLearningRate: Float) -> Float
}

extension LearningRateSchedule {
  /// Sets each group's `learningRate` for `step` from its own `initialLearningRate`.
  public func apply(to optimizer: any Optimizer, step: Int) {
    for i in optimizer.groups.indices {
      optimizer.groups[i].learningRate =
        learningRate(step: step, initialLearningRate: optimizer.groups[i].initialLearningRate)
    }
  }
}

/// Multiplies the learning rate by `gamma` every `stepSize` steps:
/// `lr = initial · gamma^⌊step / stepSize⌋`, as `torch.optim.lr_scheduler.StepLR` (its
/// closed form; PyTorch's recursive form differs only in the last double-precision bit).
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
public struct StepLR: LearningRateSchedule, Sendable {
  public var stepSize: Int
  public var gamma: Double

  public init(stepSize: Int, gamma: Double = 0.1) {
    precondition(stepSize > 0, "StepLR: step size \(stepSize) must be positive")
    self.stepSize = stepSize
    self.gamma = gamma
  }

  public func learningRate(step: Int, initialLearningRate: Float) -> Float {
    precondition(step >= 0, "StepLR: step \(step) < 0")
    return Float(Double(initialLearningRate) * pow(gamma, Double(step / stepSize)))
  }
}

/// Linear warm-up from 0, then a half cosine down to `minLR`.
///
///     step < warmupSteps:  lr = initial · step / warmupSteps
///     otherwise:           progress = min(1, (step − warmupSteps) / max(1, totalSteps − warmupSteps))
///                          lr = minLR + (initial − minLR) · ½ · (1 + cos(π · progress))
///
/// The first step (step 0) therefore runs at learning rate 0, and the peak `initial` is
/// reached at step `warmupSteps`. From `totalSteps` on the learning rate stays at `minLR`.
/// This is Hugging Face's `get_cosine_with_min_lr_schedule_with_warmup` (one half cycle),
/// with `minLR` an absolute learning rate shared by every group, like the `eta_min` of
/// `torch.optim.lr_scheduler.CosineAnnealingLR`; there is no single PyTorch class for it.
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
public struct CosineWithWarmup: LearningRateSchedule, Sendable {
  public var warmupSteps: Int
  public var totalSteps: Int
  public var minLR: Float

  public init(warmupSteps: Int, totalSteps: Int, minLR: Float = 0) {
    precondition(warmupSteps >= 0 && totalSteps >= warmupSteps,
                 "CosineWithWarmup: need 0 ≤ warmupSteps (\(warmupSteps)) ≤ totalSteps (\(totalSteps))")
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
    self.minLR = minLR
  }

  public func learningRate(step: Int, initialLearningRate: Float) -> Float {
    precondition(step >= 0, "CosineWithWarmup: step \(step) < 0")
    let base = Double(initialLearningRate)
    if step < warmupSteps { return Float(base * Double(step) / Double(warmupSteps)) }
    let progress = Swift.min(1, Double(step - warmupSteps) / Double(Swift.max(1, totalSteps - warmupSteps)))
    let low = Double(minLR)
    return Float(low + (base - low) * 0.5 * (1 + cos(Double.pi * progress)))
  }
}

/// The 1cycle policy of `torch.optim.lr_scheduler.OneCycleLR`: from `maxLR / divFactor` up to
/// `maxLR` over the first `pctStart` of `totalSteps`, then down to
/// `maxLR / (divFactor · finalDivFactor)` at step `totalSteps − 1` (cosine or linear annealing;
/// `threePhase` as in PyTorch). Step `totalSteps` is still allowed, as in PyTorch; beyond it is
/// a precondition failure (PyTorch raises).
///
/// Peak per group: with `maxLR` nil (the default) each group peaks at its own
/// `initialLearningRate`, which is PyTorch's `max_lr=[lr of each group]` and keeps
/// discriminative ratios; with a value, every group peaks at it (PyTorch's scalar `max_lr`).
///
/// Momentum cycling (`cycle_momentum`) is not implemented: momentum and β1 stay as set on
/// the optimizer, which equals PyTorch with `cycle_momentum=False`.
///
/// See https://pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
public struct OneCycle: LearningRateSchedule, Sendable {
  public enum Annealing: Sendable { case cosine, linear }

  public var maxLR: Float?
  public var totalSteps: Int
  public var pctStart: Double
  public var divFactor: Double
  public var finalDivFactor: Double
  public var annealing: Annealing
  public var threePhase: Bool

  public init(maxLR: Float? = nil, totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
              finalDivFactor: Double = 1e4, annealing: Annealing = .cosine, threePhase: Bool = false) {
    precondition(totalSteps > 0, "OneCycle: total steps \(totalSteps) must be positive")
    precondition(pctStart >= 0 && pctStart <= 1, "OneCycle: pctStart \(pctStart) outside [0, 1]")
    self.maxLR = maxLR
    self.totalSteps = totalSteps
    self.pctStart = pctStart
    self.divFactor = divFactor
    self.finalDivFactor = finalDivFactor
    self.annealing = annealing
    self.threePhase = threePhase
  }

  public func learningRate(step: Int, initialLearningRate: Float) -> Float {
    precondition(step >= 0 && step <= totalSteps,
                 "OneCycle: step \(step) outside 0...\(totalSteps) (total steps)")
    let peak = Double(maxLR ?? initialLearningRate)
    let initial = peak / divFactor
    let minimum = initial / finalDivFactor
    let warm = pctStart * Double(totalSteps) - 1
    let last = Double(totalSteps - 1)
    // (end step, start lr, end lr) of each phase, as PyTorch's _schedule_phases.
    let phases: [(Double, Double, Double)] = threePhase
      ? [(warm, initial, peak), (2 * pctStart * Double(totalSteps) - 2, peak, initial), (last, initial, minimum)]
      : [(warm, initial, peak), (last, peak, minimum)]
    let s = Double(step)
    var start = 0.0
    for (i, (end, from, to)) in phases.enumerated() {
      if s <= end || i == phases.count - 1 {
        let pct = (s - start) / (end - start)
        switch annealing {
        case .cosine: return Float(to + (from - to) / 2 * (cos(Double.pi * pct) + 1))
        case .linear: return Float((to - from) * pct + from)
        }
      }
      start = end
    }
    fatalError("unreachable")
  }
}
