import Foundation
import GraftCore
import GraftVision

/// `graft bench distributed`: the data-parallel paths timed as they run under `mpirun -np N` (or
/// alone): a ResNet-18 fine-tuning step whose global batch is split across the ranks, with the
/// gradient all-reduce timed on its own, and frozen MobileNetV2 feature extraction of a folder of
/// PNG files, sharded and gathered as `FeatureCache` does.
///
/// Every rank runs the same fixed number of iterations (a time budget would let ranks disagree on
/// how many collectives to call); a barrier starts each timed iteration; rank 0's median is
/// printed. Weights are random: speed does not depend on them.
public enum DistributedBenchmarks {
  public static let names = ["resnet18_step_dp", "mobilenetv2_features_dp"]

  public static func run(steps: Int, globalBatch: Int, folder: String?, limit: Int, filter: (String) -> Bool,
                         progress: (String) -> Void) throws -> [BenchmarkResult] {
    let group = ProcessGroups.current
    var results: [BenchmarkResult] = []
    if filter("resnet18_step_dp") {
      progress("resnet18_step_dp")
      results += resnet18Step(steps: steps, globalBatch: globalBatch, group: group)
    }
    if filter("mobilenetv2_features_dp") {
      progress("mobilenetv2_features_dp")
      results.append(try features(folder: folder, limit: limit, group: group))
    }
    return results
  }

  /// One fine-tuning step of ResNet-18 at 224×224 (SGD with momentum), the global batch split
  /// across ranks: forward and backward on this rank's share, then the bucketed all-reduce of
  /// all 11.7 M gradients (`ProcessGroup.allReduceSum`, as `Trainer` does), then the step.
  static func resnet18Step(steps: Int, globalBatch: Int, group: any ProcessGroup) -> [BenchmarkResult] {
    var g = Generator(seed: 1)
    let model = ResNet(.resnet18, classCount: 1000, using: &g)
    model.train()
    let share = BatchSampler.shard(Array(0..<globalBatch), rank: group.rank, of: group.size)
    let x = Tensor.randomNormal([share.count, 3, 224, 224], using: &g)
    let labels = share.map { $0 * 37 % 1000 }
    let optimizer = SGD(model.parameters(), learningRate: 1e-3, momentum: 0.9)
    var stepTimes: [Double] = [], reduceTimes: [Double] = []
    for i in 0...steps {  // iteration 0 warms up
      group.barrier()
      let t0 = Stopwatch.now()
      optimizer.zeroGradients()
      if !share.isEmpty { crossEntropy(logits: model.logits(x), labels: labels).backward() }
      let parameters = optimizer.parameters
      for p in parameters where p.grad == nil { p.grad = Tensor.zeros(p.shape) }
      let t1 = Stopwatch.now()
      group.allReduceSum(parameters.compactMap(\.grad))
      let t2 = Stopwatch.now()
      optimizer.step()
      group.barrier()
      let t3 = Stopwatch.now()
      if i > 0 { stepTimes.append(t3 - t0); reduceTimes.append(t2 - t1) }
    }
    let step = median(stepTimes), reduce = median(reduceTimes)
    return [
      BenchmarkResult(name: "resnet18_step_dp", value: Double(globalBatch) / step, unit: "images/s", seconds: step,
                      iterations: steps),
      BenchmarkResult(name: "resnet18_step_dp_allreduce", value: reduce * 1000, unit: "ms/step", seconds: reduce,
                      iterations: steps),
    ]
  }

  /// Frozen MobileNetV2 features (1,280 per image) of up to `limit` PNG files of `folder` (searched
  /// recursively), decoded and resized to 224×224 with ImageNet statistics, batch 16: each rank
  /// takes its contiguous share, the features are all-gathered in file order. Timed once, from a
  /// barrier to the end of the gather.
  static func features(folder: String?, limit: Int, group: any ProcessGroup) throws -> BenchmarkResult {
    let (files, cleanup): ([String], () -> Void)
    if let folder {
      files = Array(try pngFilesRecursively(folder).prefix(limit))
      cleanup = {}
    } else {
      (files, cleanup) = try VisionBenchmarks.pngFiles(nil)
    }
    defer { cleanup() }
    var g = Generator(seed: 1)
    let model = MobileNetV2(classCount: 1000, using: &g)
    model.eval()
    let preprocessing = ImageFolder.Preprocessing(width: 224, height: 224)
    let share = Array(BatchSampler.shard(Array(files.indices), rank: group.rank, of: group.size))
    group.barrier()
    let t0 = Stopwatch.now()
    var local: [Float] = []
    for start in stride(from: 0, to: share.count, by: 16) {
      let batch = try share[start..<min(start + 16, share.count)].map { preprocessing.apply(to: try PNGDecoder.decode(at: files[$0])) }
      let f = withoutGradients { model.features(stackInputs(batch)) }
      local += Array(UnsafeBufferPointer(start: f.data, count: f.count))
    }
    let gathered = group.allGather(local.withUnsafeBytes { Array($0) })
    let t = Stopwatch.now() - t0
    let total = gathered.reduce(0) { $0 + $1.count } / MemoryLayout<Float>.stride
    precondition(total == files.count * 1280, "mobilenetv2_features_dp: \(total) features for \(files.count) files")
    return BenchmarkResult(name: "mobilenetv2_features_dp", value: Double(files.count) / t, unit: "images/s", seconds: t,
                           iterations: 1)
  }

  static func pngFilesRecursively(_ folder: String) throws -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: folder) else {
      throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: folder])
    }
    return walker.compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".png") }.sorted().map { folder + "/" + $0 }
  }

  static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
  }
}
