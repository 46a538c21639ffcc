import Foundation
import GraftCore
import Testing
import _GraftTestSupport

/// Forward values and gradients against PyTorch 2.11 (fixtures from Tools/fixtures/core.py).
@Suite struct TorchParityTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/core").path

  static func fixture(_ name: String) throws -> Fixture {
    try Fixture(path: "\(directory)/\(name).safetensors")
  }

  @Test(arguments: ["matmul_2d", "matmul_batched", "matmul_fold"])
  func matmul(_ name: String) throws {
    try Self.fixture(name).check(inputs: ["a", "bmat"]) { GraftCore.matmul($0[0], $0[1]) }
  }

  @Test(arguments: ["conv_basic", "conv_stride_dil", "conv_asym", "conv_groups", "conv_depthwise", "conv_pointwise"])
  func conv2d(_ name: String) throws {
    let f = try Self.fixture(name)
    let hasBias = f.bool("bias")
    f.check(inputs: hasBias ? ["x", "w", "b"] : ["x", "w"], tolerance: 2e-5) {
      GraftCore.conv2d($0[0], weight: $0[1], bias: hasBias ? $0[2] : nil, stride: f.pair("stride"),
                       padding: f.pair("padding"), dilation: f.pair("dilation"), groups: f.int("groups"))
    }
  }

  /// TensorFlow SAME: PyTorch's `F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride)` with TF's rule.
  @Test(arguments: ["conv_same_s2_even", "conv_same_s2_odd", "conv_same_depthwise_s2", "conv_same_k5_s3",
                    "conv_same_k2_s1_dil"])
  func conv2dSame(_ name: String) throws {
    let f = try Self.fixture(name)
    let hasBias = f.bool("bias")
    let x = f["x"], w = f["w"]
    let pad = f.params["pad_top_bottom_left_right"] as! [Int]
    let resolved = ConvPadding.same.resolved(height: x.shape[2], width: x.shape[3], kernel: (w.shape[2], w.shape[3]),
                                             stride: f.pair("stride"), dilation: f.pair("dilation"))
    #expect([resolved.top, resolved.bottom, resolved.left, resolved.right] == pad)
    f.check(inputs: hasBias ? ["x", "w", "b"] : ["x", "w"], tolerance: 2e-5) {
      GraftCore.conv2d($0[0], weight: $0[1], bias: hasBias ? $0[2] : nil, stride: f.pair("stride"), padding: .same,
                       dilation: f.pair("dilation"), groups: f.int("groups"))
    }
  }

  @Test(arguments: ["maxpool_k3s2p1", "maxpool_ceil"])
  func maxPool(_ name: String) throws {
    let f = try Self.fixture(name)
    f.check(inputs: ["x"]) {
      maxPool2d($0[0], kernel: f.pair("kernel"), stride: f.pair("stride"), padding: f.pair("padding"),
                ceilMode: f.bool("ceil_mode"))
    }
  }

  @Test(arguments: ["avgpool_k3s2p1_incl", "avgpool_k3s2p1_excl", "avgpool_ceil"])
  func avgPool(_ name: String) throws {
    let f = try Self.fixture(name)
    f.check(inputs: ["x"]) {
      avgPool2d($0[0], kernel: f.pair("kernel"), stride: f.pair("stride"), padding: f.pair("padding"),
                ceilMode: f.bool("ceil_mode"), countIncludePad: f.bool("count_include_pad"))
    }
  }

  @Test(arguments: ["bn2d_train", "bn2d_eval", "bn1d_train"])
  func batchNorm(_ name: String) throws {
    let f = try Self.fixture(name)
    let training = f.bool("training")
    let mean = f["running_mean"].copy(), variance = f["running_var"].copy()
    f.check(inputs: ["x", "w", "b"], tolerance: 1e-4) {
      GraftCore.batchNorm($0[0], weight: $0[1], bias: $0[2], runningMean: mean, runningVar: variance,
                          useBatchStatistics: training)
    }
    assertClose(mean, f["running_mean_after"], tolerance: 1e-6, "running mean")
    assertClose(variance, f["running_var_after"], tolerance: 1e-6, "running var")
  }

  @Test(arguments: ["layernorm_last", "layernorm_last2"])
  func layerNorm(_ name: String) throws {
    let f = try Self.fixture(name)
    let count = (f.params["normalized_shape"] as! [Int]).reduce(1, *)
    f.check(inputs: ["x", "w", "b"], tolerance: 1e-4) {
      GraftCore.layerNorm($0[0], normalizedCount: count, weight: $0[1], bias: $0[2])
    }
  }

  @Test(arguments: ["softmax_dim1", "softmax_dim0_3d", "log_softmax_dim1", "log_softmax_last_3d"])
  func softmax(_ name: String) throws {
    let f = try Self.fixture(name)
    let axis = f.int("axis")
    f.check(inputs: ["x"]) { name.hasPrefix("log") ? logSoftmax($0[0], axis: axis) : GraftCore.softmax($0[0], axis: axis) }
  }

  @Test(arguments: ["ce_plain", "ce_weights", "ce_smoothing", "ce_weights_smoothing"])
  func crossEntropy(_ name: String) throws {
    let f = try Self.fixture(name)
    let labels = f["labels"].scalars.map { Int($0) }
    let weights = f.tensors["class_weights"]?.scalars
    let smoothing = Float(f.params["label_smoothing"] as! Double)
    f.check(inputs: ["x"]) {
      GraftCore.crossEntropy(logits: $0[0], labels: labels, classWeights: weights, labelSmoothing: smoothing)
    }
  }

  @Test(arguments: ["bce_logits", "bce_logits_pos_weight"])
  func binaryCrossEntropy(_ name: String) throws {
    let f = try Self.fixture(name)
    let target = f["target"], weights = f.tensors["pos_weight"]?.scalars
    f.check(inputs: ["x"]) { binaryCrossEntropyWithLogits(logits: $0[0], targets: target, positiveWeight: weights) }
  }

  @Test func gelu() throws { try Self.fixture("gelu").check(inputs: ["x"]) { $0[0].gelu() } }
  @Test func relu6() throws { try Self.fixture("relu6").check(inputs: ["x"]) { $0[0].relu6() } }
  @Test func logSumExp() throws { try Self.fixture("logsumexp_dim1").check(inputs: ["x"]) { $0[0].logSumExp(axis: 1) } }

  @Test func fixturesRecordTheirOrigin() throws {
    let f = try Self.fixture("conv_basic")
    #expect(f.metadata["script"] == "Tools/fixtures/core.py")
    #expect(f.metadata["torch"]?.hasPrefix("2.11") == true)
  }
}
