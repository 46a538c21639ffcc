import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// A PyTorch reference case written by `Tools/fixtures/rnn.py` (JSON; see
/// `Fixtures/rnn/README.md`). Shared by the LSTM and GRU tests.
struct RNNFixture: Decodable {
  struct Params: Decodable {
    let mode: String
    let inputSize: Int
    let hiddenSize: Int
    let layers: Int
    let bidirectional: Bool
    let lengths: [Int]?
    let initial: Bool
    enum CodingKeys: String, CodingKey {
      case mode, bidirectional, lengths, initial
      case inputSize = "input_size", hiddenSize = "hidden_size", layers = "num_layers"
    }
  }
  struct Meta: Decodable {
    let torch: String
    let script: String
    let params: Params
    /// Parameter names in PyTorch's `state_dict` order.
    let parameters: [String]
  }
  struct Entry: Decodable {
    let shape: [Int]
    let data: [Float]
  }
  let meta: Meta
  let tensors: [String: Entry]

  static func load(_ name: String) throws -> RNNFixture {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/rnn/\(name).json")
    return try JSONDecoder().decode(RNNFixture.self, from: Data(contentsOf: url))
  }

  func tensor(_ name: String) -> Tensor {
    guard let e = tensors[name] else { preconditionFailure("fixture has no tensor \(name)") }
    return Tensor(shape: e.shape, e.data)
  }

  func optionalTensor(_ name: String) -> Tensor? { tensors[name] == nil ? nil : tensor(name) }

  /// The weights under their PyTorch keys, for `Module.load(_:strict:)`.
  var stateDict: [String: Tensor] {
    Dictionary(uniqueKeysWithValues: meta.parameters.map { ($0, tensor($0)) })
  }

  /// Loads the weights into `module` (strictly, which also checks every key),
  /// then checks the forward results and, after back-propagating the stored
  /// upstream gradients, the gradients of the input, initial states and weights.
  func check(
    _ module: RNNBase, sourceLocation: SourceLocation = #_sourceLocation,
    _ forward: (_ x: Tensor, _ lengths: [Int]?, _ h0: Tensor?, _ c0: Tensor?) -> [(String, Tensor)]
  ) throws {
    try module.load(stateDict, strict: true)
    #expect(module.namedParameters().map(\.0) == meta.parameters, sourceLocation: sourceLocation)
    let x = tensor("input"), h0 = optionalTensor("h0"), c0 = optionalTensor("c0")
    for t in [x, h0, c0].compactMap({ $0 }) { t.requiresGrad = true }
    let results = forward(x, meta.params.lengths, h0, c0)
    var loss: Tensor? = nil
    for (name, value) in results {
      assertClose(value, tensor(name), tolerance: 1e-5, name, sourceLocation: sourceLocation)
      let term = (value * tensor("grad_" + name)).sum()
      loss = loss.map { $0 + term } ?? term
    }
    loss!.backward()
    let checked = [("input", x), ("h0", h0), ("c0", c0)].compactMap { n, t in t.map { (n, $0) } }
      + module.namedParameters()
    for (name, t) in checked {
      guard let grad = t.grad else {
        Issue.record("no gradient for \(name)", sourceLocation: sourceLocation)
        continue
      }
      assertClose(grad, tensor("grad." + name), tolerance: 1e-4, "grad.\(name)", sourceLocation: sourceLocation)
    }
  }
}

