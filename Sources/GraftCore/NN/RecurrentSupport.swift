/// What `LSTM` and `GRU` share, as PyTorch's `nn.RNNBase`: the stack of
/// layers and directions, the weights under PyTorch's keys, the initial
/// states, variable lengths and dropout between layers.
///
/// Weights of layer k, direction d (keys suffixed `_reverse` for d = 1), with
/// G gates (4 for LSTM, 3 for GRU) and `in` = inputSize for layer 0, else
/// D·hiddenSize:
///
///     weight_ih_l{k}  [G·H, in]     weight_hh_l{k}  [G·H, H]
///     bias_ih_l{k}    [G·H]         bias_hh_l{k}    [G·H]
///
/// in PyTorch's `state_dict` order (layer by layer, forward direction first).
/// Input is batch-first [B, T, inputSize] (PyTorch's `batch_first=True`).
public class RNNBase: Module, Stochastic {
  public let inputSize: Int
  public let hiddenSize: Int
  public let layers: Int
  public let bidirectional: Bool
  /// Dropout probability on the outputs of every layer but the last (training only).
  public let dropout: Float
  /// Draws the dropout masks; part of a training checkpoint.
  public var generator: Generator
  let gates: Int
  let name: String
  // One entry per (layer, direction), index layer·D + direction.
  let weightIHs: [Param]  // [G·H, in]
  let weightHHs: [Param]  // [G·H, H]
  let biasIHs: [Param]    // [G·H]
  let biasHHs: [Param]    // [G·H]

  /// 2 when bidirectional, else 1.
  public var directions: Int { bidirectional ? 2 : 1 }

  /// PyTorch's initialisation: every weight and bias from U(−1/√H, 1/√H),
  /// drawn in `state_dict` order. The dropout generator is forked from `generator`.
  init(name: String, gates: Int, inputSize: Int, hiddenSize: Int, layers: Int, bidirectional: Bool,
       dropout: Float, using generator: inout Generator) {
    precondition(inputSize > 0 && hiddenSize > 0 && layers >= 1,
                 "\(name): inputSize \(inputSize), hiddenSize \(hiddenSize), layers \(layers)")
    precondition(dropout >= 0 && dropout < 1, "\(name): dropout \(dropout) must be in [0, 1)")
    self.name = name
    self.gates = gates
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.bidirectional = bidirectional
    self.dropout = dropout
    let directions = bidirectional ? 2 : 1
    let bound = 1 / Float(hiddenSize).squareRoot()
    var wih: [Param] = [], whh: [Param] = [], bih: [Param] = [], bhh: [Param] = []
    for layer in 0..<layers {
      let inFeatures = layer == 0 ? inputSize : directions * hiddenSize
      for direction in 0..<directions {
        let suffix = "l\(layer)" + (direction == 1 ? "_reverse" : "")
        func uniform(_ shape: [Int], _ key: String) -> Param {
          Param(wrappedValue: Tensor.randomUniform(shape, low: -bound, high: bound, using: &generator), key: key)
        }
        wih.append(uniform([gates * hiddenSize, inFeatures], "weight_ih_" + suffix))
        whh.append(uniform([gates * hiddenSize, hiddenSize], "weight_hh_" + suffix))
        bih.append(uniform([gates * hiddenSize], "bias_ih_" + suffix))
        bhh.append(uniform([gates * hiddenSize], "bias_hh_" + suffix))
      }
    }
    (weightIHs, weightHHs, biasIHs, biasHHs) = (wih, whh, bih, bhh)
    self.generator = Generator(seed: generator.next())
    super.init()
  }

  public override func ownParameters() -> [(String, Param)] {
    var out = super.ownParameters()
    for k in weightIHs.indices {
      for p in [weightIHs[k], weightHHs[k], biasIHs[k], biasHHs[k]] { out.append((p.key!, p)) }
    }
    return out
  }

  /// The four tensors of one layer and direction.
  public func weights(layer: Int, reverse: Bool = false) -> (ih: Tensor, hh: Tensor, biasIH: Tensor, biasHH: Tensor) {
    precondition(layer >= 0 && layer < layers && (!reverse || bidirectional),
                 "\(name): no layer \(layer)\(reverse ? " reverse" : "")")
    let k = layer * directions + (reverse ? 1 : 0)
    return (weightIHs[k].wrappedValue, weightHHs[k].wrappedValue, biasIHs[k].wrappedValue, biasHHs[k].wrappedValue)
  }

  /// One direction of one layer: projected input xw [B, T, G·H], the index
  /// layer·D + direction, the initial states [B, H] each, and the shape; it
  /// returns the output [B, T, H] followed by the final states [B, H].
  typealias Direction = (_ xw: Tensor, _ index: Int, _ initial: [Tensor], _ shape: RecurrentShape) -> [Tensor]

  /// Runs every layer and direction. `initial` lists the optional initial
  /// states ([layers·D, B, H] each: h0, then c0 for LSTM). Returns the last
  /// layer's output [B, T, D·H] and each final state stacked to [layers·D, B, H].
  func run(_ x: Tensor, lengths: [Int]?, initial: [Tensor?], _ direction: Direction) -> (Tensor, [Tensor]) {
    precondition(x.rank == 3 && x.shape[2] == inputSize,
                 "\(name)(\(inputSize) → \(hiddenSize)): input \(x.shape) must be [B, T, \(inputSize)]")
    let (nb, nt, h) = (x.shape[0], x.shape[1], hiddenSize)
    let count = layers * directions
    for case let s? in initial {
      precondition(s.shape == [count, nb, h], "\(name): initial state \(s.shape) must be [\(count), \(nb), \(h)]")
    }
    if let lengths {
      precondition(lengths.count == nb && lengths.allSatisfy { $0 >= 1 && $0 <= nt },
                   "\(name): lengths \(lengths) must be \(nb) values in 1...\(nt)")
    }
    let shapes = [false, true].map {
      RecurrentShape(batch: nb, steps: nt, hidden: h, lengths: lengths, reverse: $0)
    }
    let zeros = Tensor.zeros([nb, h])
    func start(_ s: Tensor?, _ k: Int) -> Tensor {
      guard let s else { return zeros }
      return count == 1 ? s.reshaped([nb, h]) : s.slice(axis: 0, start: k, count: 1).reshaped([nb, h])
    }
    var input = x
    var finals = [[Tensor]](repeating: [], count: initial.count)
    for layer in 0..<layers {
      var outputs: [Tensor] = []
      for d in 0..<directions {
        let k = layer * directions + d
        let xw = matmul(input, weightIHs[k].wrappedValue, transposeB: true)  // [B, T, G·H]: one GEMM
        let result = direction(xw, k, initial.map { start($0, k) }, shapes[d])
        outputs.append(result[0])
        for i in finals.indices { finals[i].append(result[i + 1]) }
      }
      input = outputs.count == 1 ? outputs[0] : Tensor.concat(outputs, axis: 2)
      if layer + 1 < layers && dropout > 0 && isTraining && !isFrozen {
        input = GraftCore.dropout(input, probability: dropout, training: true, using: &generator)
      }
    }
    let stacked = finals.map { $0.count == 1 ? $0[0].reshaped([1, nb, h]) : Tensor.stack($0, axis: 0) }
    ShapeTrace.report(self, input)
    return (input, stacked)
  }
}

// MARK: - Recorded ops (one per layer and direction)

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
