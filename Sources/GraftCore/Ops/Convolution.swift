/// 2-D convolution, as `torch.nn.functional.conv2d`.
/// https://pytorch.org/docs/stable/generated/torch.nn.functional.conv2d.html
///
/// - input:  [N, C, H, W]
/// - weight: [K, C/groups, R, S]
/// - bias:   [K] or nil
/// - returns [N, K, P, Q]
///
/// im2col + GEMM for ordinary and grouped convolutions; a direct kernel when
/// each group has one input channel (depthwise). The im2col matrix is
/// recomputed in the backward pass rather than kept, so a frozen network keeps
/// nothing and a trained one keeps only its inputs.
///
/// `relu` returns `relu(conv2d(…))`: with no gradient to record, rectified in the kernels while
/// the outputs are in cache (no second tensor, no second pass); otherwise as the two ops.
public func conv2d(
  _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
  stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
  groups: Int = 1, relu: Bool = false
) -> Tensor {
  precondition(input.rank == 4 && weight.rank == 4,
               "conv2d: input \(input.shape) and weight \(weight.shape) must be 4-D (NCHW, KCRS)")
  let (N, C, H, W) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
  let (K, Cg, R, S) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
  precondition(groups >= 1 && C % groups == 0 && K % groups == 0 && Cg == C / groups,
               "conv2d: input \(input.shape), weight \(weight.shape), groups \(groups): weight must be [K, C/groups, R, S] with K and C divisible by groups")
  if let bias { precondition(bias.shape == [K], "conv2d: bias \(bias.shape) for \(K) output channels") }
  precondition(stride.0 >= 1 && stride.1 >= 1 && dilation.0 >= 1 && dilation.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
               "conv2d: stride \(stride), padding \(padding), dilation \(dilation)")
  let geometry = ConvGeometry(channels: Cg, height: H, width: W, kernel: (R, S), stride: stride,
                              padding: padding, dilation: dilation)
  precondition(geometry.outHeight >= 1 && geometry.outWidth >= 1,
               "conv2d: input \(input.shape) too small for kernel \((R, S)) with padding \(padding), dilation \(dilation)")
  let sh = Conv2dShape(batch: N, groups: groups, outChannels: K, geometry: geometry)
  let out = Tensor(uninitializedShape: [N, K, geometry.outHeight, geometry.outWidth])
  let inputs = [input, weight] + (bias.map { [$0] } ?? [])
  let fused = relu && !Tensor.needsGradient(inputs)
  let workspace = ConvWorkspace(Kernels.batchChunks(N) * Kernels.conv2dWorkspaceCount(sh))
  Kernels.conv2dForward(y: out.data, x: input.data, weight: weight.data, bias: bias?.data, shape: sh,
                        workspace: workspace.pointer, relu: fused)
  if fused { return out }
  if Tensor.needsGradient(inputs) {
    out.record("conv2d", inputs) { g in
      let dX = input.requiresGrad ? Tensor(uninitializedShape: input.shape) : nil
      let dW = weight.requiresGrad ? Tensor(uninitializedShape: weight.shape) : nil
      let dB = (bias?.requiresGrad ?? false) ? Tensor(uninitializedShape: [K]) : nil
      let chunks = Kernels.batchChunks(N)
      let ws = ConvWorkspace(chunks * Kernels.conv2dWorkspaceCount(sh))
      let weightScratch = ConvWorkspace(dW == nil ? 0 : Kernels.conv2dWeightScratchCount(sh))
      Kernels.conv2dBackward(dX: dX?.data, dWeight: dW?.data, dBias: dB?.data, dY: g.data, x: input.data,
                             weight: weight.data, shape: sh, workspace: ws.pointer, weightScratch: weightScratch.pointer)
      return bias == nil ? [dX, dW] : [dX, dW, dB]
    }
  }
  return relu ? out.relu() : out
}

/// `conv2d` with a `ConvPadding`: TensorFlow's SAME, explicit per-side padding, or PyTorch's
/// symmetric (ph, pw). The padding is resolved for this input's H×W; when it is symmetric the
/// convolution runs as it is, otherwise only the extra rows/columns are padded (`pad2d`, a copy
/// of the input) and the symmetric rest is left to the convolution kernels.
public func conv2d(
  _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
  stride: (Int, Int) = (1, 1), padding: ConvPadding, dilation: (Int, Int) = (1, 1), groups: Int = 1,
  relu: Bool = false
) -> Tensor {
  precondition(input.rank == 4 && weight.rank == 4,
               "conv2d: input \(input.shape) and weight \(weight.shape) must be 4-D (NCHW, KCRS)")
  precondition(stride.0 >= 1 && stride.1 >= 1 && dilation.0 >= 1 && dilation.1 >= 1,
               "conv2d: stride \(stride), dilation \(dilation)")
  let p = padding.resolved(height: input.shape[2], width: input.shape[3], kernel: (weight.shape[2], weight.shape[3]),
                           stride: stride, dilation: dilation)
  precondition(p.top >= 0 && p.bottom >= 0 && p.left >= 0 && p.right >= 0, "conv2d: padding \(padding) must not be negative")
  let x = p.isSymmetric ? input : pad2d(input, p.asymmetricPart)
  return conv2d(x, weight: weight, bias: bias, stride: stride, padding: p.symmetricPart, dilation: dilation, groups: groups,
                relu: relu)
}

/// Scratch for im2col matrices and per-thread weight gradients, freed when it goes out of scope.
final class ConvWorkspace {
  let storage: Storage?
  init(_ count: Int) {
    storage = count > 0 ? Storage(uninitializedCount: count) : nil
  }
  var pointer: UnsafeMutablePointer<Float>? { storage?.pointer }
}
