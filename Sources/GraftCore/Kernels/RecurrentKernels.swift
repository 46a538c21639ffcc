import CKernels

// Recurrent kernels: one direction of one LSTM or GRU layer over a whole padded
// batch. The input projection x·W_ihᵀ for all steps is one GEMM done by the
// caller; each step here is one GEMM h·W_hhᵀ plus fused gate math, and the
// backward is back-propagation through time with one GEMM per step and one
// GEMM for ∂W_hh over all steps.
//
// Letters: B batch, T steps, H hidden size, G gates (LSTM 4: i, f, g, o;
// GRU 3: r, z, n). Sequence buffers are batch-major [B, T, ·] like the
// layers' `batch_first` input. Step t of sequence b is valid when
// t < lengths[b]; a padded step leaves the state unchanged and outputs zero,
// so the final state is the state after the last valid step, and the reverse
// direction starts each sequence at its own last valid step (the semantics
// of PyTorch's packed sequences).
//
// Reference: https://pytorch.org/docs/stable/generated/torch.nn.LSTM.html
// and https://pytorch.org/docs/stable/generated/torch.nn.GRU.html

/// Sizes, valid lengths and direction of one recurrent pass.
public struct RecurrentShape: Sendable, Equatable {
  public let batch: Int
  public let steps: Int
  public let hidden: Int
  /// Valid steps of each sequence, in 0...steps.
  public let lengths: [Int]
  /// Whether the pass runs from the last step to the first.
  public let reverse: Bool

  public init(batch: Int, steps: Int, hidden: Int, lengths: [Int]? = nil, reverse: Bool = false) {
    let lengths = lengths ?? [Int](repeating: steps, count: batch)
    precondition(lengths.count == batch, "RecurrentShape: \(lengths.count) lengths for batch \(batch)")
    precondition(lengths.allSatisfy { $0 >= 0 && $0 <= steps },
                 "RecurrentShape: lengths \(lengths) outside 0...\(steps)")
    self.batch = batch
    self.steps = steps
    self.hidden = hidden
    self.lengths = lengths
    self.reverse = reverse
  }

  /// Steps in processing order.
  var order: [Int] { reverse ? Array((0..<steps).reversed()) : Array(0..<steps) }

  /// Batch rows per thread chunk of the gate math (about 32k gate elements
  /// each: smaller steps cost less than waking a second thread).
  func rowGrain(gates: Int) -> Int { max(1, (1 << 15) / max(1, gates * hidden)) }

  /// Batch rows per thread for kernels that run a row through every step
  /// (about 2^18 multiply-adds of the recurrent product each).
  var sequenceGrain: Int { max(1, (1 << 18) / max(1, steps * 4 * hidden * hidden)) }
}

/// What the LSTM forward keeps for the backward, each [B, T, ·].
public struct LSTMSaved {
  /// i, f, g, o after activation [B, T, 4H] (zero at padded steps).
  public let gates: UnsafeMutablePointer<Float>
  /// The state entering each step [B, T, H].
  public let hPrev: UnsafeMutablePointer<Float>
  public let cPrev: UnsafeMutablePointer<Float>
  /// tanh of the cell state leaving each step [B, T, H] (zero at padded steps).
  public let tanhC: UnsafeMutablePointer<Float>

  public init(gates: UnsafeMutablePointer<Float>, hPrev: UnsafeMutablePointer<Float>,
              cPrev: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>) {
    (self.gates, self.hPrev, self.cPrev, self.tanhC) = (gates, hPrev, cPrev, tanhC)
  }
}

extension Kernels {
  // MARK: LSTM

