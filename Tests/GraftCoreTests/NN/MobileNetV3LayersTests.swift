import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// Hardswish, Hardsigmoid and SqueezeExcitation against PyTorch 2.11 and EfficientAT
/// (fixtures from Tools/fixtures/mobilenet_v3.py), and by finite differences.
@Suite struct MobileNetV3LayersTests {
  static func fixture(_ name: String) throws -> Fixture {
    try Fixture(path: "\(TorchParityTests.directory)/\(name).safetensors")
  }

  @Test func hardswishMatchesTorch() throws {
    try Self.fixture("hardswish").check(inputs: ["x"], tolerance: 1e-6) { Hardswish()($0[0]) }
  }

  @Test func hardsigmoidMatchesTorch() throws {
    try Self.fixture("hardsigmoid").check(inputs: ["x"], tolerance: 1e-6) { Hardsigmoid()($0[0]) }
  }

  @Test func hardActivationValuesAtTheKinks() {
    let x = Tensor(shape: [7], [-4, -3, -1.5, 0, 1.5, 3, 4])
    #expect(x.hardswish().scalars == [0, 0, -0.375, 0, 1.125, 3, 4])
    #expect(x.hardsigmoid().scalars == [0, 0, 0.25, 0.5, 0.75, 1, 1])
    // PyTorch's gradients at the kinks: hardswish (x/3 + 1/2) on [−3, 3], hardsigmoid 0 at ±3.
    let leaf = x.copy()
    leaf.requiresGrad = true
    leaf.hardswish().sum().backward()
    #expect(leaf.grad?.scalars == [0, -0.5, 0, 0.5, 1, 1.5, 1])
    leaf.grad = nil
    leaf.hardsigmoid().sum().backward()
    #expect(leaf.grad?.scalars == [0, 0, Float(1) / 6, Float(1) / 6, Float(1) / 6, 0, 0])
  }

  @Test func hardActivationGradientsByFiniteDifferences() {
    // Points at least 0.05 from the kinks at ±3, so a step of 1e-2 stays on one piece.
    let x = Tensor(shape: [10], [-4.2, -2.9, -2.2, -1.1, -0.3, 0.4, 1.7, 2.4, 2.94, 3.5])
    checkGradient([x.copy()], epsilon: 1e-2, tolerance: 2e-3) { $0[0].hardswish() }
    checkGradient([x.copy()], epsilon: 1e-2, tolerance: 2e-3) { $0[0].hardsigmoid() }
  }

  @Test func squeezeExcitationMatchesEfficientAT() throws {
    let f = try Self.fixture("squeeze_excitation")
    var g = Generator(seed: 0)
    let se = SqueezeExcitation(channels: 8, squeezeChannels: 8, using: &g)
    try se.load(["fc1.weight": f["w1"], "fc1.bias": f["b1"], "fc2.weight": f["w2"], "fc2.bias": f["b2"]])
    #expect(se.stateDict().map(\.0) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    let x = f.leaves(["x"])[0]
    let y = se(x)
    assertClose(y, f["y"], tolerance: 1e-6, "y")
    y.backward(gradient: f["gy"])
    assertClose(x.grad!, f["gx"], tolerance: 1e-5, "gx")
    assertClose(se.fc1.weight.grad!, f["gw1"], tolerance: 1e-5, "gw1")
    assertClose(se.fc1.bias.grad!, f["gb1"], tolerance: 1e-5, "gb1")
    assertClose(se.fc2.weight.grad!, f["gw2"], tolerance: 1e-5, "gw2")
    assertClose(se.fc2.bias.grad!, f["gb2"], tolerance: 1e-5, "gb2")
  }

  @Test func squeezeExcitationGradientsByFiniteDifferences() {
    var g = Generator(seed: 3)
    let se = SqueezeExcitation(channels: 4, squeezeChannels: 3, gate: Hardsigmoid(), using: &g)
    let x = randomTensor([2, 4, 3, 2], seed: 5)
    checkGradient([x], epsilon: 1e-2, tolerance: 5e-3) { se($0[0]) }
  }
}
