/// Rescales the gradients of `parameters` in place so that their joint L2 norm is at most
/// `maxNorm`, as `torch.nn.utils.clip_grad_norm_` (norm_type 2): the total norm is the L2
/// norm over all gradients together, and every gradient is multiplied by
/// `min(maxNorm / (total + 1e-6), 1)`. Parameters whose `grad` is nil are ignored; with no
/// gradients at all the result is 0.
///
/// Returns the total norm *before* clipping. Squares are summed in Double in fixed blocks, so
/// the result does not depend on the thread count. A non-finite total (NaN or infinite
/// gradients) is not an error: as in PyTorch with `error_if_nonfinite=False`, the clip
/// coefficient is then 0 or NaN and the gradients are multiplied by it.
///
/// See https://pytorch.org/docs/stable/generated/torch.nn.utils.clip_grad_norm_.html
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
  let grads = parameters.compactMap(\.grad)
  var sum: Double = 0
  for g in grads { sum += Kernels.sumOfSquares(g.data, count: g.count) }
  let total = Float(sum.squareRoot())
  // torch: clip_coef = max_norm / (total_norm + 1e-6), clamped to at most 1, in float32.
  let coefficient = maxNorm / (total + 1e-6)
  let clamped = coefficient > 1 ? 1 : coefficient  // NaN passes through, as torch.clamp does
  if !(clamped == 1) {
    for g in grads { Kernels.scale(g.data, count: g.count, by: clamped) }
  }
  return total
}
