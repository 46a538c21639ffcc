/// Limited-memory BFGS for smooth, full-batch objectives (Nocedal & Wright, *Numerical
/// Optimization*, 2nd ed., Algorithm 7.4 for the two-loop recursion, 7.5 for the method), with a
/// backtracking line search on the Armijo condition. A pair (s, y) whose curvature sᵀy is not
/// positive is skipped, so the implicit Hessian stays positive definite without a Wolfe search.
/// Used where an objective is cheap enough to evaluate exactly (a linear head on cached features),
/// as scikit-learn's `LogisticRegression(solver="lbfgs")` does.
public struct LBFGS: Sendable {
  /// Correction pairs kept (m).
  public var memory: Int
  public var maxIterations: Int
  /// Stop when the largest |gradient| component falls below this.
  public var gradientTolerance: Double
  /// Stop when the objective changes by less than this, relatively, in one iteration.
  public var relativeTolerance: Double

  public init(memory: Int = 10, maxIterations: Int = 500, gradientTolerance: Double = 1e-5,
              relativeTolerance: Double = 1e-10) {
    precondition(memory >= 1 && maxIterations >= 0, "LBFGS: memory \(memory), iterations \(maxIterations)")
    self.memory = memory
    self.maxIterations = maxIterations
    self.gradientTolerance = gradientTolerance
    self.relativeTolerance = relativeTolerance
  }

  public struct Result: Sendable {
    public var x: [Double]
    public var value: Double
    public var iterations: Int
    /// Evaluations of the objective (line-search trials included).
    public var evaluations: Int
    public var converged: Bool
  }

  /// Minimises `objective` (value and gradient at x) from `start`.
  public func minimize(from start: [Double], _ objective: ([Double]) -> (Double, [Double])) -> Result {
    let n = start.count
    var x = start
    var (f, g) = objective(x)
    var evaluations = 1
    var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
    var iteration = 0
    var converged = maxAbs(g) <= gradientTolerance
    while !converged && iteration < maxIterations {
      iteration += 1
      // Two-loop recursion: d = −H·g.
      var q = g
      var alpha = [Double](repeating: 0, count: s.count)
      for i in stride(from: s.count - 1, through: 0, by: -1) {
        alpha[i] = rho[i] * dot(s[i], q)
        axpy(-alpha[i], y[i], &q)
      }
      if let last = s.indices.last {
        let gamma = dot(s[last], y[last]) / dot(y[last], y[last])
        for j in 0..<n { q[j] *= gamma }
      } else {
        let scale = 1 / max(1, norm(g))  // first step: unit length along −g
        for j in 0..<n { q[j] *= scale }
      }
      for i in 0..<s.count {
        let beta = rho[i] * dot(y[i], q)
        axpy(alpha[i] - beta, s[i], &q)
      }
      var direction = q
      for j in 0..<n { direction[j] = -direction[j] }
      var slope = dot(g, direction)
      if !(slope < 0) {  // not a descent direction (numerical trouble): restart from steepest descent
        s.removeAll(); y.removeAll(); rho.removeAll()
        direction = g.map { -$0 / max(1, norm(g)) }
        slope = dot(g, direction)
        if !(slope < 0) { break }
      }
      // Backtracking line search (Armijo, c1 = 1e-4).
      var step = 1.0
      var accepted: (x: [Double], f: Double, g: [Double])? = nil
      for _ in 0..<40 {
        var trial = x
        axpy(step, direction, &trial)
        let (ft, gt) = objective(trial)
        evaluations += 1
        if ft.isFinite && ft <= f + 1e-4 * step * slope {
          accepted = (trial, ft, gt)
          break
        }
        step *= 0.5
      }
      guard let next = accepted else { break }
      var sk = next.x, yk = next.g
      for j in 0..<n { sk[j] -= x[j]; yk[j] -= g[j] }
      let curvature = dot(sk, yk)
      if curvature > 1e-12 * max(1, dot(yk, yk)) {
        if s.count == memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
        s.append(sk); y.append(yk); rho.append(1 / curvature)
      }
      let change = abs(f - next.f)
      (x, f, g) = (next.x, next.f, next.g)
      converged = maxAbs(g) <= gradientTolerance || change <= relativeTolerance * max(abs(f), 1e-300)
    }
    return Result(x: x, value: f, iterations: iteration, evaluations: evaluations, converged: converged)
  }

  @inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in a.indices { s += a[i] * b[i] }
    return s
  }
  @inline(__always) func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
  @inline(__always) func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
  @inline(__always) func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
    for i in y.indices { y[i] += alpha * x[i] }
  }
}
