import GraftCore

/// A generated 3-class image task: horizontal stripes, vertical stripes, or a
/// centred blob, on 1×8×8 images with random phase, contrast and noise.
enum SyntheticImages {
  static func make(count: Int, seed: UInt64, size: Int = 8) -> TensorDataset {
    var g = Generator(seed: seed)
    let x = Tensor(uninitializedShape: [count, 1, size, size])
    var labels: [Int] = []
    for i in 0..<count {
      let c = i % 3
      let phase = g.int(below: 2), contrast = g.uniform(0.6, 1.4)
      for r in 0..<size {
        for col in 0..<size {
          let v: Float
          switch c {
          case 0: v = (r + phase) % 2 == 0 ? 1 : -1
          case 1: v = (col + phase) % 2 == 0 ? 1 : -1
          default:
            let d = Float((r - size / 2) * (r - size / 2) + (col - size / 2) * (col - size / 2))
            v = d < Float(size) ? 1 : -1
          }
          let (n, _) = g.normalPair()
          x.data[((i * size) + r) * size + col] = contrast * v + 0.4 * Float(n)
        }
      }
      labels.append(c)
    }
    return TensorDataset(inputs: x, labels: labels)
  }
}
