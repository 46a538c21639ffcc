/// Zero padding of the last two axes, as `torch.nn.functional.pad(x, (left, right, top, bottom))`
/// with `mode="constant", value=0`.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.pad.html
///
/// - x:       [..., H, W] (rank ≥ 2; an image batch is [N, C, H, W])
/// - returns  [..., top + H + bottom, left + W + right]
///
/// The backward is a crop of the gradient. Padding is never negative (no cropping here).
public func pad2d(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int) -> Tensor {
  pad2d(x, Padding2d(top: top, bottom: bottom, left: left, right: right))
}

/// `pad2d(_:top:bottom:left:right:)` with the four sides in one value.
public func pad2d(_ x: Tensor, _ padding: Padding2d) -> Tensor {
  precondition(x.rank >= 2, "pad2d: input \(x.shape) needs at least 2 axes")
  let p = padding
  precondition(p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0, "pad2d: padding \(p) must not be negative")
  let H = x.shape[x.rank - 2], W = x.shape[x.rank - 1]
  let planes = x.shape.dropLast(2).reduce(1, *)
  var shape = x.shape
  shape[x.rank - 2] = p.top + H + p.bottom
  shape[x.rank - 1] = p.left + W + p.right
  let out = Tensor(uninitializedShape: shape)
  Kernels.pad2dForward(y: out.data, x: x.data, planes: planes, height: H, width: W, padding: p)
  if Tensor.needsGradient(x) {
    out.record("pad2d", [x]) { dy in
      let dx = Tensor(uninitializedShape: x.shape)
      Kernels.pad2dBackward(dX: dx.data, dY: dy.data, planes: planes, height: H, width: W, padding: p)
      return [dx]
    }
  }
  return out
}
