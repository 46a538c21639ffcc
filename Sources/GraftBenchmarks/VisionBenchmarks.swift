import Foundation
import GraftCore
import GraftVision

/// `graft bench vision`: PNG decoding and the torchvision bases at 224×224.
public enum VisionBenchmarks {
  public static let names = [
    "png_decode_224_1thread", "png_decode_224", "resnet18_infer_b16", "resnet18_finetune_b16", "mobilenetv2_infer_b16",
    "mobilenetv2_finetune_b16",
  ]

  /// Runs the selected benchmarks. `pngDirectory` holds the PNG files to decode
  /// (the peer script decodes the same files); without it, 64 generated
  /// 224×224 RGB images are written to a temporary folder.
  public static func run(budget: Double, pngDirectory: String?, filter: (String) -> Bool,
                         progress: (String) -> Void = { _ in }) throws -> [BenchmarkResult] {
    var results: [BenchmarkResult] = []
    func add(_ name: String, _ body: () throws -> BenchmarkResult) rethrows {
      guard filter(name) else { return }
      progress(name)
      results.append(try body())
    }
    if filter("png_decode_224_1thread") || filter("png_decode_224") {
      let (files, cleanup) = try pngFiles(pngDirectory)
      defer { cleanup() }
      try add("png_decode_224_1thread") { try decode(files, threads: 1, budget: budget) }
      try add("png_decode_224") { try decode(files, threads: Threads.count, budget: budget) }
    }
    add("resnet18_infer_b16") {
      var g = Generator(seed: 1)
      let model = ResNet(.resnet18, classCount: 1000, using: &g)
      return network("resnet18_infer_b16", train: false, budget: budget, model, forward: model.logits)
    }
    add("resnet18_finetune_b16") {
      var g = Generator(seed: 1)
      let model = ResNet(.resnet18, classCount: 1000, using: &g)
      return network("resnet18_finetune_b16", train: true, budget: budget, model, forward: model.logits)
    }
    add("mobilenetv2_infer_b16") {
      var g = Generator(seed: 1)
      let model = MobileNetV2(classCount: 1000, using: &g)
      return network("mobilenetv2_infer_b16", train: false, budget: budget, model, forward: model.logits)
    }
    add("mobilenetv2_finetune_b16") {
      var g = Generator(seed: 1)
      let model = MobileNetV2(classCount: 1000, using: &g)
      return network("mobilenetv2_finetune_b16", train: true, budget: budget, model, forward: model.logits)
    }
    return results
  }

  /// Decodes every file once per iteration, split across `threads` (as a folder loader does).
  static func decode(_ files: [String], threads: Int, budget: Double) throws -> BenchmarkResult {
    var failure: PNGError?
    let (t, n) = Threads.withCount(threads) {
      Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
        Kernels.parallelRanges(files.count, grain: 1) { range in
          for i in range {
            do { _ = try PNGDecoder.decode(at: files[i]) } catch let error as PNGError { failure = error } catch {}
          }
        }
      }
    }
    if let failure { throw failure }
    let name = threads == 1 ? "png_decode_224_1thread" : "png_decode_224"
    return BenchmarkResult(name: name, value: Double(files.count) / t, unit: "images/s", seconds: t, iterations: n)
  }

  /// Batch 16 of 3×224×224: inference (eval mode, no tape) or one full fine-tuning step (SGD momentum).
  static func network(_ name: String, train: Bool, budget: Double, _ model: Module, forward: @escaping (Tensor) -> Tensor)
    -> BenchmarkResult {
    var g = Generator(seed: 2)
    let x = Tensor.randomNormal([16, 3, 224, 224], using: &g)
    let labels = (0..<16).map { $0 * 37 % 1000 }
    let (t, n): (Double, Int)
    if train {
      model.train()
      let optimizer = SGD(model.parameters(), learningRate: 1e-3, momentum: 0.9)
      (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
        optimizer.zeroGradients()
        crossEntropy(logits: forward(x), labels: labels).backward()
        optimizer.step()
      }
    } else {
      model.eval()
      (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) { _ = withoutGradients { forward(x) } }
    }
    return BenchmarkResult(name: name, value: 16 / t, unit: "images/s", seconds: t, iterations: n)
  }

  /// The PNG files of `directory`, or 64 generated ones in a temporary folder (removed by `cleanup`).
  static func pngFiles(_ directory: String?) throws -> ([String], () -> Void) {
    if let directory {
      let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".png") }.sorted()
      return (names.map { directory + "/" + $0 }, {})
    }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-bench-png-\(getpid())").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var g = Generator(seed: 3)
    var files: [String] = []
    for i in 0..<64 {
      // Smooth colour gradients plus noise: compresses like a photo rather than like noise or flat colour.
      var pixels = [UInt8](repeating: 0, count: 224 * 224 * 3)
      let phase = g.uniform(0, 6.28)
      for y in 0..<224 {
        for x in 0..<224 {
          for c in 0..<3 {
            let v = 127.5 + 100 * sin(Float(x) * 0.03 + Float(y) * 0.02 * Float(c + 1) + phase) + g.uniform(-12, 12)
            pixels[(y * 224 + x) * 3 + c] = UInt8(max(0, min(255, v)))
          }
        }
      }
      let path = dir + "/img\(i).png"
      try PNGEncoder.write(Image(width: 224, height: 224, channels: 3, samples: pixels), to: path)
      files.append(path)
    }
    return (files, { try? FileManager.default.removeItem(atPath: dir) })
  }
}
