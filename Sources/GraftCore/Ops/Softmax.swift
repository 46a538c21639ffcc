/// Softmax along `axis`, as `torch.softmax`.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor { softmaxOp(x, axis, log: false) }

/// Log-softmax along `axis`, as `torch.log_softmax` (computed stably).
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor { softmaxOp(x, axis, log: true) }

private func softmaxOp(_ x: Tensor, _ axis: Int, log: Bool) -> Tensor {
  let a = Shape.axis(axis, rank: x.rank, log ? "logSoftmax" : "softmax")
  let (outer, n, inner) = x.axisView(a)
  let out = Tensor(uninitializedShape: x.shape)
  Kernels.softmax(out.data, x.data, outer: outer, n: n, inner: inner, log: log)
  if Tensor.needsGradient(x) {
    let y = out.storage
    out.record(log ? "logSoftmax" : "softmax", [x]) { g in
      let dx = Tensor(uninitializedShape: x.shape)
      Kernels.softmaxBackward(dx.data, g.data, y.pointer, outer: outer, n: n, inner: inner, log: log)
      return [dx]
    }
  }
  return out
}