  /// Forward pass of one LSTM direction (gate order i, f, g, o):
  ///   [i f g o]ᵀ = act(xw_t + b_ih + h·W_hhᵀ + b_hh), c' = f⊙c + i⊙g, h' = o⊙tanh(c').
  /// `hN`/`cN` receive the final state. `saved` receives what `lstmBackward`
  /// needs; nil for inference (nothing is saved).
  ///
  /// Runs the C kernel `graft_lstm_forward` (CKernels: AVX-512, AVX2 or
  /// baseline vectors, chosen at run time): W_hh packed once per call so each
  /// step's product and the gate math stay in registers. Batch rows are
  /// independent through all steps, so threads split the batch once per call
  /// instead of synchronising at every step.
  public static func lstmForward(
    output: UnsafeMutablePointer<Float>,     // [B, T, H], zero at padded steps
    hN: UnsafeMutablePointer<Float>,         // [B, H]
    cN: UnsafeMutablePointer<Float>,         // [B, H]
    saved: LSTMSaved?,
    xw: UnsafePointer<Float>,                // [B, T, 4H] x·W_ihᵀ
    weightHH: UnsafePointer<Float>,          // [4H, H]
    biasIH: UnsafePointer<Float>,            // [4H]
    biasHH: UnsafePointer<Float>,            // [4H]
    h0: UnsafePointer<Float>,                // [B, H]
    c0: UnsafePointer<Float>,                // [B, H]
    shape: RecurrentShape
  ) {
    let h = shape.hidden
    let isa = SIMDLevel.current.isa
    let packed = UnsafeMutablePointer<Float>.allocate(capacity: Int(graft_lstm_packed_count(Int64(h), isa)))
    let bias = UnsafeMutablePointer<Float>.allocate(capacity: 4 * h)
    defer { packed.deallocate(); bias.deallocate() }
    graft_lstm_pack(packed, weightHH, Int64(h), isa)
    for j in 0..<(4 * h) { bias[j] = biasIH[j] + biasHH[j] }
    let lengths = shape.lengths.map { Int32($0) }
    lengths.withUnsafeBufferPointer { lengths in
      let args = graft_lstm_forward_args(
        batch: Int64(shape.batch), steps: Int64(shape.steps), hidden: Int64(h), reverse: shape.reverse ? 1 : 0,
        isa: isa, lengths: lengths.baseAddress, xw: xw, packed: packed, bias: bias, h0: h0, c0: c0,
        output: output, h_n: hN, c_n: cN, gates: saved?.gates, h_prev: saved?.hPrev, c_prev: saved?.cPrev,
        tanh_c: saved?.tanhC)
      parallelRanges(shape.batch, grain: shape.sequenceGrain) { rows in
        withUnsafePointer(to: args) { graft_lstm_forward($0, Int64(rows.lowerBound), Int64(rows.upperBound)) }
      }
    }
  }

  /// Backward pass of one LSTM direction (back-propagation through time), by
  /// the C kernel `graft_lstm_backward` over batch rows split across threads.
  /// On entry `dH`/`dC` hold ∂L/∂h_n and ∂L/∂c_n; on return ∂L/∂h0 and ∂L/∂c0.
  /// `dGates` receives ∂L/∂(pre-activation gates), which is also ∂L/∂xw.
  /// `dWeightHH` (overwritten) = Σ_t dGates_tᵀ·h_{t−1}; `dBias` (overwritten)
  /// = Σ_{b,t} dGates, the gradient of both b_ih and b_hh. Either may be nil.
  public static func lstmBackward(
    dGates: UnsafeMutablePointer<Float>,     // [B, T, 4H]
    dH: UnsafeMutablePointer<Float>,         // [B, H]
    dC: UnsafeMutablePointer<Float>,         // [B, H]
    dWeightHH: UnsafeMutablePointer<Float>?, // [4H, H]
    dBias: UnsafeMutablePointer<Float>?,     // [4H]
    dOutput: UnsafePointer<Float>,           // [B, T, H]
    saved: LSTMSaved,
    weightHH: UnsafePointer<Float>,          // [4H, H]
    shape: RecurrentShape
  ) {
    let (nb, nt, h) = (shape.batch, shape.steps, shape.hidden)
    let gh = 4 * h
    let lengths = shape.lengths.map { Int32($0) }
    lengths.withUnsafeBufferPointer { lengths in
      let args = graft_lstm_backward_args(
        batch: Int64(nb), steps: Int64(nt), hidden: Int64(h), reverse: shape.reverse ? 1 : 0,
        isa: SIMDLevel.current.isa, lengths: lengths.baseAddress, d_gates: dGates, d_h: dH, d_c: dC,
        d_output: dOutput, gates: saved.gates, c_prev: saved.cPrev, tanh_c: saved.tanhC, weight_hh: weightHH)
      parallelRanges(nb, grain: shape.sequenceGrain) { rows in
        withUnsafePointer(to: args) { graft_lstm_backward($0, Int64(rows.lowerBound), Int64(rows.upperBound)) }
      }
    }
    if let dWeightHH {
      gemm(transA: true, transB: false, m: gh, n: h, k: nb * nt, a: dGates, lda: gh, b: saved.hPrev, ldb: h,
           c: dWeightHH, ldc: h)
    }
    if let dBias { sumOverRows(dBias, dGates, rows: nb * nt, columns: gh) }
  }

