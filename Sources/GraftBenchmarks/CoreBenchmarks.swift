import GraftCore

/// `graft bench core`: GEMM, convolution and elementwise throughput of the core.
public enum CoreBenchmarks {
  /// Every core benchmark name, in the order `run` reports them.
  public static let names = [
    "sgemm_512", "sgemm_1024", "sgemm_2048", "sgemm_direct_1024",
    "conv3x3_64_56_b16_fwd", "conv3x3_64_56_b16_fwdbwd", "add_16M",
    "smallcnn_train_b64", "smallcnn_infer_b64", "head_epoch_cached", "head_epoch_recomputed",
  ]

  /// Runs the benchmarks whose names pass `filter`; `budget` is the timing
  /// budget per benchmark in seconds.
  public static func run(budget: Double = 1.0, filter: (String) -> Bool = { _ in true },
                         progress: (String) -> Void = { _ in }) -> [BenchmarkResult] {
    var results: [BenchmarkResult] = []
    func add(_ name: String, _ body: () -> BenchmarkResult) {
      guard filter(name) else { return }
      progress(name)
      results.append(body())
    }
    for n in [512, 1024, 2048] {
      add("sgemm_\(n)") { sgemmTensor(n, budget: budget) }
    }
    add("sgemm_direct_1024") { sgemmDirect(1024, budget: budget) }
    add("conv3x3_64_56_b16_fwd") { conv(backward: false, budget: budget) }
    add("conv3x3_64_56_b16_fwdbwd") { conv(backward: true, budget: budget) }
    add("add_16M") { addBandwidth(budget: budget) }
    add("smallcnn_train_b64") { TrainingBenchmarks.smallCNN(train: true, budget: budget) }
    add("smallcnn_infer_b64") { TrainingBenchmarks.smallCNN(train: false, budget: budget) }
    add("head_epoch_cached") { TrainingBenchmarks.headEpoch(cached: true, budget: budget) }
    add("head_epoch_recomputed") { TrainingBenchmarks.headEpoch(cached: false, budget: budget) }
    return results
  }

  /// n×n×n matrix product through `matmul` (allocates its output every call).
  static func sgemmTensor(_ n: Int, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 1)
    let a = Tensor.randomNormal([n, n], using: &g), b = Tensor.randomNormal([n, n], using: &g)
    let (t, iters) = Stopwatch.median(budget: budget) { _ = matmul(a, b) }
    return BenchmarkResult(name: "sgemm_\(n)", value: 2 * pow3(n) / t / 1e9, unit: "GFLOP/s", seconds: t, iterations: iters)
  }

  /// The same product as one `cblas_sgemm` call on preallocated buffers, with
  /// OpenBLAS's own thread pool at `Threads.count` threads: what OpenBLAS alone reaches.
  static func sgemmDirect(_ n: Int, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 1)
    let a = Tensor.randomNormal([n, n], using: &g), b = Tensor.randomNormal([n, n], using: &g)
    let c = Tensor.zeros([n, n])
    let (t, iters) = Kernels.withOpenBLASThreads(Threads.count) {
      Stopwatch.median(budget: budget) {
        Kernels.gemmBLAS(transA: false, transB: false, m: n, n: n, k: n, a: a.data, lda: n, b: b.data, ldb: n,
                         c: c.data, ldc: n)
      }
    }
    return BenchmarkResult(name: "sgemm_direct_\(n)", value: 2 * pow3(n) / t / 1e9, unit: "GFLOP/s", seconds: t, iterations: iters)
  }

  /// 3×3 convolution, 64→64 channels, 56×56, batch 16, padding 1 (a ResNet stage-1 layer).
  /// fwdbwd counts 3× the forward FLOPs (forward, input gradient, weight gradient).
  static func conv(backward: Bool, budget: Double) -> BenchmarkResult {
    var g = Generator(seed: 2)
    let x = Tensor.randomNormal([16, 64, 56, 56], using: &g)
    let w = Tensor.randomNormal([64, 64, 3, 3], std: 0.05, using: &g)
    let flops = 2.0 * 16 * 64 * 56 * 56 * 64 * 9
    let name = backward ? "conv3x3_64_56_b16_fwdbwd" : "conv3x3_64_56_b16_fwd"
    let (t, iters): (Double, Int)
    if backward {
      x.requiresGrad = true
      w.requiresGrad = true
      let upstream = Tensor.ones([16, 64, 56, 56])
      (t, iters) = Stopwatch.median(budget: budget) {
        x.grad = nil; w.grad = nil
        conv2d(x, weight: w, padding: (1, 1)).backward(gradient: upstream)
      }
    } else {
      (t, iters) = Stopwatch.median(budget: budget) { _ = conv2d(x, weight: w, padding: (1, 1)) }
    }
    let total = backward ? 3 * flops : flops
    return BenchmarkResult(name: name, value: total / t / 1e9, unit: "GFLOP/s", seconds: t, iterations: iters)
  }

  /// c = a + b over 16M floats: bytes moved = 3 × 4 × 16M.
  static func addBandwidth(budget: Double) -> BenchmarkResult {
    let n = 16 << 20
    let a = Tensor.full([n], 1), b = Tensor.full([n], 2)
    let (t, iters) = Stopwatch.median(budget: budget) { _ = a + b }
    return BenchmarkResult(name: "add_16M", value: 12 * Double(n) / t / 1e9, unit: "GB/s", seconds: t, iterations: iters)
  }

  private static func pow3(_ n: Int) -> Double { Double(n) * Double(n) * Double(n) }
}
