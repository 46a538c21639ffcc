import ArgumentParser
import GraftAudio
import GraftCore
import GraftText
import GraftVision

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run benchmarks and print their figures.",
    discussion: """
      Build in release first (`make bench` does). Figures and how they compare with
      PyTorch are recorded in docs/BENCHMARKS.md.

      Examples:
        graft bench core --json
        graft bench core --filter sgemm_1024 --filter add_16M --budget 3
        graft bench vision --json --png-dir /tmp/pngs
      """,
    subcommands: [BenchCore.self, BenchVision.self, BenchText.self, BenchAudio.self])
}

struct BenchCore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "core",
    abstract: "Tensor-core throughput: GEMM, 3×3 convolution, elementwise add.")

  @Flag(help: "Print JSON: {\"machine\": {...}, \"benchmarks\": [{\"name\", \"value\", \"unit\", ...}]}.")
  var json = false

  @Option(help: ArgumentHelp("Run only this benchmark (repeatable).", valueName: "name"))
  var filter: [String] = []

  @Option(help: "Seconds of timed runs per benchmark (the median is reported).")
  var budget: Double = 1.0

  func validate() throws {
    let unknown = filter.filter { !CoreBenchmarks.names.contains($0) }
    if !unknown.isEmpty {
      throw ValidationError("unknown benchmark \(unknown.joined(separator: ", ")); known: \(CoreBenchmarks.names.joined(separator: ", "))")
    }
    if !(budget > 0) { throw ValidationError("--budget must be positive") }
  }

  func run() throws {
    let results = CoreBenchmarks.run(budget: budget, filter: { filter.isEmpty || filter.contains($0) }) { name in
      if !json { Console.writeError("running \(name)…\n") }
    }
    try BenchOutput.print(results, json: json)
  }
}

struct BenchVision: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vision",
    abstract: "PNG decoding (one thread and all threads) and ResNet-18 / MobileNetV2 at 224×224, batch 16.")

  @Flag(help: "Print JSON in the same shape as `graft bench core --json`.")
  var json = false

  @Option(help: ArgumentHelp("Run only this benchmark (repeatable).", valueName: "name"))
  var filter: [String] = []

  @Option(help: "Seconds of timed runs per benchmark (the median is reported).")
  var budget: Double = 3.0

  @Option(help: ArgumentHelp("Decode the PNG files of this folder (default: 64 generated 224×224 RGB images).", valueName: "dir"))
  var pngDir: String?

  func validate() throws {
    let unknown = filter.filter { !VisionBenchmarks.names.contains($0) }
    if !unknown.isEmpty {
      throw ValidationError("unknown benchmark \(unknown.joined(separator: ", ")); known: \(VisionBenchmarks.names.joined(separator: ", "))")
    }
    if !(budget > 0) { throw ValidationError("--budget must be positive") }
  }

  func run() throws {
    let results = try VisionBenchmarks.run(budget: budget, pngDirectory: pngDir,
                                           filter: { filter.isEmpty || filter.contains($0) }) { name in
      if !json { Console.writeError("running \(name)…\n") }
    }
    try BenchOutput.print(results, json: json)
  }
}

struct BenchText: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "text",
    abstract: "Tokenizer MB/s (single thread, full Unicode rules) and the LSTM classifier step (batch 32, 100 tokens).")

  @Flag(help: "Print JSON in the same shape as `graft bench core --json`.")
  var json = false

  @Option(help: ArgumentHelp("Run only this benchmark (repeatable).", valueName: "name"))
  var filter: [String] = []

  @Option(help: "Seconds of timed runs per benchmark (the median is reported).")
  var budget: Double = 3.0

  @Option(help: ArgumentHelp("Tokenize this UTF-8 file (default: 20 MB of generated review-like text).", valueName: "file"))
  var textFile: String?

  @Option(help: ArgumentHelp("Write the generated 20 MB text to this file and exit (for the peer scripts).", valueName: "file"))
  var saveText: String?

  func validate() throws {
    let unknown = filter.filter { !TextBenchmarks.names.contains($0) }
    if !unknown.isEmpty {
      throw ValidationError("unknown benchmark \(unknown.joined(separator: ", ")); known: \(TextBenchmarks.names.joined(separator: ", "))")
    }
    if !(budget > 0) { throw ValidationError("--budget must be positive") }
  }

  func run() throws {
    if let saveText {
      try AtomicFile.write(Array(TextBenchmarks.generatedText(bytes: 20 << 20).utf8), to: saveText)
      return
    }
    let results = try TextBenchmarks.run(budget: budget, textFile: textFile,
                                         filter: { filter.isEmpty || filter.contains($0) }) { name in
      if !json { Console.writeError("running \(name)…\n") }
    }
    try BenchOutput.print(results, json: json)
  }
}

struct BenchAudio: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audio",
    abstract: "Log-mel and STFT of 10 minutes of 16 kHz audio; decoding of given files and folders.")

  @Flag(help: "Print JSON in the same shape as `graft bench core --json`.")
  var json = false

  @Option(help: ArgumentHelp("Run only this benchmark (repeatable).", valueName: "name"))
  var filter: [String] = []

  @Option(help: "Seconds of timed runs per benchmark (the median is reported).")
  var budget: Double = 3.0

  @Option(help: ArgumentHelp("Decode this WAV file for decode_wav.", valueName: "file"))
  var wav: String?

  @Option(help: ArgumentHelp("Decode this FLAC file for decode_flac.", valueName: "file"))
  var flac: String?

  @Option(help: ArgumentHelp("Decode every file of this folder, across threads, for decode_folder.", valueName: "dir"))
  var folder: String?

  func validate() throws {
    let unknown = filter.filter { !AudioBenchmarks.names.contains($0) }
    if !unknown.isEmpty {
      throw ValidationError("unknown benchmark \(unknown.joined(separator: ", ")); known: \(AudioBenchmarks.names.joined(separator: ", "))")
    }
    if !(budget > 0) { throw ValidationError("--budget must be positive") }
  }

  func run() throws {
    let results = try AudioBenchmarks.run(budget: budget, wav: wav, flac: flac, folder: folder,
                                          filter: { filter.isEmpty || filter.contains($0) }) { name in
      if !json { Console.writeError("running \(name)…\n") }
    }
    try BenchOutput.print(results, json: json)
  }
}
