#if canImport(Glibc)
import Glibc
#endif

extension Tensor {
  /// [outer, n, inner] view around `axis`.
  func axisView(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (Shape.product(shape, 0..<axis), shape[axis], Shape.product(shape, (axis + 1)..<rank))
  }

  /// Sum over every element (a scalar).
  public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

  /// Sum over `axes` (negative allowed); reduced axes are dropped unless `keepDims`.
  public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
    let axes = Set(axes.map { Shape.axis($0, rank: rank, "sum") }).sorted(by: >)
    var current = self.detached()
    var keptShape = shape
    withoutGradients {
      for a in axes {
        let (outer, n, inner) = current.axisView(a)
        var s = current.shape
        s[a] = 1
        let out = Tensor(uninitializedShape: s)
        Kernels.sumAxis(out.data, current.data, outer: outer, n: n, inner: inner)
        current = out
        keptShape[a] = 1
      }
    }
    let finalShape = keepDims ? keptShape : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    let out = current.storage === storage ? copy().reshapedStorage(finalShape) : Tensor(shape: finalShape, storage: current.storage)
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("sum", [self]) { g in
        [g.reshaped(keptShape).expanded(to: inShape)]
      }
    }
    return out
  }

  public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

  /// Mean over every element.
  public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

  /// Mean over `axes`.
  public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
    let n = axes.map { shape[Shape.axis($0, rank: rank, "mean")] }.reduce(1, *)
    return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
  }

  public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

  /// Maximum along `axis`; the gradient flows to the first maximal element.
  public func max(axis: Int, keepDims: Bool = false) -> Tensor {
    let a = Shape.axis(axis, rank: rank, "max")
    let (outer, n, inner) = axisView(a)
    var kept = shape
    kept[a] = 1
    let out = Tensor(uninitializedShape: keepDims ? kept : shape.enumerated().filter { $0.offset != a }.map(\.element))
    var index = [Int32](repeating: 0, count: outer * inner)
    index.withUnsafeMutableBufferPointer { ip in
      Kernels.maxAxis(out.data, ip.baseAddress, data, outer: outer, n: n, inner: inner)
    }
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("max", [self]) { g in
        let gx = Tensor.zeros(inShape)
        for o in 0..<outer {
          for i in 0..<inner {
            let k = Int(index[o * inner + i])
            gx.data[(o * n + k) * inner + i] = g.data[o * inner + i]
          }
        }
        return [gx]
      }
    }
    return out
  }

  /// Maximum of all elements (a scalar).
  public func max() -> Tensor { reshaped([count]).max(axis: 0) }

  /// Index of the first maximum along `axis`, row-major over the other axes.
  public func argmax(axis: Int) -> [Int] {
    let a = Shape.axis(axis, rank: rank, "argmax")
    let (outer, n, inner) = axisView(a)
    let values = Tensor(uninitializedShape: [outer * inner])
    var index = [Int32](repeating: 0, count: outer * inner)
    index.withUnsafeMutableBufferPointer { ip in
      Kernels.maxAxis(values.data, ip.baseAddress, data, outer: outer, n: n, inner: inner)
    }
    return index.map(Int.init)
  }

  /// log Σ exp along `axis`, computed stably (max subtracted).
  public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
    let a = Shape.axis(axis, rank: rank, "logSumExp")
    let m = withoutGradients { self.max(axis: a, keepDims: true) }
    let shifted = self - m
    let lse = shifted.exp().sum(axis: a, keepDims: true).log() + m
    if keepDims { return lse }
    var s = shape
    s.remove(at: a)
    return lse.reshaped(s)
  }

  /// Repeats size-1 axes up to `target` (the forward of broadcasting, as a copy).
  public func expanded(to target: [Int]) -> Tensor {
    if shape == target { return self }
    let out = Tensor(uninitializedShape: target)
    let zero = Tensor.zeros([])
    Kernels.broadcastBinary(.add, out: out.data, outShape: target, a: data, aShape: shape,
                            b: zero.data, bShape: [])
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("expand", [self]) { g in [g.summed(toShape: inShape)] }
    }
    return out
  }

  func reshapedStorage(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, storage: storage) }
}
