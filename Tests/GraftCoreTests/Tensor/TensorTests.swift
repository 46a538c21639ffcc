import GraftCore
import Testing
import _GraftTestSupport

@Suite struct TensorTests {
  @Test func storageIsAligned() {
    for n in [1, 3, 17, 1000] {
      let t = Tensor.zeros([n])
      #expect(Int(bitPattern: t.data) % 64 == 0)
    }
  }

  @Test func creation() {
    #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
    #expect(Tensor.full([3], 2.5).scalars == [2.5, 2.5, 2.5])
    #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
    #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
    #expect(Tensor(3).shape == [] && Tensor(3).item == 3)
  }

  @Test func generatorIsReproducible() {
    // Golden values: the same seed must give these numbers on every machine.
    var g = Generator(seed: 42)
    let first = (0..<3).map { _ in g.next() }
    var h = Generator(seed: 42)
    #expect((0..<3).map { _ in h.next() } == first)
    #expect(first == GeneratorGolden.seed42)
    var n1 = Generator(seed: 7), n2 = Generator(seed: 7)
    #expect(Tensor.randomNormal([5], using: &n1).scalars == Tensor.randomNormal([5], using: &n2).scalars)
    // A restored state continues the same stream.
    var a = Generator(seed: 9)
    _ = a.next()
    var b = Generator(state: a.state)
    #expect(a.next() == b.next())
    // Normal samples have roughly zero mean and unit variance.
    var g3 = Generator(seed: 1)
    let s = Tensor.randomNormal([20000], using: &g3).scalars
    let mean = s.reduce(0, +) / Float(s.count)
    let variance = s.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(s.count)
    #expect(Swift.abs(mean) < 0.03 && Swift.abs(variance - 1) < 0.05)
    #expect(Set(g3.permutation(10)) == Set(0..<10))
  }

  @Test func broadcasting() {
    let a = Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3], [10, 20, 30])
    #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
    let c = Tensor(shape: [2, 1], [100, 200])
    #expect((a * c).scalars == [100, 200, 300, 800, 1000, 1200])
    let d = Tensor(shape: [2, 1, 3], [1, 1, 1, 2, 2, 2])
    let e = Tensor(shape: [4, 1], [0, 1, 2, 3])
    let f = d + e
    #expect(f.shape == [2, 4, 3])
    #expect(f.scalars.prefix(6) == [1, 1, 1, 2, 2, 2])
    #expect(f.scalars.suffix(3) == [5, 5, 5])
    #expect((2 - a).scalars == [1, 0, -1, -2, -3, -4])
  }

  @Test func reductions() {
    let x = Tensor(shape: [2, 3], [1, 5, 3, 4, 2, 6])
    #expect(x.sum().item == 21)
    #expect(x.sum(axis: 0).scalars == [5, 7, 9])
    #expect(x.sum(axis: 1, keepDims: true).shape == [2, 1])
    #expect(x.mean(axis: 1).scalars == [3, 4])
    #expect(x.max(axis: 1).scalars == [5, 6])
    #expect(x.argmax(axis: 1) == [1, 2])
    #expect(x.argmax(axis: 0) == [1, 0, 1])
    assertClose(x.logSumExp(axis: 1).scalars, [5.1429316, 6.1429316], tolerance: 1e-6)
    // Stable for large values.
    #expect(Tensor(shape: [1, 2], [1000, 1000]).logSumExp(axis: 1).item == 1000 + Float(0.6931472))
  }

  @Test func shapeOps() {
    let x = Tensor(shape: [2, 3], [0, 1, 2, 3, 4, 5])
    #expect(x.transposed().scalars == [0, 3, 1, 4, 2, 5])
    #expect(x.reshaped([3, -1]).shape == [3, 2])
    #expect(x.unsqueezed(0).shape == [1, 2, 3] && x.unsqueezed(-1).shape == [2, 3, 1])
    #expect(x.unsqueezed(1).squeezed().shape == [2, 3])
    #expect(x.slice(axis: 1, start: 1, count: 2).scalars == [1, 2, 4, 5])
    #expect(Tensor.concat([x, x], axis: 0).shape == [4, 3])
    #expect(Tensor.concat([x, x.slice(axis: 1, start: 0, count: 1)], axis: 1).scalars == [0, 1, 2, 0, 3, 4, 5, 3])
    #expect(Tensor.stack([x, x], axis: 0).shape == [2, 2, 3])
    #expect(x.indexSelect(axis: 0, [1, 1, 0]).scalars == [3, 4, 5, 3, 4, 5, 0, 1, 2])
    #expect(x.indexSelect(axis: 1, [2]).scalars == [2, 5])
    let p = x.padded([(1, 0), (0, 2)], value: -1)
    #expect(p.shape == [3, 5])
    #expect(p.scalars == [-1, -1, -1, -1, -1, 0, 1, 2, -1, -1, 3, 4, 5, -1, -1])
    let y = Tensor.arange(0, 24).reshaped([2, 3, 4])
    let z = y.permuted([2, 0, 1])
    #expect(z.shape == [4, 2, 3])
    #expect(z.scalars.prefix(6) == [0, 4, 8, 12, 16, 20])
    #expect(y.flattened().shape == [2, 12])
  }

  @Test func unaryValues() {
    let x = Tensor(shape: [4], [-1, 0, 2, 7])
    #expect(x.relu().scalars == [0, 0, 2, 7])
    #expect(x.relu6().scalars == [0, 0, 2, 6])
    assertClose(x.sigmoid().scalars, [0.26894142, 0.5, 0.880797, 0.99908895], tolerance: 1e-6)
    assertClose(Tensor(shape: [3], [-1, 0, 1]).gelu().scalars, [-0.15865526, 0, 0.8413447], tolerance: 1e-6)
    let saturated = Tensor(shape: [2], [-100, 100]).sigmoid().scalars
    #expect(saturated[0] > 0 && saturated[0] < 1e-40 && saturated[1] == 1)
  }

  @Test func softmaxRowsSumToOne() {
    let x = randomTensor([4, 7], seed: 3, scale: 5)
    let s = softmax(x, axis: 1)
    for row in 0..<4 { #expect(Swift.abs(s.slice(axis: 0, start: row, count: 1).sum().item - 1) < 1e-6) }
    assertClose(logSoftmax(x, axis: 1), s.log(), tolerance: 1e-5)
  }
}

enum GeneratorGolden {
  /// xoshiro256** seeded by SplitMix64(42): recorded once, must never change.
  // Cross-checked against an independent Python implementation of the same algorithm.
  static let seed42: [UInt64] = [1_546_998_764_402_558_742, 6_990_951_692_964_543_102, 12_544_586_762_248_559_009]
}
