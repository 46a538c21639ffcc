#if canImport(Glibc)
import Glibc
#endif
import GraftCore

/// The core demo: a two-layer MLP learns three interleaved spirals from
/// generated points, trained with the tape and plain SGD with momentum.
/// `graft demo --core` runs it; `graft demo` runs the transfer scenarios of the modality modules.
public enum CoreDemo {
  public struct Result: Codable, Sendable {
    public var trainExamples: Int
    public var testExamples: Int
    public var epochs: Int
    public var finalLoss: Float
    public var trainAccuracy: Float
    public var testAccuracy: Float
    public var seconds: Double
  }

  /// Points on `classes` spirals with Gaussian noise: x [N, 2], labels [N].
  public static func spirals(count: Int, classes: Int = 3, noise: Float = 0.15,
                             using g: inout Generator) -> (Tensor, [Int]) {
    let x = Tensor(uninitializedShape: [count, 2])
    var labels = [Int](repeating: 0, count: count)
    for i in 0..<count {
      let c = i % classes
      let r = g.uniform(0.05, 1)
      let theta = Float(c) * 2 * Float.pi / Float(classes) + r * 3.5
      let (n1, n2) = g.normalPair()
      x.data[2 * i] = r * cosf(theta) + noise * r * Float(n1)
      x.data[2 * i + 1] = r * sinf(theta) + noise * r * Float(n2)
      labels[i] = c
    }
    return (x, labels)
  }

  public static func run(epochs: Int = 60, seed: UInt64 = 42, quiet: Bool = false) -> Result {
    let start = Stopwatch.now()
    var g = Generator(seed: seed)
    let (trainX, trainY) = spirals(count: 1500, using: &g)
    let (testX, testY) = spirals(count: 600, using: &g)
    let hidden = 64
    // Kaiming-uniform-like initialisation, as torch.nn.Linear.
    func layer(_ inputs: Int, _ outputs: Int) -> (Tensor, Tensor) {
      let bound = 1 / Float(inputs).squareRoot()
      return (Tensor.randomUniform([outputs, inputs], low: -bound, high: bound, using: &g, requiresGrad: true),
              Tensor.randomUniform([outputs], low: -bound, high: bound, using: &g, requiresGrad: true))
    }
    let (w1, b1) = layer(2, hidden), (w2, b2) = layer(hidden, hidden), (w3, b3) = layer(hidden, 3)
    let parameters = [w1, b1, w2, b2, w3, b3]
    let velocity = parameters.map { Tensor.zeros($0.shape) }
    func forward(_ x: Tensor) -> Tensor {
      let h1 = (matmul(x, w1, transposeB: true) + b1).relu()
      let h2 = (matmul(h1, w2, transposeB: true) + b2).relu()
      return matmul(h2, w3, transposeB: true) + b3
    }
    func accuracy(_ x: Tensor, _ y: [Int]) -> Float {
      let predicted = withoutGradients { forward(x) }.argmax(axis: 1)
      return Float(zip(predicted, y).filter { $0 == $1 }.count) / Float(y.count)
    }
    let batch = 64, steps = (trainY.count + batch - 1) / batch
    let bar = ProgressBar("train", total: epochs * steps, quiet: quiet)
    var lastLoss: Float = 0
    for _ in 0..<epochs {
      let order = g.permutation(trainY.count)
      for s in 0..<steps {
        let idx = Array(order[(s * batch)..<min((s + 1) * batch, order.count)])
        let loss = crossEntropy(logits: forward(trainX.indexSelect(axis: 0, idx)), labels: idx.map { trainY[$0] })
        for p in parameters { p.grad = nil }
        loss.backward()
        for (p, v) in zip(parameters, velocity) {
          // v = 0.9·v + g;  p -= 0.1·v
          let gp = p.grad!.data
          for i in 0..<p.count {
            v.data[i] = 0.9 * v.data[i] + gp[i]
            p.data[i] -= 0.1 * v.data[i]
          }
        }
        lastLoss = 0.9 * lastLoss + 0.1 * loss.item
        bar.advance(fields: "loss \(String(format3(lastLoss)))")
      }
    }
    return Result(trainExamples: trainY.count, testExamples: testY.count, epochs: epochs, finalLoss: lastLoss,
                  trainAccuracy: accuracy(trainX, trainY), testAccuracy: accuracy(testX, testY),
                  seconds: Stopwatch.now() - start)
  }

  static func format3(_ v: Float) -> String {
    let scaled = Int((v * 1000).rounded())
    let frac = String(abs(scaled) % 1000)
    return "\(scaled / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
  }
}
