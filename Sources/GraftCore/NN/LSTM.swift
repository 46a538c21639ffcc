/// A multi-layer long short-term memory network over batch-first sequences, as
/// `torch.nn.LSTM(inputSize, hiddenSize, num_layers: layers, bidirectional:,
/// dropout:, batch_first=True)`, with PyTorch's keys (`weight_ih_l0`,
/// `bias_hh_l1_reverse`, …; see `RNNBase`) and gate order i, f, g, o:
///
///     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
///     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
///     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
///
/// https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
///
/// Each layer and direction projects the whole input with one GEMM, then runs
/// one GEMM and one fused gate step per time step; the backward is a
/// hand-written back-propagation through time (`Kernels.lstmBackward`).
public final class LSTM: RNNBase {
  public init(
    inputSize: Int, hiddenSize: Int, layers: Int = 1, bidirectional: Bool = false, dropout: Float = 0,
    using generator: inout Generator
  ) {
    super.init(name: "LSTM", gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers,
               bidirectional: bidirectional, dropout: dropout, using: &generator)
  }

  /// Runs the network over `x` [B, T, inputSize].
  ///
  /// - `lengths`: valid steps of each sequence (1...T), as
  ///   `pack_padded_sequence(enforce_sorted=False)`: steps at or after
  ///   `lengths[b]` leave the state unchanged and output zero, `h`/`c` hold the
  ///   state after each sequence's last valid step, and the reverse direction
  ///   starts there.
  /// - `initial`: (h0, c0), each [layers·D, B, hiddenSize]; zeros when nil.
  ///
  /// Returns `output` [B, T, D·hiddenSize] (the last layer, directions
  /// concatenated) and the final `h` and `c` [layers·D, B, hiddenSize], ordered
  /// layer by layer, forward direction first, as PyTorch's `h_n`/`c_n`.
  public func callAsFunction(
    _ x: Tensor, lengths: [Int]? = nil, initial: (h: Tensor, c: Tensor)? = nil
  ) -> (output: Tensor, h: Tensor, c: Tensor) {
    let (output, finals) = run(x, lengths: lengths, initial: [initial?.h, initial?.c]) { xw, k, start, shape in
      lstmDirection(xw, weightHH: weightHHs[k].wrappedValue, biasIH: biasIHs[k].wrappedValue,
                    biasHH: biasHHs[k].wrappedValue, h0: start[0], c0: start[1], shape: shape)
    }
    return (output, finals[0], finals[1])
  }
}
