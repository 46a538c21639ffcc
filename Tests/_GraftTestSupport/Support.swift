import GraftCore
import Testing

/// Largest |a − b| relative to max(1, |b|) over all elements.
public func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
  precondition(a.count == b.count, "maxRelativeError: \(a.count) vs \(b.count) elements")
  var worst: Float = 0
  for (x, y) in zip(a, b) {
    let e = Swift.abs(x - y) / Swift.max(1, Swift.abs(y))
    if e.isNaN { return .infinity }
    worst = Swift.max(worst, e)
  }
  return worst
}

/// Expects equal shapes and elements within `tolerance` (absolute below 1, relative above).
public func assertClose(
  _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)",
          sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  let err = maxRelativeError(actual.scalars, expected.scalars)
  #expect(err <= tolerance, "\(what): max error \(err) > \(tolerance)", sourceLocation: sourceLocation)
}

public func assertClose(
  _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5, _ what: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) elements",
          sourceLocation: sourceLocation)
  guard actual.count == expected.count else { return }
  let err = maxRelativeError(actual, expected)
  #expect(err <= tolerance, "\(what): max error \(err) > \(tolerance)", sourceLocation: sourceLocation)
}

/// Checks the tape's gradients of `f` against central finite differences.
///
/// The scalar checked is L = Σ f(inputs) ⊙ R for a fixed random R, so every
/// output element contributes. Each input element is perturbed by ±`epsilon`
/// and L is evaluated in Double; the analytic and numeric gradients must agree
/// within `tolerance` relative to max(1, |numeric|).
public func checkGradient(
  _ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Float = 1e-2, seed: UInt64 = 7,
  sourceLocation: SourceLocation = #_sourceLocation,
  _ f: ([Tensor]) -> Tensor
) {
  for x in inputs { x.requiresGrad = true; x.grad = nil }
  let y = f(inputs)
  var generator = Generator(seed: seed)
  let r = Tensor.randomNormal(y.shape, using: &generator)
  (y * r).sum().backward()

  func loss() -> Double {
    withoutGradients {
      let out = f(inputs)
      var s: Double = 0
      for i in 0..<out.count { s += Double(out.data[i]) * Double(r.data[i]) }
      return s
    }
  }
  for (index, x) in inputs.enumerated() {
    guard let analytic = x.grad else {
      Issue.record("input \(index): no gradient recorded", sourceLocation: sourceLocation)
      continue
    }
    var numeric = [Float](repeating: 0, count: x.count)
    for i in 0..<x.count {
      let saved = x.data[i]
      x.data[i] = saved + epsilon
      let plus = loss()
      x.data[i] = saved - epsilon
      let minus = loss()
      x.data[i] = saved
      numeric[i] = Float((plus - minus) / (2 * Double(epsilon)))
    }
    let err = maxRelativeError(analytic.scalars, numeric)
    #expect(err <= tolerance, "input \(index) \(x.shape): gradient error \(err)\nanalytic \(analytic.scalars.prefix(8))\nnumeric  \(numeric.prefix(8))",
            sourceLocation: sourceLocation)
  }
}

/// A seeded random tensor for tests.
public func randomTensor(_ shape: [Int], seed: UInt64 = 1, scale: Float = 1) -> Tensor {
  var g = Generator(seed: seed)
  return Tensor.randomNormal(shape, std: scale, using: &g)
}
