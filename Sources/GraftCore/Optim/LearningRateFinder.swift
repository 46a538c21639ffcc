#if canImport(Glibc)
import Glibc
#endif

/// The learning-rate range test (Smith 2015; fastai's `lr_find`): train for up to `steps`
/// steps while the learning rate grows exponentially from `start` to `end`, record an
/// exponentially smoothed loss, and stop once it exceeds `divergenceFactor` × the best so far.
///
/// The sweep calls your closure once per step with that step's learning rate; the closure
/// sets it on the optimizer, performs one training step (zero gradients, forward, backward,
/// `step()`) and returns the loss:
///
///     let finder = LearningRateFinder()
///     let result = finder.run(restore: LearningRateFinder.snapshot(parameters, optimizer: optimizer)) { lr in
///       for i in optimizer.groups.indices { optimizer.groups[i].learningRate = lr }
///       optimizer.zeroGradients()
///       let loss = crossEntropy(logits: model(batch.images), labels: batch.labels)
///       loss.backward(); optimizer.step()
///       return loss.item
///     }
///     print(result.plot()); let lr = result.steepest
///
/// **The sweep trains the model.** The finder does not know your model, so undoing that is the
/// caller's job: pass `restore`, which runs when the sweep ends (also when the closure throws).
/// `snapshot(_:optimizer:)` builds one that puts back parameter values, gradients, optimizer
/// state and learning rates. Buffers outside the optimizer (BatchNorm running statistics)
/// belong in your own restore.
///
/// Details, following fastai: the learning rate of step i is `start · (end/start)^(i/(steps−1))`
/// (both ends included); the smoothed loss is `avg ← β·avg + (1−β)·loss`, reported as
/// `avg / (1 − β^(i+1))` (bias-corrected, β = `smoothing`); the step that crosses the
/// divergence threshold is recorded, then the sweep stops. A non-finite loss stops the sweep
/// and is not recorded.
///
/// See https://docs.fast.ai/callback.schedule.html#lrfinder
public struct LearningRateFinder: Sendable {
  /// The first learning rate.
  public var start: Float
  /// The last learning rate (reached if the loss does not diverge first).
  public var end: Float
  /// Number of training steps in a full sweep.
  public var steps: Int
  /// β of the exponential moving average of the loss.
  public var smoothing: Double
  /// The sweep stops when the smoothed loss exceeds this multiple of the best smoothed loss.
  public var divergenceFactor: Double

  public init(start: Float = 1e-7, end: Float = 10, steps: Int = 100, smoothing: Double = 0.98,
              divergenceFactor: Double = 4) {
    precondition(start > 0 && end > start, "LearningRateFinder: need 0 < start (\(start)) < end (\(end))")
    precondition(steps >= 2, "LearningRateFinder: \(steps) steps; need at least 2")
    precondition(smoothing >= 0 && smoothing < 1, "LearningRateFinder: smoothing \(smoothing) outside [0, 1)")
    self.start = start
    self.end = end
    self.steps = steps
    self.smoothing = smoothing
    self.divergenceFactor = divergenceFactor
  }

  /// The learning rate of sweep step `index` (0-based).
  public func learningRate(at index: Int) -> Float {
    let pos = Double(index) / Double(steps - 1)
    return Float(Double(start) * pow(Double(end) / Double(start), pos))
  }

  /// Runs the sweep. `trainStep(learningRate)` performs one training step and returns its loss;
  /// `restore` runs once at the end, however the sweep ends.
  public func run(
    restore: (() -> Void)? = nil, _ trainStep: (_ learningRate: Float) throws -> Float
  ) rethrows -> LearningRateFinderResult {
    defer { restore?() }
    var points: [LearningRateFinderResult.Point] = []
    var average = 0.0
    var best = Double.infinity
    var stoppedEarly = false
    for i in 0..<steps {
      let lr = learningRate(at: i)
      let loss = try trainStep(lr)
      guard loss.isFinite else { stoppedEarly = true; break }
      average = smoothing * average + (1 - smoothing) * Double(loss)
      let smoothed = average / (1 - pow(smoothing, Double(i + 1)))
      points.append(.init(learningRate: lr, loss: loss, smoothedLoss: Float(smoothed)))
      if smoothed < best { best = smoothed }
      if smoothed > divergenceFactor * best { stoppedEarly = i < steps - 1; break }
    }
    return LearningRateFinderResult(points: points, stoppedEarly: stoppedEarly, totalSteps: steps)
  }

