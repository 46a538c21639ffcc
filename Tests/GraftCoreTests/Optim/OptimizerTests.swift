import GraftCore
import Testing
import _GraftTestSupport

extension Optim {
  /// SGD, Adam and AdamW against PyTorch trajectories, plus the protocol's shared behaviour:
  /// skipped parameters, zeroing gradients, and checkpoint state.
  @Suite struct OptimizerTests {
    // MARK: PyTorch trajectories

    @Test(arguments: OptimFixtures.optimizerCases)
    func matchesPyTorch(_ name: String) throws {
      let fixture = try OptimFixtures.load("optim_" + name, as: OptimizerCase.self)
      let tolerance: Float = fixture.config.optimizer == "SGD" ? 1e-6 : 1e-5
      let params = fixture.makeParameters()
      let optimizer = fixture.makeOptimizer(params)
      for t in 1...5 {
        optimizer.zeroGradients()
        fixture.setGradients(params, step: t)
        optimizer.step()
        for n in OptimizerCase.names {
          // Relative, with an absolute floor of tolerance/10 for values near 0, where rounding
          // (PyTorch fuses its multiply-adds) is relative to the operands, not to the result.
          expectRelativelyClose(params[n]!.scalars, fixture.steps[t - 1][n]!, relative: tolerance,
                                absolute: tolerance / 10, "\(name) step \(t) \(n)")
        }
      }
      // p2 never had a gradient: untouched, bit for bit.
      #expect(params["p2"]!.scalars == fixture.initial["p2"]!)

      // Final state: every PyTorch buffer (and Adam's per-parameter step) matches, and we hold no others.
      let state = optimizer.stateTensors()
      for (n, buffers) in fixture.state {
        for (buffer, values) in buffers {
          let key = "\(n).\(buffer)"
          guard let ours = state[key] else { Issue.record("\(name): missing state \(key)"); continue }
          expectRelativelyClose(ours.scalars, values, relative: tolerance, "\(name) state \(key)")
        }
      }
      for key in state.keys where !key.hasSuffix(".step") {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        #expect(fixture.state[parts[0]]?[parts[1]] != nil, "\(name): unexpected state \(key)")
      }
      // Step counts: p1 missed step 3, p2 never stepped.
      #expect(state["p0.step"]?.scalars == [5])
      #expect(state["p1.step"]?.scalars == [4])
      #expect(state["p2.step"]?.scalars == [0])
    }

    @Test func fixturesRecordTheirOrigin() throws {
      let fixture = try OptimFixtures.load("optim_adam", as: OptimizerCase.self)
      #expect(fixture.torch.hasPrefix("2.11"))
    }

    // MARK: Gradients

    @Test func zeroGradientsClearsEveryGroup() {
      let a = Tensor(shape: [2], [1, 2], requiresGrad: true), b = Tensor(shape: [1], [3], requiresGrad: true)
      let optimizer = SGD(groups: [ParameterGroup([a], learningRate: 0.1), ParameterGroup([b], learningRate: 0.2)])
      a.grad = Tensor(shape: [2], [1, 1])
      b.grad = Tensor(shape: [1], [1])
      optimizer.zeroGradients()
      #expect(a.grad == nil && b.grad == nil)
    }

    @Test func stepLeavesGradientsAndSkippedParametersAlone() {
      let optimizers: [(String, ([Tensor]) -> any Optimizer)] = [
        ("SGD", { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1) }),
        ("Adam", { Adam($0, learningRate: 0.1, weightDecay: 0.1) }),
        ("AdamW", { AdamW($0, learningRate: 0.1) }),
      ]
      for (name, make) in optimizers {
        let stepped = Tensor(shape: [3], [1, -2, 3], requiresGrad: true)
        let skipped = Tensor(shape: [2], [5, 6], requiresGrad: true)
        let optimizer = make([stepped, skipped])
        stepped.grad = Tensor(shape: [3], [0.5, 0.5, -0.5])
        optimizer.step()
        #expect(stepped.scalars != [1, -2, 3], "\(name): parameter with a gradient did not move")
        #expect(stepped.grad?.scalars == [0.5, 0.5, -0.5], "\(name): step changed the gradient")
        #expect(skipped.scalars == [5, 6], "\(name): parameter without a gradient moved")
        let state = optimizer.stateTensors()
        #expect(state["group0.param1.step"]?.scalars == [0], "\(name)")
        #expect(state.keys.filter { $0.hasPrefix("group0.param1.") } == ["group0.param1.step"], "\(name)")
      }
    }

