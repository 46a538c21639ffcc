import ArgumentParser
import GraftBenchmarks
import GraftCore

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Run benchmarks and print their figures.",
    discussion: """
      Build in release first (`make bench` does). Figures and how they compare with \
      PyTorch and the other peers are recorded in docs/BENCHMARKS.md.

      Examples:
        graft bench core --json
        graft bench core --filter sgemm_1024 --filter add_16M --budget 3
        graft bench vision --json --png-dir /tmp/pngs
        graft bench text --text-file reviews.txt
        graft bench audio --wav long.wav --flac long.flac
        mpirun -np 2 -x GRAFT_NUM_THREADS=1 graft bench distributed --folder photos/
      """,
    subcommands: [BenchCore.self, BenchVision.self, BenchText.self, BenchAudio.self, BenchDistributed.self])
}

/// The options every `graft bench` command shares.
struct BenchOptions: ParsableArguments {
  @Flag(help: "Print JSON: {\"machine\": {...}, \"benchmarks\": [{\"name\", \"value\", \"unit\", ...}], \"peak_rss_mb\"}.")
  var json = false

  @Option(help: ArgumentHelp("Run only this benchmark (repeatable).", valueName: "name"))
  var filter: [String] = []

  @Option(help: "Seconds of timed runs per benchmark; the median is reported (default: 1 for core, 3 otherwise).")
  var budget: Double?

  /// Rejects unknown names and a non-positive budget (usage errors, exit 2).
  func validate(known names: [String]) throws {
    let unknown = filter.filter { !names.contains($0) }
    if !unknown.isEmpty {
      throw ValidationError("unknown benchmark \(unknown.joined(separator: ", ")); known: \(names.joined(separator: ", "))")
    }
    if let budget, !(budget > 0) { throw ValidationError("--budget must be positive") }
  }

  func selected(_ name: String) -> Bool { filter.isEmpty || filter.contains(name) }

  func progress(_ name: String) { if !json && ProcessGroups.isLeader { Console.writeError("running \(name)…\n") } }

  func print(_ results: [BenchmarkResult]) throws { try BenchOutput.print(results, json: json) }
}

struct BenchCore: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "core",
    abstract: "Tensor-core throughput: GEMM, 3×3 convolution, elementwise add, small CNN, feature cache.",
    discussion: """
      Examples:
        graft bench core --json
        GRAFT_NUM_THREADS=1 graft bench core --filter sgemm_1024 --budget 3
      """)

  @OptionGroup var options: BenchOptions

  func validate() throws { try options.validate(known: CoreBenchmarks.names) }

  func run() throws {
    try options.print(CoreBenchmarks.run(budget: options.budget ?? 1, filter: options.selected, progress: options.progress))
  }
}

struct BenchVision: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vision",
    abstract: "PNG decoding (one thread and all threads) and ResNet-18 / MobileNetV2 at 224×224, batch 16.",
    discussion: """
      Examples:
        graft bench vision --json
        graft bench vision --filter png_decode_224 --png-dir photos/
        graft bench vision --filter mobilenetv2_features_folder --folder cifar/test \
          --base mobilenet_v2_1.0_224_quant.tflite --json
        graft bench vision --filter load_weights --weights mn04_as_mAP_432.pt --weights resnet18.pth --json
      """)

  @OptionGroup var options: BenchOptions

  @Option(help: ArgumentHelp("Decode the PNG files of this folder (default: 64 generated 224×224 RGB images).", valueName: "dir"))
  var pngDir: String?

  @Option(help: ArgumentHelp("mobilenetv2_features_folder: the PNG files under this folder, recursively (default: 64 generated images).", valueName: "dir"))
  var folder: String?

  @Option(help: ArgumentHelp("mobilenetv2_features_folder: at most this many files of --folder.", valueName: "n"))
  var limit = 1000

  @Option(help: ArgumentHelp("mobilenetv2_features_folder: a MobileNetV2 weights file (its weights and stated input; default: random weights, ImageNet statistics).", valueName: "file"))
  var base: String?

  @Option(help: ArgumentHelp("load_weights: a weights file to read (.pt/.pth, .safetensors, .tflite); repeatable.", valueName: "file"))
  var weights: [String] = []

  func validate() throws {
    try options.validate(known: VisionBenchmarks.names + PretrainedBenchmarks.names)
    if limit < 1 { throw ValidationError("--limit must be positive") }
  }

  func run() throws {
    var results = try VisionBenchmarks.run(budget: options.budget ?? 3, pngDirectory: pngDir, filter: options.selected,
                                           progress: options.progress)
    if options.selected("mobilenetv2_features_folder") {
      options.progress("mobilenetv2_features_folder")
      results.append(try PretrainedBenchmarks.features(folder: folder, limit: limit, base: base))
    }
    if options.selected("load_weights") && !weights.isEmpty {
      options.progress("load_weights")
      results += try PretrainedBenchmarks.load(weights, budget: options.budget ?? 3)
    }
    try options.print(results)
  }
}

