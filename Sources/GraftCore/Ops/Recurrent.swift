// The recorded ops of the recurrent layers: one op per layer and direction, with the
// hand-written back-propagation through time of Kernels/RecurrentKernels.swift as its backward.

/// Splits `packed` (the one recorded output of a multi-output op) into tensors
/// of `shapes`, laid end to end; each piece's backward routes into `packed`.
private func unpack(_ packed: Tensor, _ shapes: [[Int]]) -> [Tensor] {
  var offset = 0
  return shapes.map { shape in
    let n = Shape.count(shape)
    defer { offset += n }
    return packed.slice(axis: 0, start: offset, count: n).reshaped(shape)
  }
}

/// One LSTM direction over the whole sequence, recorded as one op with a
/// hand-written backward (`Kernels.lstmForward`/`lstmBackward`).
/// Returns [output [B, T, H], h_n [B, H], c_n [B, H]].
func lstmDirection(
  _ xw: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor, h0: Tensor, c0: Tensor, shape: RecurrentShape
) -> [Tensor] {
  let (nb, nt, h) = (shape.batch, shape.steps, shape.hidden)
  precondition(xw.shape == [nb, nt, 4 * h] && weightHH.shape == [4 * h, h],
               "lstm: xw \(xw.shape), W_hh \(weightHH.shape)")
  let shapes = [[nb, nt, h], [nb, h], [nb, h]]
  let inputs = [xw, weightHH, biasIH, biasHH, h0, c0]
  let recording = Tensor.needsGradient(inputs)
  let packed = Tensor(uninitializedShape: [nb * nt * h + 2 * nb * h])
  let outputs = recording ? [] : shapes.map { Tensor(uninitializedShape: $0) }
  let out = recording ? [packed.data, packed.data + nb * nt * h, packed.data + (nb * nt + nb) * h] : outputs.map(\.data)
  // Saved for the backward only while recording.
  let saved = recording ? [4 * h, h, h, h].map { Tensor(uninitializedShape: [nb, nt, $0]) } : []  // gates, h, c, tanh c
  let buffers = saved.isEmpty ? nil
    : LSTMSaved(gates: saved[0].data, hPrev: saved[1].data, cPrev: saved[2].data, tanhC: saved[3].data)
  Kernels.lstmForward(
    output: out[0], hN: out[1], cN: out[2], saved: buffers, xw: xw.data, weightHH: weightHH.data,
    biasIH: biasIH.data, biasHH: biasHH.data, h0: h0.data, c0: c0.data, shape: shape)
  guard recording, let buffers else { return outputs }
  packed.record("lstm", inputs) { g in
    let n = nb * nt * h
    let dGates = Tensor(uninitializedShape: [nb, nt, 4 * h])
    let dH = Tensor(uninitializedShape: [nb, h]), dC = Tensor(uninitializedShape: [nb, h])
    dH.data.update(from: g.data + n, count: nb * h)
    dC.data.update(from: g.data + n + nb * h, count: nb * h)
    let dW = weightHH.requiresGrad ? Tensor(uninitializedShape: weightHH.shape) : nil
    let dB = biasIH.requiresGrad || biasHH.requiresGrad ? Tensor(uninitializedShape: [4 * h]) : nil
    Kernels.lstmBackward(
      dGates: dGates.data, dH: dH.data, dC: dC.data, dWeightHH: dW?.data, dBias: dB?.data, dOutput: g.data,
      saved: buffers, weightHH: weightHH.data, shape: shape)
    withExtendedLifetime(saved) {}  // the tensors behind `buffers`
    // ∂b_ih = ∂b_hh: both are added to the same pre-activations.
    return [dGates, dW, biasIH.requiresGrad ? dB : nil, biasHH.requiresGrad ? dB?.copy() : nil, dH, dC]
  }
  return unpack(packed, shapes)
}

/// One GRU direction over the whole sequence, recorded as one op with a
/// hand-written backward (`Kernels.gruForward`/`gruBackward`).
/// Returns [output [B, T, H], h_n [B, H]].
func gruDirection(
  _ xw: Tensor, weightHH: Tensor, biasIH: Tensor, biasHH: Tensor, h0: Tensor, shape: RecurrentShape
) -> [Tensor] {
  let (nb, nt, h) = (shape.batch, shape.steps, shape.hidden)
  precondition(xw.shape == [nb, nt, 3 * h] && weightHH.shape == [3 * h, h],
               "gru: xw \(xw.shape), W_hh \(weightHH.shape)")
  let shapes = [[nb, nt, h], [nb, h]]
  let inputs = [xw, weightHH, biasIH, biasHH, h0]
  let recording = Tensor.needsGradient(inputs)
  let packed = Tensor(uninitializedShape: [nb * nt * h + nb * h])
  let outputs = recording ? [] : shapes.map { Tensor(uninitializedShape: $0) }
  let out = recording ? [packed.data, packed.data + nb * nt * h] : outputs.map(\.data)
  let gates = Tensor(uninitializedShape: [nb, nt, 3 * h])
  let hiddenN = Tensor(uninitializedShape: [nb, nt, h])
  let hPrev = Tensor(uninitializedShape: [nb, nt, h])
  let scratch = Tensor(uninitializedShape: [nb, 3 * h])
  Kernels.gruForward(
    output: out[0], hN: out[1], gates: gates.data, hiddenN: hiddenN.data, hPrev: hPrev.data,
    scratch: scratch.data, xw: xw.data, weightHH: weightHH.data, biasIH: biasIH.data, biasHH: biasHH.data,
    h0: h0.data, shape: shape)
  guard recording else { return outputs }
  packed.record("gru", inputs) { g in
    let dInput = Tensor(uninitializedShape: [nb, nt, 3 * h])
    let dHidden = Tensor(uninitializedShape: [nb, nt, 3 * h])
    let dH = Tensor(uninitializedShape: [nb, h])
    dH.data.update(from: g.data + nb * nt * h, count: nb * h)
    let dW = weightHH.requiresGrad ? Tensor(uninitializedShape: weightHH.shape) : nil
    let dBIH = biasIH.requiresGrad ? Tensor(uninitializedShape: [3 * h]) : nil
    let dBHH = biasHH.requiresGrad ? Tensor(uninitializedShape: [3 * h]) : nil
    Kernels.gruBackward(
      dInput: dInput.data, dHidden: dHidden.data, dH: dH.data, dWeightHH: dW?.data, dBiasIH: dBIH?.data,
      dBiasHH: dBHH?.data, dOutput: g.data, gates: gates.data, hiddenN: hiddenN.data, hPrev: hPrev.data,
      weightHH: weightHH.data, shape: shape)
    return [dInput, dW, dBIH, dBHH, dH]
  }
  return unpack(packed, shapes)
}