  // MARK: GRU

  /// Forward pass of one GRU direction (gate order r, z, n):
  ///   r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
  ///   n = tanh(W_in x + b_in + r⊙(W_hn h + b_hn)), h' = (1 − z)⊙n + z⊙h.
  /// `hN` holds the running state (it starts as `h0`) and ends as the final state.
  /// Each step is one GEMM h·W_hhᵀ into `scratch`, then the C kernel
  /// `graft_gru_forward_step` (CKernels, at `SIMDLevel.current`) for the gate math,
  /// batch rows split across threads.
  public static func gruForward(
    output: UnsafeMutablePointer<Float>,     // [B, T, H], zero at padded steps
    hN: UnsafeMutablePointer<Float>,         // [B, H]
    gates: UnsafeMutablePointer<Float>,      // [B, T, 3H] saved: r, z, n after activation
    hiddenN: UnsafeMutablePointer<Float>,    // [B, T, H] saved: W_hn h + b_hn
    hPrev: UnsafeMutablePointer<Float>,      // [B, T, H] saved: h entering step t
    scratch: UnsafeMutablePointer<Float>,    // [B, 3H]
    xw: UnsafePointer<Float>,                // [B, T, 3H] x·W_ihᵀ
    weightHH: UnsafePointer<Float>,          // [3H, H]
    biasIH: UnsafePointer<Float>,            // [3H]
    biasHH: UnsafePointer<Float>,            // [3H]
    h0: UnsafePointer<Float>,                // [B, H]
    shape: RecurrentShape
  ) {
    let (nb, nt, h) = (shape.batch, shape.steps, shape.hidden)
    let gh = 3 * h
    hN.update(from: h0, count: nb * h)
    let isa = SIMDLevel.current.isa
    let lengths = shape.lengths.map { Int32($0) }
    lengths.withUnsafeBufferPointer { lengths in
      for t in shape.order {
        gemm(transA: false, transB: true, m: nb, n: gh, k: h, a: hN, lda: h, b: weightHH, ldb: h,
             c: scratch, ldc: gh)
        let args = graft_gru_forward_step_args(
          batch: Int64(nb), steps: Int64(nt), hidden: Int64(h), step: Int64(t), isa: isa,
          lengths: lengths.baseAddress, xw: xw, hw: scratch, bias_ih: biasIH, bias_hh: biasHH, h: hN,
          output: output, gates: gates, hidden_n: hiddenN, h_prev: hPrev)
        parallelRanges(nb, grain: shape.rowGrain(gates: 3)) { rows in
          withUnsafePointer(to: args) { graft_gru_forward_step($0, Int64(rows.lowerBound), Int64(rows.upperBound)) }
        }
      }
    }
  }

