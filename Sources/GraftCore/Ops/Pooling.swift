/// Max pooling over [N, C, H, W], as `torch.nn.functional.max_pool2d`
/// (stride defaults to the kernel size).
public func maxPool2d(
  _ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0), ceilMode: Bool = false
) -> Tensor {
  let (planes, g) = poolSetup(x, kernel, stride, padding, ceilMode, "maxPool2d")
  precondition(padding.0 * 2 <= kernel.0 && padding.1 * 2 <= kernel.1,
               "maxPool2d: padding \(padding) must be at most half the kernel \(kernel)")
  let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], g.outHeight, g.outWidth])
  guard Tensor.needsGradient(x) else {
    Kernels.maxPoolForward(y: out.data, argmax: nil, x: x.data, planes: planes, g)
    return out
  }
  var argmax = [Int32](repeating: 0, count: out.count)
  argmax.withUnsafeMutableBufferPointer { a in
    Kernels.maxPoolForward(y: out.data, argmax: a.baseAddress!, x: x.data, planes: planes, g)
  }
  do {
    out.record("maxPool2d", [x]) { dy in
      let dx = Tensor(uninitializedShape: x.shape)
      argmax.withUnsafeBufferPointer { a in
        Kernels.maxPoolBackward(dX: dx.data, dY: dy.data, argmax: a.baseAddress!, planes: planes, g)
      }
      return [dx]
    }
  }
  return out
}

/// Average pooling over [N, C, H, W], as `torch.nn.functional.avg_pool2d`.
public func avgPool2d(
  _ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
  ceilMode: Bool = false, countIncludePad: Bool = true
) -> Tensor {
  let (planes, g) = poolSetup(x, kernel, stride, padding, ceilMode, "avgPool2d")
  let out = Tensor(uninitializedShape: [x.shape[0], x.shape[1], g.outHeight, g.outWidth])
  Kernels.avgPoolForward(y: out.data, x: x.data, planes: planes, g, countIncludePad: countIncludePad)
  if Tensor.needsGradient(x) {
    out.record("avgPool2d", [x]) { dy in
      let dx = Tensor(uninitializedShape: x.shape)
      Kernels.avgPoolBackward(dX: dx.data, dY: dy.data, planes: planes, g, countIncludePad: countIncludePad)
      return [dx]
    }
  }
  return out
}

/// Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (`AdaptiveAvgPool2d(1)`).
public func globalAveragePool2d(_ x: Tensor) -> Tensor {
  precondition(x.rank == 4, "globalAveragePool2d: input \(x.shape) must be [N, C, H, W]")
  return x.mean(axes: [2, 3], keepDims: true)
}

private func poolSetup(
  _ x: Tensor, _ kernel: (Int, Int), _ stride: (Int, Int)?, _ padding: (Int, Int), _ ceilMode: Bool, _ name: String
) -> (Int, PoolGeometry) {
  precondition(x.rank == 4, "\(name): input \(x.shape) must be [N, C, H, W]")
  let s = stride ?? kernel
  precondition(kernel.0 >= 1 && kernel.1 >= 1 && s.0 >= 1 && s.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
               "\(name): kernel \(kernel), stride \(s), padding \(padding)")
  let g = PoolGeometry(height: x.shape[2], width: x.shape[3], kernel: kernel, stride: s, padding: padding, ceilMode: ceilMode)
  precondition(g.outHeight >= 1 && g.outWidth >= 1, "\(name): input \(x.shape) too small for kernel \(kernel)")
  return (x.shape[0] * x.shape[1], g)
}
