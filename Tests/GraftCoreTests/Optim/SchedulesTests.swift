import GraftCore
import Testing
import _GraftTestSupport

extension Optim {
  @Suite struct SchedulesTests {
    /// An SGD optimizer with one one-element group per learning rate.
    func optimizer(_ learningRates: [Float]) -> SGD {
      SGD(groups: learningRates.map { ParameterGroup([Tensor.zeros([1], requiresGrad: true)], learningRate: $0) })
    }

    /// Applies `schedule` at every step of `expected` (in order, as a training loop does) and
    /// compares each group's learning rate.
    func expectMatches(_ schedule: some LearningRateSchedule, _ fixture: SchedulesFixture.Case, _ what: String) {
      let lrs = fixture.params.groupLrs!
      let optimizer = optimizer(lrs)
      #expect(fixture.lrs.count > 1)
      for (step, expected) in fixture.lrs.enumerated() {
        schedule.apply(to: optimizer, step: step)
        expectRelativelyClose(optimizer.learningRates, expected.map { Float($0) }, relative: 1e-6, absolute: 0,
                              "\(what) step \(step)")
      }
      #expect(optimizer.groups.map(\.initialLearningRate) == lrs)
    }

    @Test func stepLR() throws {
      let c = try OptimFixtures.load("schedules", as: SchedulesFixture.self).cases["step_lr"]!
      expectMatches(StepLR(stepSize: c.params.stepSize!, gamma: c.params.gamma!), c, "StepLR")
    }

    @Test(arguments: ["one_cycle", "one_cycle_scalar", "one_cycle_linear_three_phase"])
    func oneCycle(_ name: String) throws {
      let fixture = try OptimFixtures.load("schedules", as: SchedulesFixture.self)
      #expect(fixture.torch.hasPrefix("2.11"))
      let c = fixture.cases[name]!
      let p = c.params
      var maxLR: Float?
      switch p.maxLr! {
      case .scalar(let v): maxLR = v
      case .perGroup(let v): #expect(v == p.groupLrs!)  // each group peaks at its own learning rate
      }
      let schedule = OneCycle(maxLR: maxLR, totalSteps: p.totalSteps!, pctStart: p.pctStart!, divFactor: p.divFactor!,
                              finalDivFactor: p.finalDivFactor!, annealing: p.annealStrategy == "linear" ? .linear : .cosine,
                              threePhase: p.threePhase!)
      expectMatches(schedule, c, name)
    }

    @Test func oneCycleDefaultsArePyTorchs() {
      let s = OneCycle(totalSteps: 10)
      #expect(s.pctStart == 0.3 && s.divFactor == 25 && s.finalDivFactor == 1e4)
      #expect(s.annealing == .cosine && !s.threePhase && s.maxLR == nil)
      expectRelativelyClose([s.learningRate(step: 0, initialLearningRate: 1)], [0.04], relative: 1e-6, "start")
      expectRelativelyClose([s.learningRate(step: 9, initialLearningRate: 1)], [0.04 / 1e4], relative: 1e-6, "end")
    }

    @Test func cosineWithWarmup() throws {
      let c = try OptimFixtures.load("schedules", as: SchedulesFixture.self).cases["cosine_with_warmup"]!
      let schedule = CosineWithWarmup(warmupSteps: c.params.warmupSteps!, totalSteps: c.params.totalSteps!,
                                      minLR: c.params.minLr!)
      expectMatches(schedule, c, "CosineWithWarmup")
      // The documented landmarks: 0 at step 0, the peak at the end of warm-up, minLR from totalSteps on.
      #expect(schedule.learningRate(step: 0, initialLearningRate: 0.1) == 0)
      #expect(schedule.learningRate(step: 4, initialLearningRate: 0.1) == 0.1)
      #expect(schedule.learningRate(step: 15, initialLearningRate: 0.1) == Float(1e-4))
      #expect(schedule.learningRate(step: 99, initialLearningRate: 0.1) == Float(1e-4))
    }

    @Test func discriminativeRatiosSurviveScheduling() {
      let optimizer = optimizer([1e-3, 1e-5])
      let schedule = CosineWithWarmup(warmupSteps: 10, totalSteps: 100)
      for step in [3, 10, 50, 80] {
        schedule.apply(to: optimizer, step: step)
        let ratio = optimizer.groups[0].learningRate / optimizer.groups[1].learningRate
        expectRelativelyClose([ratio], [100], relative: 1e-6, "step \(step)")
      }
      // Applying an earlier step again gives the earlier value: schedules never compound.
      schedule.apply(to: optimizer, step: 3)
      let first = optimizer.learningRates
      schedule.apply(to: optimizer, step: 3)
      #expect(optimizer.learningRates == first)
      expectRelativelyClose([first[0]], [3e-4], relative: 1e-6, "warm-up")
    }
  }
}
