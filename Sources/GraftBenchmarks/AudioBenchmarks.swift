import Foundation
import GraftAudio
import GraftCore

/// `graft bench audio`: spectrogram front end and decoding; the AudioSet bases end to end.
public enum AudioBenchmarks {
  public static let names = ["stft_power_10min", "logmel_10min", "decode_wav", "decode_flac", "decode_folder",
                             "mn04_embed_100x5s", "yamnet_scores_10min"]

  /// The AudioSet-base benchmarks' inputs; each runs only when its files are given.
  public struct Bases {
    /// EfficientAT's `mn04_as_mAP_432.pt` and a folder whose first `clipCount` files (by name) are
    /// embedded (`mn04_embed_100x5s`).
    public var mn04: String?
    public var clips: String?
    public var clipCount = 100
    /// `yamnet.tflite` and the (10-minute) file it scores (`yamnet_scores_10min`).
    public var yamnet: String?
    public var longAudio: String?
    public init(mn04: String? = nil, clips: String? = nil, yamnet: String? = nil, longAudio: String? = nil) {
      self.mn04 = mn04
      self.clips = clips
      self.yamnet = yamnet
      self.longAudio = longAudio
    }
  }

  /// The spectrogram figures use 10 minutes of generated 16 kHz audio (a chirp plus
  /// noise); the decode figures decode the files given (the peer decodes the same ones).
  public static func run(budget: Double, wav: String?, flac: String?, folder: String?, bases: Bases = Bases(),
                         filter: (String) -> Bool, progress: (String) -> Void = { _ in }) throws -> [BenchmarkResult] {
    var results: [BenchmarkResult] = []
    if filter("stft_power_10min") || filter("logmel_10min") {
      let signal = tenMinutes()
      let stft = STFT(nFFT: 512, hopLength: 160, window: .hann, center: true, padMode: .constant)
      let mel = MelFilterbank(sampleRate: 16_000, nFFT: 512, nMels: 64)
      if filter("stft_power_10min") {
        progress("stft_power_10min")
        var failure: SpectrogramError?
        let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
          do { _ = try stft.spectrogram(signal, power: 2) } catch let error as SpectrogramError { failure = error } catch {}
        }
        if let failure { throw failure }
        results.append(BenchmarkResult(name: "stft_power_10min", value: t, unit: "s", seconds: t, iterations: n))
      }
      if filter("logmel_10min") {
        progress("logmel_10min")
        var failure: SpectrogramError?
        let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
          do { _ = powerToDB(try stft.melSpectrogram(signal, power: 2, filterbank: mel)) } catch let error as SpectrogramError { failure = error } catch {}
        }
        if let failure { throw failure }
        results.append(BenchmarkResult(name: "logmel_10min", value: t, unit: "s", seconds: t, iterations: n))
      }
    }
    for (name, path) in [("decode_wav", wav), ("decode_flac", flac)] where filter(name) {
      guard let path else { continue }
      progress(name)
      results.append(try decodeFiles([path], name: name, budget: budget))
    }
    if filter("decode_folder"), let folder {
      progress("decode_folder")
      let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map { folder + "/" + $0 }
      results.append(try decodeFiles(files, name: "decode_folder", budget: budget))
    }
    if filter("mn04_embed_100x5s"), let weights = bases.mn04, let clips = bases.clips {
      progress("mn04_embed_100x5s")
      let files = try FileManager.default.contentsOfDirectory(atPath: clips).sorted().prefix(bases.clipCount)
        .map { clips + "/" + $0 }
      results.append(try mn04Embeddings(weights: weights, files: files, budget: budget))
    }
    if filter("yamnet_scores_10min"), let weights = bases.yamnet, let file = bases.longAudio {
      progress("yamnet_scores_10min")
      results.append(try yamnetScores(weights: weights, file: file, budget: budget))
    }
    return results
  }

  /// mn04's 384-d embedding of each file, one file after another as `AudioSetTagger` runs a clip:
  /// decode, torchaudio's sinc resampling to 32 kHz, EfficientAT's front end, the network to its
  /// pooled features (the peer, `Tools/peers/mn04_torch.py`, does the same with EfficientAT's code).
  static func mn04Embeddings(weights: String, files: [String], budget: Double) throws -> BenchmarkResult {
    var g = Generator(seed: 0)
    let mn04 = MN(classCount: nil, using: &g)
    try mn04.load(try PyTorchCheckpoint.read(weights).tensors.filter { !$0.key.hasPrefix("classifier.") }, strict: true)
    mn04.eval()
    let frontEnd = EfficientATFrontEnd()
    var failure: PreprocessingError?
    let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
      for file in files {
        do {
          let x = try frontEnd.melInput(file: file)
          _ = withoutGradients { mn04.features(x) }
        } catch let error as PreprocessingError { failure = error } catch {}
      }
    }
    if let failure { throw failure }
    return BenchmarkResult(name: "mn04_embed_100x5s", value: Double(files.count) / t, unit: "clips/s", seconds: t,
                           iterations: n)
  }

  /// YAMNet's 521 scores of every 0.96 s patch (0.48 s apart) of a file: decode, YAMNet's front
  /// end, the network in batches of `batch` patches (the peer, `Tools/peers/yamnet_tflite.py
  /// --file`, runs `yamnet.tflite`, whose graph holds the same front end, window by window).
  static func yamnetScores(weights: String, file: String, budget: Double, batch: Int = 8) throws -> BenchmarkResult {
    let yamnet = try YAMNet.load(tflite: weights)
    yamnet.eval()
    var failure: PreprocessingError?
    let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
      do {
        let patches = try LogMelFrontEnd.yamnet.patches(file: file).tensor
        withoutGradients {
          for start in stride(from: 0, to: patches.shape[0], by: batch) {
            _ = yamnet.scores(patches.slice(axis: 0, start: start, count: min(batch, patches.shape[0] - start)))
          }
        }
      } catch let error as PreprocessingError { failure = error } catch {}
    }
    if let failure { throw failure }
    return BenchmarkResult(name: "yamnet_scores_10min", value: t, unit: "s", seconds: t, iterations: n)
  }

  /// Decodes every file to Float32 per iteration, files split across threads.
  static func decodeFiles(_ files: [String], name: String, budget: Double) throws -> BenchmarkResult {
    var failure: AudioError?
    let (t, n) = Stopwatch.median(warmup: 1, minIterations: 3, budget: budget) {
      Kernels.parallelRanges(files.count, grain: 1) { range in
        for i in range {
          do { _ = try decodeAudio(at: files[i]) } catch let error as AudioError { failure = error } catch {}
        }
      }
    }
    if let failure { throw failure }
    return BenchmarkResult(name: name, value: t, unit: "s", seconds: t, iterations: n)
  }

  /// 10 minutes at 16 kHz: a repeating 1 s chirp from 100 Hz to 4 kHz plus seeded noise.
  static func tenMinutes() -> [Float] {
    var g = Generator(seed: 9)
    let n = 16_000 * 600
    var y = [Float](repeating: 0, count: n)
    for i in 0..<n {
      let t = Double(i % 16_000) / 16_000
      let phase = 2 * Double.pi * (100 * t + 0.5 * 3_900 * t * t)
      y[i] = Float(0.5 * sin(phase)) + 0.05 * g.uniform(-1, 1)
    }
    return y
  }
}