    @Test func sgdFirstMomentumStepUsesTheGradient() {
      // buf = g on the first step (not 0.9·0 + g·(1 − dampening)), then buf = 0.9·buf + 0.5·g.
      let p = Tensor(shape: [1], [0], requiresGrad: true)
      let optimizer = SGD([p], learningRate: 1, momentum: 0.9, dampening: 0.5)
      p.grad = Tensor(shape: [1], [1])
      optimizer.step()
      #expect(p.scalars == [-1])
      optimizer.step()
      #expect(p.scalars == [-1 - (0.9 + 0.5)])
      #expect(optimizer.stateTensors()["group0.param0.momentum_buffer"]?.scalars == [Float(0.9) + 0.5])
    }

    @Test func largeTensorsSplitAcrossThreadsGiveTheSameUpdate() {
      // The same values stepped as one 300 001-element tensor (split across threads) and as
      // small pieces (one thread each) must agree bit for bit.
      let count = 300_001, piece = 10_000
      let values = randomTensor([count], seed: 3).scalars
      let grads = randomTensor([count], seed: 4).scalars
      let makers: [([Tensor]) -> any Optimizer] = [
        { SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01) },
        { Adam($0, learningRate: 0.01, weightDecay: 0.01) },
        { AdamW($0, learningRate: 0.01) },
      ]
      for make in makers {
        let whole = Tensor(shape: [count], values, requiresGrad: true)
        let pieces = stride(from: 0, to: count, by: piece).map { start in
          Tensor(shape: [min(piece, count - start)], Array(values[start..<min(start + piece, count)]), requiresGrad: true)
        }
        let big = make([whole]), small = make(pieces)
        for step in 0..<3 {
          let scale = Float(step + 1)
          whole.grad = Tensor(shape: [count], grads.map { $0 * scale })
          for (k, p) in pieces.enumerated() {
            p.grad = Tensor(shape: p.shape, grads[(k * piece)..<(k * piece + p.count)].map { $0 * scale })
          }
          big.step()
          small.step()
        }
        #expect(whole.scalars == pieces.flatMap(\.scalars))
      }
    }

    // MARK: Checkpoint state

    /// Runs `make` for three steps, restores its state into a second optimizer over copies of
    /// the parameters, then checks that two more steps agree bit for bit.
    func expectResumesExactly(_ what: String, _ make: ([Tensor]) -> any Optimizer) throws {
      let a0 = Tensor(shape: [2, 3], [0.5, -1, 2, 0.25, -0.75, 1.5], requiresGrad: true)
      let a1 = Tensor(shape: [4], [1, 2, -3, 0.1], requiresGrad: true)
      let first = make([a0, a1])
      func gradients(_ ps: [Tensor], _ t: Int) {
        for p in ps { p.grad = Tensor(shape: p.shape, p.scalars.enumerated().map { i, v in v * 0.3 + Float(t) * 0.07 - Float(i) * 0.05 }) }
      }
      for t in 0..<3 {
        first.zeroGradients()
        gradients([a0, a1], t)
        if t == 1 { a1.grad = nil }  // a1 falls one step behind
        first.step()
      }
      let b0 = a0.copy(), b1 = a1.copy()
      b0.requiresGrad = true
      b1.requiresGrad = true
      let second = make([b0, b1])
      try second.loadState(first.stateTensors())
      for t in 3..<5 {
        first.zeroGradients()
        second.zeroGradients()
        gradients([a0, a1], t)
        gradients([b0, b1], t)
        first.step()
        second.step()
        #expect(a0.scalars == b0.scalars && a1.scalars == b1.scalars, "\(what): resumed run diverged at step \(t)")
      }
      let stateA = first.stateTensors(), stateB = second.stateTensors()
      #expect(Set(stateA.keys) == Set(stateB.keys), "\(what)")
      for (key, value) in stateA { #expect(stateB[key]?.scalars == value.scalars, "\(what): \(key)") }
    }

    @Test func stateRoundTripResumesBitExactly() throws {
      try expectResumesExactly("SGD momentum") { SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) }
      try expectResumesExactly("SGD Nesterov") { SGD($0, learningRate: 0.1, momentum: 0.9, nesterov: true) }
      try expectResumesExactly("Adam") { Adam($0, learningRate: 0.05, weightDecay: 0.01) }
      try expectResumesExactly("AdamW") { AdamW($0, learningRate: 0.05) }
    }

    @Test func stateKeysUseNamesOrPositions() {
      let w = Tensor(shape: [2], [1, 2], requiresGrad: true), b = Tensor(shape: [1], [3], requiresGrad: true)
      let base = Tensor(shape: [1], [4], requiresGrad: true)
      let optimizer = Adam(groups: [
        ParameterGroup([w, b], names: ["head.weight", "head.bias"], learningRate: 1e-3),
        ParameterGroup([base], learningRate: 1e-5),
      ])
      for p in [w, b, base] { p.grad = Tensor.ones(p.shape) }
      optimizer.step()
      #expect(Set(optimizer.stateTensors().keys) == [
        "head.weight.step", "head.weight.exp_avg", "head.weight.exp_avg_sq",
        "head.bias.step", "head.bias.exp_avg", "head.bias.exp_avg_sq",
        "group1.param0.step", "group1.param0.exp_avg", "group1.param0.exp_avg_sq",
      ])
      #expect(optimizer.stateTensors()["head.weight.exp_avg"]?.shape == [2])
    }

    @Test func loadStateReportsEveryProblemAndChangesNothing() throws {
      let p = Tensor(shape: [2, 2], [1, 2, 3, 4], requiresGrad: true), q = Tensor(shape: [3], [1, 2, 3], requiresGrad: true)
      let optimizer = Adam(groups: [ParameterGroup([p, q], names: ["w", "b"], learningRate: 0.1)])
      p.grad = Tensor.ones([2, 2])
      q.grad = Tensor.ones([3])
      optimizer.step()
      let before = optimizer.stateTensors().mapValues(\.scalars)

      var broken = optimizer.stateTensors().mapValues { $0.copy() }
      broken["w.exp_avg"] = nil                                   // missing buffer
      broken["b.exp_avg_sq"] = Tensor.zeros([2])                  // wrong shape
      broken["extra.momentum_buffer"] = Tensor.zeros([1])         // unexpected
      broken["w.step"] = Tensor(shape: [1], [7])
      broken["b.step"] = Tensor(shape: [1], [1.5])                // not a whole number
      broken["b.exp_avg"] = Tensor.full([3], 9)
      // b's step count is invalid, so its buffers cannot be checked (their need depends on it).
      #expect(throws: OptimizerStateError(
        missingKeys: ["w.exp_avg"], unexpectedKeys: ["extra.momentum_buffer"], invalidSteps: ["b.step"])) {
        try optimizer.loadState(broken)
      }
      // With a valid step count, b's wrong-shaped buffer is reported too.
      broken["b.step"] = Tensor(shape: [1], [2])
      #expect(throws: OptimizerStateError(
        missingKeys: ["w.exp_avg"], unexpectedKeys: ["extra.momentum_buffer"],
        shapeMismatches: [.init(key: "b.exp_avg_sq", expected: [3], actual: [2])])) {
        try optimizer.loadState(broken)
      }
      // A step count must be one element; a missing step is reported once.
      broken = ["w.step": Tensor.zeros([2])]
      do {
        try optimizer.loadState(broken)
        Issue.record("loadState accepted a malformed dictionary")
      } catch {
        #expect(error.missingKeys == ["b.step"])
        #expect(error.shapeMismatches == [.init(key: "w.step", expected: [1], actual: [2])])
        #expect(error.unexpectedKeys.isEmpty && error.invalidSteps.isEmpty)
        #expect(error.description.contains("missing keys: b.step"))
      }
      // Nothing was applied by the failed loads.
      #expect(optimizer.stateTensors().mapValues(\.scalars) == before)
    }

    @Test func loadingAStepZeroStateDropsBuffers() throws {
      // Restoring a snapshot taken before the first step resets the parameter to a fresh start.
      let p = Tensor(shape: [1], [0], requiresGrad: true)
      let optimizer = SGD([p], learningRate: 1, momentum: 0.5)
      let fresh = optimizer.stateTensors().mapValues { $0.copy() }
      #expect(Set(fresh.keys) == ["group0.param0.step"])
      p.grad = Tensor(shape: [1], [1])
      optimizer.step()
      try optimizer.loadState(fresh)
      #expect(Set(optimizer.stateTensors().keys) == ["group0.param0.step"])
      p.assign(Tensor(shape: [1], [0]))
      optimizer.step()
      #expect(p.scalars == [-1])  // first-step semantics again: buf = g, not 0.5·1 + 1
    }

    @Test func groupOverridesTheOptimizerWeightDecay() {
      let a = Tensor(shape: [1], [2], requiresGrad: true), b = Tensor(shape: [1], [2], requiresGrad: true)
      let optimizer = SGD(groups: [ParameterGroup([a], learningRate: 0.5),
                                   ParameterGroup([b], learningRate: 0.5, weightDecay: 0)], weightDecay: 0.25)
      a.grad = Tensor.zeros([1])
      b.grad = Tensor.zeros([1])
      optimizer.step()
      #expect(a.scalars == [2 - 0.5 * 0.25 * 2])
      #expect(b.scalars == [2])
    }
  }
}
