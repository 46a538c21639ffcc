#if canImport(Glibc)
import Glibc
#endif

/// Rows of a sparse `[count, columns]` matrix (compressed sparse rows): row i's entries are
/// `indices[offsets[i]..<offsets[i + 1]]` with `values` at the same positions.
public struct SparseRows: Sendable, Equatable {
  public let columns: Int
  public private(set) var offsets: [Int] = [0]
  public private(set) var indices: [Int32] = []
  public private(set) var values: [Float] = []

  public init(columns: Int) {
    precondition(columns >= 0 && columns <= Int(Int32.max), "SparseRows: \(columns) columns")
    self.columns = columns
  }

  public var count: Int { offsets.count - 1 }

  /// Appends a row of (column, value) entries (columns distinct, in any order).
  public mutating func append(_ entries: [(column: Int, value: Float)]) {
    for (j, v) in entries {
      precondition(j >= 0 && j < columns, "SparseRows: column \(j) of \(columns)")
      indices.append(Int32(j))
      values.append(v)
    }
    offsets.append(indices.count)
  }
}

extension SparseRows {
  /// Class probabilities of each row under a softmax regression's `parameters` (W [k, d] then
  /// b [k], `SparseSoftmaxRegression`'s layout), computed in Double.
  public func softmaxProbabilities(classCount k: Int, parameters: [Double]) -> [[Float]] {
    precondition(parameters.count == k * columns + k, "SparseRows: \(parameters.count) parameters for \(k) × \(columns)")
    var z = [Double](repeating: 0, count: k)
    return parameters.withUnsafeBufferPointer { p in
      z.withUnsafeMutableBufferPointer { z in
        (0..<count).map { i in
          SparseSoftmaxRegression.logits(self, row: i, classCount: k, parameters: p, into: z)
          _ = SparseSoftmaxRegression.softmax(z)
          return z.map(Float.init)
        }
      }
    }
  }
}

/// `SoftmaxRegression`'s objective on sparse rows, for wide raw-input baselines (TF-IDF of every
/// word and word pair of a corpus: tens of thousands of columns, a few dozen non-zeros a row),
/// where a dense matrix would not fit and standardising would make it dense:
///
///   L(W, b) = Σᵢ wᵢ · CE(softmax(W xᵢ + b), yᵢ) / Σᵢ wᵢ  +  λ/2 · ‖W‖²
///
/// Parameters are W [k, d] then b [k], as `SoftmaxRegression`'s; the features are used as given.
struct SparseSoftmaxRegression {
  let x: SparseRows
  let classCount: Int
  let labels: [Int]
  /// Per-example weights, normalised to sum 1.
  let weights: [Double]
  var l2: Double

  init(x: SparseRows, classCount: Int, labels: [Int], classWeights: [Float]?, l2: Double) {
    precondition(labels.count == x.count && labels.allSatisfy { $0 >= 0 && $0 < classCount },
                 "SparseSoftmaxRegression: \(labels.count) labels for \(x.count) rows of \(classCount) classes")
    self.x = x
    self.classCount = classCount
    self.labels = labels
    let w = labels.map { Double(classWeights?[$0] ?? 1) }
    let total = w.reduce(0, +)
    weights = w.map { $0 / total }
    self.l2 = l2
  }

  var parameterCount: Int { classCount * x.columns + classCount }

  /// Row i's logits under `parameters` into `z` (k values).
  static func logits(_ x: SparseRows, row i: Int, classCount k: Int, parameters p: UnsafeBufferPointer<Double>,
                     into z: UnsafeMutableBufferPointer<Double>) {
    let d = x.columns
    for c in 0..<k { z[c] = p[k * d + c] }
    for e in x.offsets[i]..<x.offsets[i + 1] {
      let j = Int(x.indices[e]), v = Double(x.values[e])
      for c in 0..<k { z[c] += p[c * d + j] * v }
    }
  }

  /// Softmax of `z` in place; returns its log-sum-exp.
  static func softmax(_ z: UnsafeMutableBufferPointer<Double>) -> Double {
    let m = z.max() ?? 0
    var s = 0.0
    for c in z.indices { z[c] = exp(z[c] - m); s += z[c] }
    for c in z.indices { z[c] /= s }
    return m + log(s)
  }

  func valueAndGradient(_ parameters: [Double]) -> (Double, [Double]) {
    let k = classCount, d = x.columns
    var gradient = [Double](repeating: 0, count: parameterCount)
    var loss = 0.0
    var z = [Double](repeating: 0, count: k)
    parameters.withUnsafeBufferPointer { p in
      gradient.withUnsafeMutableBufferPointer { g in
        z.withUnsafeMutableBufferPointer { z in
          for i in 0..<x.count {
            Self.logits(x, row: i, classCount: k, parameters: p, into: z)
            let zy = z[labels[i]]
            let lse = Self.softmax(z)
            loss += weights[i] * (lse - zy)
            z[labels[i]] -= 1
            for c in 0..<k { z[c] *= weights[i] }  // w_i (P − Y)
            for e in x.offsets[i]..<x.offsets[i + 1] {
              let j = Int(x.indices[e]), v = Double(x.values[e])
              for c in 0..<k { g[c * d + j] += z[c] * v }
            }
            for c in 0..<k { g[k * d + c] += z[c] }
          }
          for q in 0..<(k * d) {
            loss += 0.5 * l2 * p[q] * p[q]
            g[q] += l2 * p[q]
          }
        }
      }
    }
    return (loss, gradient)
  }

  /// Mean (unweighted) log-loss and accuracy of `rows` with `labels` under `parameters`, and the
  /// predicted classes.
  static func score(_ rows: SparseRows, labels: [Int], classCount k: Int, parameters: [Double])
    -> (loss: Double, accuracy: Double, predicted: [Int]) {
    var loss = 0.0, correct = 0
    var predicted: [Int] = []
    var z = [Double](repeating: 0, count: k)
    parameters.withUnsafeBufferPointer { p in
      z.withUnsafeMutableBufferPointer { z in
        for i in 0..<rows.count {
          logits(rows, row: i, classCount: k, parameters: p, into: z)
          var best = 0
          for c in 1..<k where z[c] > z[best] { best = c }
          let zy = z[labels[i]]
          loss += softmax(z) - zy
          predicted.append(best)
          if best == labels[i] { correct += 1 }
        }
      }
    }
    let n = max(rows.count, 1)
    return (loss / Double(n), Double(correct) / Double(n), predicted)
  }
}