struct BenchText: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "text",
    abstract: "Tokenizer MB/s (single thread, full Unicode rules) and the LSTM classifier step (batch 32, 100 tokens).",
    discussion: """
      Examples:
        graft bench text --json
        graft bench text --save-text /tmp/text.txt && graft bench text --text-file /tmp/text.txt
      """)

  @OptionGroup var options: BenchOptions

  @Option(help: ArgumentHelp("Tokenize this UTF-8 file (default: 20 MB of generated review-like text).", valueName: "file"))
  var textFile: String?

  @Option(help: ArgumentHelp("Write the generated 20 MB text to this file and exit (for the peer scripts).", valueName: "file"))
  var saveText: String?

  func validate() throws { try options.validate(known: TextBenchmarks.names) }

  func run() throws {
    if let saveText {
      try AtomicFile.write(Array(TextBenchmarks.generatedText(bytes: 20 << 20).utf8), to: saveText)
      return
    }
    try options.print(TextBenchmarks.run(budget: options.budget ?? 3, textFile: textFile, filter: options.selected,
                                         progress: options.progress))
  }
}

struct BenchAudio: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audio",
    abstract: "Log-mel and STFT of 10 minutes of 16 kHz audio; decoding of given files and folders; the AudioSet bases end to end.",
    discussion: """
      mn04_embed_100x5s (clips/s) embeds the first 100 files of --clips with --mn04; \
      yamnet_scores_10min (s) scores every patch of --long-audio with --yamnet. Each runs only \
      when its files are given; Tools/peers/mn04_torch.py and yamnet_tflite.py are their peers.

      Examples:
        graft bench audio --json
        graft bench audio --wav long.wav --flac long.flac --folder clips/
        graft bench audio --filter mn04_embed_100x5s --mn04 mn04_as_mAP_432.pt --clips esc50/
        graft bench audio --filter yamnet_scores_10min --yamnet yamnet.tflite --long-audio ten_minutes.wav
      """)

  @OptionGroup var options: BenchOptions

  @Option(help: ArgumentHelp("Decode this WAV file for decode_wav.", valueName: "file"))
  var wav: String?

  @Option(help: ArgumentHelp("Decode this FLAC file for decode_flac.", valueName: "file"))
  var flac: String?

  @Option(help: ArgumentHelp("Decode every file of this folder, across threads, for decode_folder.", valueName: "dir"))
  var folder: String?

  @Option(help: ArgumentHelp("EfficientAT's mn04_as_mAP_432.pt, for mn04_embed_100x5s.", valueName: "file"))
  var mn04: String?

  @Option(help: ArgumentHelp("Embed the first 100 files (by name) of this folder, for mn04_embed_100x5s.", valueName: "dir"))
  var clips: String?

  @Option(help: ArgumentHelp("yamnet.tflite, for yamnet_scores_10min.", valueName: "file"))
  var yamnet: String?

  @Option(help: ArgumentHelp("Score every YAMNet patch of this (10-minute) file, for yamnet_scores_10min.", valueName: "file"))
  var longAudio: String?

  func validate() throws { try options.validate(known: AudioBenchmarks.names) }

  func run() throws {
    let bases = AudioBenchmarks.Bases(mn04: mn04, clips: clips, yamnet: yamnet, longAudio: longAudio)
    try options.print(AudioBenchmarks.run(budget: options.budget ?? 3, wav: wav, flac: flac, folder: folder, bases: bases,
                                          filter: options.selected, progress: options.progress))
  }
}

struct BenchDistributed: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "distributed",
    abstract: "Data-parallel paths, alone or under mpirun: a ResNet-18 fine-tuning step (all-reduce timed apart) and MobileNetV2 feature extraction of a PNG folder.",
    discussion: """
      Every rank runs the same fixed number of steps (--budget is not used); rank 0 prints the \
      median. Compare one process with N threads against N processes of one thread each:

        GRAFT_NUM_THREADS=2 graft bench distributed --folder photos/ --json
        mpirun -np 2 -x GRAFT_NUM_THREADS=1 graft bench distributed --folder photos/ --json
      """)

  @OptionGroup var options: BenchOptions

  @Option(help: "Timed fine-tuning steps (after one warm-up step).")
  var steps: Int = 5

  @Option(name: .customLong("batch-size"), help: "Global batch of the fine-tuning step, split across ranks.")
  var batchSize: Int = 16

  @Option(help: ArgumentHelp("PNG files (searched recursively) for feature extraction (default: 64 generated 224×224 images).", valueName: "dir"))
  var folder: String?

  @Option(help: "At most this many files of --folder.")
  var limit: Int = 1000

  func validate() throws {
    try options.validate(known: DistributedBenchmarks.names)
    if steps < 1 || batchSize < 1 || limit < 1 { throw ValidationError("--steps, --batch-size and --limit must be positive") }
  }

  func run() throws {
    try options.print(DistributedBenchmarks.run(steps: steps, globalBatch: batchSize, folder: folder, limit: limit,
                                                filter: options.selected, progress: options.progress))
  }
}