/// A slow LSTM/GRU built from differentiable tensor ops, one step at a time,
/// with padded steps masked: the naive twin of the fused kernels.
enum RecurrentReference {
  static func run(
    _ m: RNNBase, lstm: Bool, _ x: Tensor, lengths: [Int], h0: Tensor?, c0: Tensor?
  ) -> (output: Tensor, h: Tensor, c: Tensor?) {
    let (nb, nt, h) = (x.shape[0], x.shape[1], m.hiddenSize)
    var input = x
    var hs: [Tensor] = [], cs: [Tensor] = []
    for layer in 0..<m.layers {
      var outs: [Tensor] = []
      for d in 0..<m.directions {
        let k = layer * m.directions + d
        let w = m.weights(layer: layer, reverse: d == 1)
        var hState = h0?.slice(axis: 0, start: k, count: 1).reshaped([nb, h]) ?? Tensor.zeros([nb, h])
        var cState = c0?.slice(axis: 0, start: k, count: 1).reshaped([nb, h]) ?? Tensor.zeros([nb, h])
        var steps = [Tensor?](repeating: nil, count: nt)
        for t in (d == 1 ? Array((0..<nt).reversed()) : Array(0..<nt)) {
          let mask = Tensor(shape: [nb, 1], lengths.map { t < $0 ? 1 : 0 })
          let xt = input.slice(axis: 1, start: t, count: 1).reshaped([nb, -1])
          let gx = matmul(xt, w.ih, transposeB: true) + w.biasIH
          let gh = matmul(hState, w.hh, transposeB: true) + w.biasHH
          func part(_ g: Tensor, _ i: Int) -> Tensor { g.slice(axis: 1, start: i * h, count: h) }
          let newH: Tensor
          if lstm {
            let pre = gx + gh
            let i = part(pre, 0).sigmoid(), f = part(pre, 1).sigmoid()
            let g = part(pre, 2).tanh(), o = part(pre, 3).sigmoid()
            let newC = f * cState + i * g
            newH = o * newC.tanh()
            cState = mask * newC + (1 - mask) * cState
          } else {
            let r = (part(gx, 0) + part(gh, 0)).sigmoid(), z = (part(gx, 1) + part(gh, 1)).sigmoid()
            let n = (part(gx, 2) + r * part(gh, 2)).tanh()
            newH = (1 - z) * n + z * hState
          }
          hState = mask * newH + (1 - mask) * hState
          steps[t] = (mask * newH).unsqueezed(1)
        }
        outs.append(Tensor.concat(steps.map { $0! }, axis: 1))
        hs.append(hState)
        cs.append(cState)
      }
      input = Tensor.concat(outs, axis: 2)
    }
    return (input, Tensor.stack(hs), lstm ? Tensor.stack(cs) : nil)
  }

  /// Compares the module with the reference on `x`: forward values, and the
  /// gradients of the input, initial states and every weight.
  static func compare(
    _ m: RNNBase, lstm: Bool, batch: Int, steps: Int, lengths: [Int]?, initial: Bool, seed: UInt64,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let count = m.layers * m.directions
    let x = randomTensor([batch, steps, m.inputSize], seed: seed)
    let h0 = initial ? randomTensor([count, batch, m.hiddenSize], seed: seed + 1) : nil
    let c0 = initial && lstm ? randomTensor([count, batch, m.hiddenSize], seed: seed + 2) : nil
    let inputs = [x, h0, c0].compactMap { $0 }
    func gradients(_ f: () -> [Tensor]) -> (values: [[Float]], grads: [[Float]]) {
      for t in inputs + m.parameters() { t.requiresGrad = true; t.grad = nil }
      let outs = f()
      var loss = Tensor(0)
      for (i, o) in outs.enumerated() { loss = loss + (o * randomTensor(o.shape, seed: 100 + UInt64(i))).sum() }
      loss.backward()
      return (outs.map(\.scalars), (inputs + m.parameters()).map { $0.grad?.scalars ?? [] })
    }
    let fused = gradients {
      if lstm {
        let (y, h, c) = (m as! LSTM)(x, lengths: lengths, initial: initial ? (h0!, c0!) : nil)
        return [y, h, c]
      }
      let (y, h) = (m as! GRU)(x, lengths: lengths, initial: h0)
      return [y, h]
    }
    let reference = gradients {
      let r = run(m, lstm: lstm, x, lengths: lengths ?? Array(repeating: steps, count: batch), h0: h0, c0: c0)
      return [r.output, r.h] + (r.c.map { [$0] } ?? [])
    }
    for (a, b) in zip(fused.values, reference.values) {
      assertClose(a, b, tolerance: 1e-5, "value", sourceLocation: sourceLocation)
    }
    for (i, (a, b)) in zip(fused.grads, reference.grads).enumerated() {
      assertClose(a, b, tolerance: 1e-4, "gradient \(i)", sourceLocation: sourceLocation)
    }
  }
}