  /// Backward pass of one GRU direction. On entry `dH` holds ∂L/∂h_n; on return ∂L/∂h0.
  /// `dInput` receives ∂L/∂xw (= ∂L/∂ of the input-side pre-activations) and
  /// `dHidden` ∂L/∂(h·W_hhᵀ + b_hh); they differ in the n gate by the factor r.
  /// `dWeightHH` = Σ_t dHidden_tᵀ·h_{t−1}; `dBiasIH`, `dBiasHH` are their row sums.
  /// Each step is the C kernel `graft_gru_backward_step` for the gate gradients, then
  /// one GEMM adding dHidden_t·W_hh to ∂L/∂h.
  public static func gruBackward(
    dInput: UnsafeMutablePointer<Float>,     // [B, T, 3H]
    dHidden: UnsafeMutablePointer<Float>,    // [B, T, 3H]
    dH: UnsafeMutablePointer<Float>,         // [B, H]
    dWeightHH: UnsafeMutablePointer<Float>?, // [3H, H]
    dBiasIH: UnsafeMutablePointer<Float>?,   // [3H]
    dBiasHH: UnsafeMutablePointer<Float>?,   // [3H]
    dOutput: UnsafePointer<Float>,           // [B, T, H]
    gates: UnsafePointer<Float>,             // [B, T, 3H]
    hiddenN: UnsafePointer<Float>,           // [B, T, H]
    hPrev: UnsafePointer<Float>,             // [B, T, H]
    weightHH: UnsafePointer<Float>,          // [3H, H]
    shape: RecurrentShape
  ) {
    let (nb, nt, h) = (shape.batch, shape.steps, shape.hidden)
    let gh = 3 * h
    let isa = SIMDLevel.current.isa
    let lengths = shape.lengths.map { Int32($0) }
    lengths.withUnsafeBufferPointer { lengths in
      for t in shape.order.reversed() {
        let args = graft_gru_backward_step_args(
          batch: Int64(nb), steps: Int64(nt), hidden: Int64(h), step: Int64(t), isa: isa,
          lengths: lengths.baseAddress, gates: gates, hidden_n: hiddenN, h_prev: hPrev, d_output: dOutput,
          d_h: dH, d_input: dInput, d_hidden: dHidden)
        parallelRanges(nb, grain: shape.rowGrain(gates: 3)) { rows in
          withUnsafePointer(to: args) { graft_gru_backward_step($0, Int64(rows.lowerBound), Int64(rows.upperBound)) }
        }
        gemm(transA: false, transB: false, m: nb, n: h, k: gh, a: dHidden + t * gh, lda: nt * gh,
             b: weightHH, ldb: h, beta: 1, c: dH, ldc: h)
      }
    }
    if let dWeightHH {
      gemm(transA: true, transB: false, m: gh, n: h, k: nb * nt, a: dHidden, lda: gh, b: hPrev, ldb: h,
           c: dWeightHH, ldc: h)
    }
    if let dBiasIH { sumOverRows(dBiasIH, dInput, rows: nb * nt, columns: gh) }
    if let dBiasHH { sumOverRows(dBiasHH, dHidden, rows: nb * nt, columns: gh) }
  }
}

// MARK: - Vector activations

extension Kernels {
  /// out[i] = σ(x[i]) = 1 / (1 + e^(−x[i])); `out` may equal `x`. The C kernel
  /// `graft_sigmoid` (CKernels' simd_math.h, Cephes' `expf`) at `SIMDLevel.current`;
  /// within a few ulp of `1 / (1 + expf(−x))`.
  public static func vectorSigmoid(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    graft_sigmoid(out, x, Int64(count), SIMDLevel.current.isa)
  }

  /// out[i] = tanh(x[i]); `out` may equal `x`. The C kernel `graft_tanh` (Cephes'
  /// `tanhf`) at `SIMDLevel.current`; within a few ulp of `tanhf`.
  public static func vectorTanh(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
    graft_tanh(out, x, Int64(count), SIMDLevel.current.isa)
  }
}

/// out[j] = Σ_i x[i, j] over a row-major [rows, columns] matrix.
private func sumOverRows(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, columns: Int) {
  out.update(repeating: 0, count: columns)
  for i in 0..<rows {
    let src = x + i * columns
    for j in 0..<columns { out[j] += src[j] }
  }
}