  /// A restore hook for `run(restore:_:)`: copies the values and gradients of `parameters` and,
  /// if given, the optimizer's state and learning rates now; the returned closure writes them back.
  public static func snapshot(_ parameters: [Tensor], optimizer: (any Optimizer)? = nil) -> () -> Void {
    let values = parameters.map { $0.copy() }
    let grads = parameters.map { $0.grad?.copy() }
    let state = optimizer?.stateTensors().mapValues { $0.copy() }
    let learningRates = optimizer?.groups.map(\.learningRate)
    return {
      for (p, v) in zip(parameters, values) { p.assign(v) }
      for (p, g) in zip(parameters, grads) { p.grad = g?.copy() }
      guard let optimizer, let state, let learningRates else { return }
      do {
        try optimizer.loadState(state)
      } catch {
        preconditionFailure("LearningRateFinder.snapshot: the optimizer's groups changed during the sweep: \(error)")
      }
      precondition(optimizer.groups.count == learningRates.count,
                   "LearningRateFinder.snapshot: the optimizer's groups changed during the sweep")
      for i in optimizer.groups.indices { optimizer.groups[i].learningRate = learningRates[i] }
    }
  }
}

/// What a `LearningRateFinder` sweep recorded, with suggested learning rates.
public struct LearningRateFinderResult: Sendable {
  public struct Point: Equatable, Sendable {
    public var learningRate: Float
    /// The loss the closure returned.
    public var loss: Float
    /// The bias-corrected exponential moving average of the loss up to this step.
    public var smoothedLoss: Float
  }

  /// One point per recorded step, in sweep order.
  public var points: [Point]
  /// True when the sweep stopped before its last step (divergence or a non-finite loss).
  public var stoppedEarly: Bool
  /// The `steps` of the finder that made this result.
  public var totalSteps: Int

  /// (learning rate, smoothed loss) per recorded step.
  public var curve: [(learningRate: Float, loss: Float)] { points.map { ($0.learningRate, $0.smoothedLoss) } }

  /// The points the suggestions use: like fastai, the first `totalSteps/10` and the last 5 are
  /// dropped (the start is noisy, the end diverges), unless fewer than 2 would remain.
  var trimmed: ArraySlice<Point> {
    let head = totalSteps / 10
    let kept = points.dropFirst(head).dropLast(5)
    return kept.count >= 2 ? kept : points[...]
  }

  /// The learning rate where the smoothed loss falls fastest against log(learning rate): the
  /// left end of the segment with the most negative slope (fastai's `steep`). Nil when the
  /// loss never falls.
  public var steepest: Float? {
    let p = Array(trimmed)
    guard p.count >= 2 else { return nil }
    var bestSlope = 0.0
    var best: Float?
    for i in 0..<(p.count - 1) {
      let dx = log(Double(p[i + 1].learningRate)) - log(Double(p[i].learningRate))
      let slope = (Double(p[i + 1].smoothedLoss) - Double(p[i].smoothedLoss)) / dx
      if slope < bestSlope { bestSlope = slope; best = p[i].learningRate }
    }
    return best
  }

  /// A tenth of the learning rate with the lowest smoothed loss (fastai's `minimum`).
  public var minimumOverTen: Float? {
    guard let lowest = trimmed.min(by: { $0.smoothedLoss < $1.smoothedLoss }) else { return nil }
    return lowest.learningRate / 10
  }

  /// The suggested learning rate: `steepest`, else `minimumOverTen`.
  public var suggestion: Float? { steepest ?? minimumOverTen }