@Suite struct LSTMTests {
  @Test(arguments: ["lstm_1layer", "lstm_2layer_bi", "lstm_lengths"])
  func matchesPyTorch(_ name: String) throws {
    let fixture = try RNNFixture.load(name)
    let p = fixture.meta.params
    #expect(p.mode == "LSTM")
    var g = Generator(seed: 1)
    let lstm = LSTM(inputSize: p.inputSize, hiddenSize: p.hiddenSize, layers: p.layers,
                    bidirectional: p.bidirectional, using: &g)
    try fixture.check(lstm) { x, lengths, h0, c0 in
      let (y, h, c) = lstm(x, lengths: lengths, initial: h0.map { ($0, c0!) })
      return [("output", y), ("h_n", h), ("c_n", c)]
    }
  }

  @Test func keysShapesAndInitialisation() {
    var g = Generator(seed: 2)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, layers: 2, bidirectional: true, using: &g)
    let names = lstm.namedParameters().map(\.0)
    #expect(names.prefix(8) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                                "bias_hh_l0_reverse"])
    #expect(names.count == 16 && names[8] == "weight_ih_l1" && names[15] == "bias_hh_l1_reverse")
    #expect(lstm.weights(layer: 0).ih.shape == [16, 3])
    #expect(lstm.weights(layer: 1, reverse: true).ih.shape == [16, 8])
    #expect(lstm.weights(layer: 1).hh.shape == [16, 4])
    for p in lstm.parameters() { #expect(p.scalars.allSatisfy { Swift.abs($0) <= 0.5 }) }  // 1/√4
    #expect(lstm.parameterCount() == 2 * (16 * 3 + 16 * 4 + 32) + 2 * (16 * 8 + 16 * 4 + 32))
  }

  @Test func finiteDifferences() {
    var g = Generator(seed: 3)
    let lstm = LSTM(inputSize: 2, hiddenSize: 3, layers: 2, bidirectional: true, using: &g)
    let x = randomTensor([2, 3, 2], seed: 4)
    let h0 = randomTensor([4, 2, 3], seed: 5, scale: 0.5), c0 = randomTensor([4, 2, 3], seed: 6, scale: 0.5)
    checkGradient([x, h0, c0] + lstm.parameters(), epsilon: 1e-2, tolerance: 2e-2) { t in
      let (y, h, c) = lstm(t[0], lengths: [3, 2], initial: (t[1], t[2]))
      return Tensor.concat([y.reshaped([-1]), h.reshaped([-1]), c.reshaped([-1])], axis: 0)
    }
  }

  /// Odd sizes, unsorted lengths and enough rows to split the gate math across threads.
  @Test(arguments: [(batch: 3, steps: 5, lengths: [Int]?.none), (batch: 520, steps: 3, lengths: nil),
                    (batch: 5, steps: 6, lengths: [2, 6, 1, 4, 6])])
  func matchesReference(_ c: (batch: Int, steps: Int, lengths: [Int]?)) {
    var g = Generator(seed: 7)
    let lstm = LSTM(inputSize: 5, hiddenSize: 33, layers: 2, bidirectional: true, using: &g)
    RecurrentReference.compare(lstm, lstm: true, batch: c.batch, steps: c.steps, lengths: c.lengths,
                               initial: c.lengths != nil, seed: 8)
  }

  /// Every instruction set of the C kernels this CPU has (baseline, AVX2, AVX-512) against
  /// the reference: 13 rows (partial row tiles), hidden 70 (whole column tiles, single
  /// vectors and a scalar tail), padded rows, both directions, two threads; and the
  /// inference path (nothing saved) gives the same output as the training path.
  @Test(arguments: SIMDLevel.available)
  func everySIMDLevelMatchesReference(_ level: SIMDLevel) {
    SIMDLevel.withLevel(level) {
      #expect(SIMDLevel.current == level)
      var g = Generator(seed: 11)
      let lstm = LSTM(inputSize: 5, hiddenSize: 70, bidirectional: true, using: &g)
      let lengths = [4, 1, 3, 4, 2, 4, 4, 1, 4, 3, 4, 2, 4]
      RecurrentReference.compare(lstm, lstm: true, batch: 13, steps: 4, lengths: lengths, initial: true, seed: 12)
      let x = randomTensor([13, 4, 5], seed: 13)
      let trained = lstm(x, lengths: lengths)
      let inferred = withoutGradients { lstm(x, lengths: lengths) }
      #expect(trained.output.requiresGrad && !inferred.output.requiresGrad)
      #expect(trained.output.scalars == inferred.output.scalars)
      #expect(trained.h.scalars == inferred.h.scalars && trained.c.scalars == inferred.c.scalars)
    }
  }

