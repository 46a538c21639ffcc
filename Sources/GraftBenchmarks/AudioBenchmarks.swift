import Foundation
import GraftAudio
import GraftCore

/// `graft bench audio`: spectrogram front end and decoding.
public enum AudioBenchmarks {
  public static let names = ["stft_power_10min", "logmel_10min", "decode_wav", "decode_flac", "decode_folder"]

  /// The spectrogram figures use 10 minutes of generated 16 kHz audio (a chirp plus
  /// noise); the decode figures decode the files given (the peer decodes the same ones).
  public static func run(budget: Double, wav: String?, flac: String?, folder: String?, filter: (String) -> Bool,
                         progress: (String) -> Void = { _ in }) throws -> [BenchmarkResult] {
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
    return results
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