  /// The smoothed loss against the learning rate (log scale) as plain text, for terminals:
  /// `height` rows by `width` columns of plot, axis labels, and the suggestions. A `^` under
  /// the axis marks the steepest-slope learning rate.
  public func plot(width: Int = 60, height: Int = 15) -> String {
    precondition(width >= 10 && height >= 3, "plot: \(width)×\(height) is too small")
    guard let first = points.first, let last = points.last, points.count >= 2 else {
      return "learning rate finder: \(points.count) point(s), nothing to plot\n"
    }
    let x0 = log10(Double(first.learningRate)), x1 = log10(Double(last.learningRate))
    let losses = points.map { Double($0.smoothedLoss) }
    let low = losses.min()!, high = losses.max()!
    func column(_ lr: Float) -> Int {
      let t = (log10(Double(lr)) - x0) / (x1 - x0)
      return Swift.min(width - 1, Swift.max(0, Int((t * Double(width - 1)).rounded())))
    }
    func row(_ loss: Double) -> Int {  // 0 is the top row
      let t = high > low ? (high - loss) / (high - low) : 0.5
      return Swift.min(height - 1, Swift.max(0, Int((t * Double(height - 1)).rounded())))
    }
    var grid = [[Character]](repeating: [Character](repeating: " ", count: width), count: height)
    for (point, loss) in zip(points, losses) { grid[row(loss)][column(point.learningRate)] = "*" }

    let top = formatNumber(high), bottom = formatNumber(low)
    let labelWidth = Swift.max(top.count, bottom.count)
    func pad(_ s: String) -> String { String(repeating: " ", count: labelWidth - s.count) + s }
    var lines = [pad("loss")]
    for r in 0..<height {
      let label = r == 0 ? top : r == height - 1 ? bottom : ""
      lines.append(pad(label) + " |" + String(grid[r]))
    }
    lines.append(String(repeating: " ", count: labelWidth) + " +" + String(repeating: "-", count: width))
    if let steep = steepest {
      lines.append(String(repeating: " ", count: labelWidth + 2 + column(steep)) + "^")
    }
    let left = formatScientific(first.learningRate), right = formatScientific(last.learningRate)
    let middle = "learning rate (log scale)"
    let gap = Swift.max(1, width - left.count - right.count - middle.count)
    let leftGap = gap / 2, rightGap = gap - leftGap
    lines.append(String(repeating: " ", count: labelWidth + 2) + left + String(repeating: " ", count: leftGap)
                 + middle + String(repeating: " ", count: rightGap) + right)
    var summary = "steepest: " + (steepest.map(formatScientific) ?? "none")
    summary += "   minimum/10: " + (minimumOverTen.map(formatScientific) ?? "none")
    if stoppedEarly { summary += "   (stopped early after \(points.count) of \(totalSteps) steps)" }
    lines.append(summary)
    return lines.joined(separator: "\n") + "\n"
  }
}

/// `x` as `d.de±XX` (for example `3.2e-03`), without Foundation.
func formatScientific(_ x: Float) -> String {
  let v = Double(x)
  guard v.isFinite else { return "\(x)" }
  if v == 0 { return "0.0e+00" }
  var exponent = Int(floor(log10(Swift.abs(v))))
  var tenths = Int((Swift.abs(v) / pow(10, Double(exponent)) * 10).rounded())
  if tenths >= 100 { tenths /= 10; exponent += 1 }
  let e = Swift.abs(exponent)
  return (v < 0 ? "-" : "") + "\(tenths / 10).\(tenths % 10)e" + (exponent < 0 ? "-" : "+") + (e < 10 ? "0" : "") + "\(e)"
}

/// A loss value with four significant digits, fixed-point where that reads well.
func formatNumber(_ x: Double) -> String {
  guard x.isFinite else { return "\(x)" }
  let magnitude = Swift.abs(x)
  if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e5) { return formatScientific(Float(x)) }
  let decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 10 ? 2 : 3
  let scale = pow(10, Double(decimals))
  let scaled = Int((magnitude * scale).rounded())
  let whole = scaled / Int(scale), fraction = scaled % Int(scale)
  var s = (x < 0 ? "-" : "") + "\(whole)"
  if decimals > 0 {
    let digits = "\(fraction)"
    s += "." + String(repeating: "0", count: decimals - digits.count) + digits
  }
  return s
}