  /// The vectorized activations of the gate math (CKernels' simd_math.h) against libm at
  /// every instruction set, tails included.
  @Test(arguments: SIMDLevel.available)
  func vectorActivationsMatchLibm(_ level: SIMDLevel) {
    let xs = (0..<6003).map { Float($0 - 3001) * 0.01 } + [-100, 100, -88.5, 88.5, 1e-6, -1e-6, 0]
    var sigmoid = [Float](repeating: 0, count: xs.count), tanh = sigmoid
    SIMDLevel.withLevel(level) {
      Kernels.vectorSigmoid(&sigmoid, xs, count: xs.count)
      Kernels.vectorTanh(&tanh, xs, count: xs.count)
    }
    assertClose(sigmoid, xs.map { 1 / (1 + Foundation.exp(-$0)) }, tolerance: 3e-7, "sigmoid")
    assertClose(tanh, xs.map { Foundation.tanh($0) }, tolerance: 3e-7, "tanh")
    #expect(sigmoid.allSatisfy { $0 >= 0 && $0 <= 1 } && tanh.allSatisfy { $0 >= -1 && $0 <= 1 })
  }

  @Test func dropoutBetweenLayersOnlyWhileTraining() {
    var g = Generator(seed: 9)
    let lstm = LSTM(inputSize: 3, hiddenSize: 8, layers: 2, dropout: 0.5, using: &g)
    let x = randomTensor([2, 4, 3], seed: 10)
    let before = lstm.generator
    let trained = lstm(x).output.scalars
    #expect(lstm.generator != before)  // masks were drawn
    lstm.eval()
    let first = lstm(x).output.scalars, second = lstm(x).output.scalars
    #expect(first == second)
    #expect(trained != first)
    // Without dropout, training and evaluation agree.
    var h = Generator(seed: 9)
    let plain = LSTM(inputSize: 3, hiddenSize: 8, layers: 2, using: &h)
    #expect(plain(x).output.scalars == first)
  }

  @Test func inferenceAndFrozenRecordNothing() {
    var g = Generator(seed: 11)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &g)
    let x = randomTensor([2, 5, 3], seed: 12)
    let recorded = lstm(x, lengths: [5, 2])
    let plain = withoutGradients { lstm(x, lengths: [5, 2]) }
    #expect(plain.output.gradFn == nil && plain.output.scalars == recorded.output.scalars)
    #expect(plain.h.scalars == recorded.h.scalars && plain.c.scalars == recorded.c.scalars)
    lstm.freeze()
    let frozen = lstm(x)
    #expect(frozen.output.gradFn == nil && frozen.h.gradFn == nil && frozen.c.gradFn == nil)
    #expect(!frozen.output.requiresGrad)
  }

  @Test func paddedStepsKeepTheState() {
    var g = Generator(seed: 13)
    let lstm = LSTM(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &g)
    let x = randomTensor([1, 5, 3], seed: 14)
    let short = x.slice(axis: 1, start: 0, count: 3)
    let padded = lstm(x, lengths: [3])
    let exact = lstm(short)
    assertClose(padded.output.slice(axis: 1, start: 0, count: 3), exact.output, tolerance: 1e-6)
    #expect(padded.output.slice(axis: 1, start: 3, count: 2).scalars.allSatisfy { $0 == 0 })
    assertClose(padded.h, exact.h, tolerance: 1e-6)
    assertClose(padded.c, exact.c, tolerance: 1e-6)
  }
}
