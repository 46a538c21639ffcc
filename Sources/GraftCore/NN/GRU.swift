/// A multi-layer gated recurrent unit network over batch-first sequences, as
/// `torch.nn.GRU(inputSize, hiddenSize, num_layers: layers, bidirectional:,
/// dropout:, batch_first=True)`, with PyTorch's keys (`weight_ih_l0`,
/// `bias_hh_l1_reverse`, …; see `RNNBase`) and gate order r, z, n:
///
///     r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// https://pytorch.org/docs/stable/generated/torch.nn.GRU.html
///
/// Each layer and direction projects the whole input with one GEMM, then runs
/// one GEMM and one fused gate step per time step; the backward is a
/// hand-written back-propagation through time (`Kernels.gruBackward`).
public final class GRU: RNNBase {
  public init(
    inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Float = 0,
    using generator: inout Generator
  ) {
    super.init(name: "GRU", gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers,
               bidirectional: bidirectional, dropout: dropout, using: &generator)
  }

  /// Runs the network over `x` [B, T, inputSize].
  ///
  /// - `lengths`: valid steps of each sequence (1...T), as
  ///   `pack_padded_sequence(enforce_sorted=False)`: steps at or after
  ///   `lengths[b]` leave the state unchanged and output zero, `h` holds the
  ///   state after each sequence's last valid step, and the reverse direction
  ///   starts there.
  /// - `initial`: h0 [layers·D, B, hiddenSize]; zeros when nil.
  ///
  /// Returns `output` [B, T, D·hiddenSize] (the last layer, directions
  /// concatenated) and the final `h` [layers·D, B, hiddenSize], ordered layer
  /// by layer, forward direction first, as PyTorch's `h_n`.
  public func callAsFunction(
    _ x: Tensor, lengths: [Int]? = nil, initial: Tensor? = nil
  ) -> (output: Tensor, h: Tensor) {
    let (output, finals) = run(x, lengths: lengths, initial: [initial]) { xw, k, start, shape in
      gruDirection(xw, weightHH: weightHHs[k].wrappedValue, biasIH: biasIHs[k].wrappedValue,
                   biasHH: biasHHs[k].wrappedValue, h0: start[0], shape: shape)
    }
    return (output, finals[0])
  }
}
