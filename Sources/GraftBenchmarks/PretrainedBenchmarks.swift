import Foundation
import GraftCore
import GraftVision

/// `graft bench vision`'s pretrained-base figures (issue 13 §7): feature extraction of a PNG
/// folder through MobileNetV2 as `vision train` runs it, and reading weights files.
public enum PretrainedBenchmarks {
  public static let names = ["mobilenetv2_features_folder", "load_weights"]
  /// Rows per forward pass of the base, as the cached-feature path (`TransferRecipe`) runs it.
  static let chunk = 4

  /// PNG files as a dataset: decoded and preprocessed on the loader's thread, as in training.
  struct PNGFiles: Dataset {
    let files: [String]
    let preprocessing: ImageFolder.Preprocessing
    var count: Int { files.count }
    func example(at index: Int) throws -> LabeledTensor {
      LabeledTensor(input: preprocessing.apply(to: try PNGDecoder.decode(at: files[index])), label: 0)
    }
  }

  /// Pooled 1,280-d MobileNetV2 features of every PNG file under `folder` (recursively; up to
  /// `limit`), or of 64 generated 224×224 images: decode, resize to 224×224, normalise, forward,
  /// batches of 32 decoded on the loader's background thread while the base runs on chunks of 4 —
  /// the path of `graft vision train`'s feature cache. `base` (a weights file, e.g. the ImageNet `.tflite`)
  /// gives the weights and the stated preprocessing; without it, random weights and ImageNet's
  /// statistics (the same arithmetic). One timed pass over the files after a warm-up batch.
  public static func features(folder: String?, limit: Int, base: String?) throws -> BenchmarkResult {
    let (files, cleanup): ([String], () -> Void)
    if let folder {
      files = Array(try DistributedBenchmarks.pngFilesRecursively(folder).prefix(limit))
      cleanup = {}
    } else {
      (files, cleanup) = try VisionBenchmarks.pngFiles(nil)
    }
    defer { cleanup() }
    let network: any FeatureExtractor
    var preprocessing = ImageFolder.Preprocessing(width: 224, height: 224)
    if let base {
      let source = BaseSource.weights(base)
      let loaded = try ImageClassifier.load(source)
      network = loaded.network
      preprocessing = try ImageClassifier.preprocessing(for: loaded, source: source)
    } else {
      var g = Generator(seed: 1)
      network = MobileNetV2(using: &g)
    }
    network.eval()
    let loader = DataLoader(PNGFiles(files: files, preprocessing: preprocessing),
                            sampler: BatchSampler(count: files.count, batchSize: 32, order: .sequential))
    _ = withoutGradients { network.features(try! loader.dataset.example(at: 0).input.unsqueezed(0)) }  // warm-up
    let t0 = Stopwatch.now()
    var rows = 0
    for batch in loader.batches(epoch: 0, shard: nil) {
      let f = network.features(batch.inputs, chunk: PretrainedBenchmarks.chunk)
      rows += f.shape[0]
    }
    let t = Stopwatch.now() - t0
    precondition(rows == files.count, "mobilenetv2_features_folder: \(rows) rows for \(files.count) files")
    return BenchmarkResult(name: "mobilenetv2_features_folder", value: Double(files.count) / t, unit: "images/s",
                           seconds: t, iterations: 1)
  }

  /// Reads each weights file into float32 tensors (a `torch.save` zip through
  /// `PyTorchCheckpoint`, safetensors through `SafeTensors`, a `.tflite` through its mapper):
  /// the median of at least 3 reads, as MB/s of the file. Peak RSS is the process's
  /// (`peak_rss_mb` in the JSON): run it alone (`--filter load_weights`) to read it.
  public static func load(_ paths: [String], budget: Double) throws -> [BenchmarkResult] {
    try paths.map { path in
      let format = try WeightsFormat.detect(path)
      var failure: (any Error)?
      let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
        do {
          switch format {
          case .pytorch: _ = try PyTorchCheckpoint.read(path)
          case .safetensors: _ = try SafeTensors.read(path)
          default: _ = try BaseSource.readWeights(path)
          }
        } catch { failure = error }
      }
      if let failure { throw failure }
      let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
      let name = "load_" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension
      return BenchmarkResult(name: name, value: Double(bytes) / 1e6 / t, unit: "MB/s", seconds: t, iterations: n)
    }
  }
}
