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
