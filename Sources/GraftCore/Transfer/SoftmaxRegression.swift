#if canImport(Glibc)
import Glibc
#endif

/// Multinomial logistic regression on a feature matrix, the objective a linear head minimises:
///
///   L(W, b) = Σᵢ wᵢ · CE(softmax(W xᵢ + b), yᵢ) / Σᵢ wᵢ  +  λ/2 · ‖W‖²
///
/// (the bias is not penalised, as in scikit-learn). `x` is [n, d] row-major; parameters are
/// flattened as W [k, d] then b [k]. Value and gradient are computed with two GEMMs.
struct SoftmaxRegression {
  let x: UnsafePointer<Float>
  let count: Int, featureCount: Int, classCount: Int
  let labels: [Int]
  /// Per-example weights, normalised to sum 1.
  let weights: [Float]
  var l2: Double

  init(x: UnsafePointer<Float>, count: Int, featureCount: Int, classCount: Int, labels: [Int],
       classWeights: [Float]?, l2: Double) {
    precondition(labels.count == count && labels.allSatisfy { $0 >= 0 && $0 < classCount },
                 "SoftmaxRegression: \(labels.count) labels for \(count) rows of \(classCount) classes")
    self.x = x
    self.count = count
    self.featureCount = featureCount
    self.classCount = classCount
    self.labels = labels
    var w = labels.map { classWeights?[$0] ?? 1 }
    let total = w.reduce(0, +)
    for i in w.indices { w[i] /= total }
    weights = w
    self.l2 = l2
  }

  var parameterCount: Int { classCount * featureCount + classCount }

  /// Logits [n, k] of `rows` rows of `features` (row-major [rows, d]) under `parameters`.
  static func logits(_ features: UnsafePointer<Float>, rows: Int, featureCount d: Int, classCount k: Int,
                     parameters: [Float]) -> [Float] {
    var z = [Float](repeating: 0, count: rows * k)
    parameters.withUnsafeBufferPointer { p in
      z.withUnsafeMutableBufferPointer { zp in
        Kernels.gemm(transA: false, transB: true, m: rows, n: k, k: d, a: features, lda: d,
                     b: p.baseAddress!, ldb: d, c: zp.baseAddress!, ldc: k)
        for i in 0..<rows { for c in 0..<k { zp[i * k + c] += p[k * d + c] } }
      }
    }
    return z
  }

  /// Turns each row of `z` [rows, k] into probabilities in place; returns each row's log-sum-exp.
  static func softmaxRows(_ z: inout [Float], rows: Int, classCount k: Int) -> [Double] {
    var lse = [Double](repeating: 0, count: rows)
    z.withUnsafeMutableBufferPointer { zp in
      for i in 0..<rows {
        let row = zp.baseAddress! + i * k
        var m = -Float.infinity
        for c in 0..<k { m = max(m, row[c]) }
        var s: Double = 0
        for c in 0..<k { let e = expf(row[c] - m); row[c] = e; s += Double(e) }
        let inv = Float(1 / s)
        for c in 0..<k { row[c] *= inv }
        lse[i] = Double(m) + log(s)
      }
    }
    return lse
  }

  func valueAndGradient(_ parameters: [Double]) -> (Double, [Double]) {
    let k = classCount, d = featureCount, n = count
    let p32 = parameters.map { Float($0) }
    var z = Self.logits(x, rows: n, featureCount: d, classCount: k, parameters: p32)
    let raw = z
    let lse = Self.softmaxRows(&z, rows: n, classCount: k)
    var loss = 0.0
    for i in 0..<n {
      let y = labels[i]
      loss += Double(weights[i]) * (lse[i] - Double(raw[i * k + y]))
      // z becomes G = w_i (P − Y).
      z[i * k + y] -= 1
      for c in 0..<k { z[i * k + c] *= weights[i] }
    }
    var gradient = [Float](repeating: 0, count: parameterCount)
    z.withUnsafeBufferPointer { g in
      gradient.withUnsafeMutableBufferPointer { dp in
        Kernels.gemm(transA: true, transB: false, m: k, n: d, k: n, a: g.baseAddress!, lda: k,
                     b: x, ldb: d, c: dp.baseAddress!, ldc: d)
        for i in 0..<n { for c in 0..<k { dp[k * d + c] += g[i * k + c] } }
      }
    }
    var result = gradient.map(Double.init)
    var penalty = 0.0
    for j in 0..<(k * d) {
      penalty += parameters[j] * parameters[j]
      result[j] += l2 * parameters[j]
    }
    return (loss + 0.5 * l2 * penalty, result)
  }

  /// Mean (unweighted) cross-entropy and accuracy of `parameters` on `rows` rows of `features`.
  static func score(_ features: UnsafePointer<Float>, rows: Int, labels: [Int], featureCount d: Int, classCount k: Int,
                    parameters: [Float]) -> (loss: Double, accuracy: Double, probabilities: [Float]) {
    var z = logits(features, rows: rows, featureCount: d, classCount: k, parameters: parameters)
    _ = softmaxRows(&z, rows: rows, classCount: k)
    var loss = 0.0, correct = 0
    for i in 0..<rows {
      let row = z[(i * k)..<(i * k + k)]
      loss -= log(max(Double(row[row.startIndex + labels[i]]), 1e-30))
      if row.indices.max(by: { row[$0] < row[$1] }) == row.startIndex + labels[i] { correct += 1 }
    }
    return (loss / Double(max(rows, 1)), Double(correct) / Double(max(rows, 1)), z)
  }
}
