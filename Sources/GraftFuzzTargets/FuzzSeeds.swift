import CSndFile
import Foundation
import GraftAudio
import GraftCore
import GraftText
import GraftVision

/// Small valid inputs for each target, made in code (deterministic), so corpora and the fuzz
/// smoke test need nothing outside the repository.
enum FuzzSeeds {
  /// Gray, gray+alpha, RGB and RGBA images of a few pixels.
  static func png() -> [[UInt8]] {
    (1...4).compactMap { channels in
      let (w, h) = (3 + channels, 2 + channels % 3)
      let samples = (0..<(w * h * channels)).map { UInt8(truncatingIfNeeded: $0 * 37 + channels) }
      return try? PNGEncoder.encode(Image(width: w, height: h, channels: channels, samples: samples))
    }
  }

  /// A short tone in each container and encoding libsndfile writes here.
  static func audio() -> [[UInt8]] {
    let formats: [(Int32, Int32)] = [
      (SF_FORMAT_WAV, SF_FORMAT_PCM_16), (SF_FORMAT_WAV, SF_FORMAT_FLOAT), (SF_FORMAT_WAV, SF_FORMAT_IMA_ADPCM),
      (SF_FORMAT_WAV, SF_FORMAT_ULAW), (SF_FORMAT_AIFF, SF_FORMAT_PCM_24), (SF_FORMAT_AU, SF_FORMAT_ALAW),
      (SF_FORMAT_FLAC, SF_FORMAT_PCM_16), (SF_FORMAT_OGG, SF_FORMAT_VORBIS), (SF_FORMAT_OGG, SF_FORMAT_OPUS),
      (SF_FORMAT_CAF, SF_FORMAT_ALAC_16), (SF_FORMAT_W64, SF_FORMAT_PCM_U8), (SF_FORMAT_RF64, SF_FORMAT_DOUBLE),
    ].map { (Int32($0.0), Int32($0.1)) }
    let frames = 600
    let tone = (0..<(frames * 2)).map { Float(0.5 * sin(Double($0) * 0.05)) }
    return formats.enumerated().compactMap { (i, format) in
      let path = ScratchFile.directory + "/seed-\(i).audio"
      defer { unlink(path) }
      var info = SF_INFO()
      info.samplerate = format.0 == Int32(SF_FORMAT_OGG) && format.1 == Int32(SF_FORMAT_OPUS) ? 48000 : 8000
      info.channels = 2
      info.format = format.0 | format.1
      guard let file = sf_open(path, Int32(SFM_WRITE), &info) else { return nil }
      _ = sf_writef_float(file, tone, sf_count_t(frames))
      sf_close(file)
      return (try? Data(contentsOf: URL(fileURLWithPath: path))).map { [UInt8]($0) }
    }
  }

  /// Words in NFC and NFD, a word with U+00A0, a repeat; the layout of `format`.
  static func embeddings(_ format: EmbeddingFormat) -> [[UInt8]] {
    let words = ["the", "caf\u{E9}", "cafe\u{301}", "a\u{A0}b", "\u{65E5}\u{672C}", "the"]
    let values: [[Float]] = words.indices.map { i in [Float(i) * 0.5, -1.25, 3e-5, Float(i) - 2.75] }
    switch format {
    case .word2vecBinary:
      var bytes = Array("\(words.count) 4\n".utf8)
      for (word, row) in zip(words, values) {
        bytes += Array(word.utf8) + [0x20]
        for v in row { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
        bytes.append(0x0A)
      }
      return [bytes]
    case .word2vecText, .fasttext, .glove:
      let lines = zip(words, values).map { word, row in
        word + " " + row.map { "\($0)" }.joined(separator: " ") + (format == .fasttext ? " " : "")
      }
      let header = format == .glove ? "" : "\(words.count) 4\n"
      return [Array((header + lines.joined(separator: "\n") + "\n").utf8), Array((header + "x nan inf -1e-45 1e39\n").utf8)]
    }
  }

  /// The committed TFLite sample (Tests/GraftCoreTests/Fixtures/tflite/sample.tflite: every tensor
  /// type, quantization layout and options table the reader decodes, and an external buffer).
  static func tflite() -> [[UInt8]] {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Tests/GraftCoreTests/Fixtures/tflite/sample.tflite").path
    return FileManager.default.contents(atPath: path).map { [[UInt8]($0)] } ?? []
  }

  /// The committed `torch.save` fixtures (Tests/GraftCoreTests/Fixtures/pytorch, made by
  /// Tools/fixtures/pytorch_checkpoints.py), found from this file's place in the repository.
  static func pytorch() -> [[UInt8]] {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Tests/GraftCoreTests/Fixtures/pytorch").path
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".pt") }.sorted()
    return names.compactMap { FileManager.default.contents(atPath: dir + "/" + $0).map { [UInt8]($0) } }
  }

  /// Float32 tensors (one empty) with metadata.
  static func safetensors() -> [[UInt8]] {
    let path = ScratchFile.directory + "/seed.safetensors"
    defer { unlink(path) }
    let tensors = ["a.weight": Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6]), "b": Tensor(shape: [0, 4], []),
                   "c": Tensor(shape: [], [7])]
    guard (try? SafeTensors.write(tensors, metadata: ["format": "pt"], to: path)) != nil,
          let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return [] }
    return [[UInt8](data)]
  }

  /// Arrays of several dtypes, ranks and byte orders, header versions 1.0 and 2.0.
  static func npy() -> [[UInt8]] {
    /// A file with `header` padded as NumPy pads it, then `data`.
    func file(_ header: String, _ data: [UInt8], version: UInt8 = 1) -> [UInt8] {
      var text = Array(header.utf8)
      let prefix = 8 + (version == 1 ? 2 : 4)
      let total = (prefix + text.count + 1 + 63) / 64 * 64
      text += [UInt8](repeating: 0x20, count: total - prefix - text.count - 1) + [0x0A]
      let length = version == 1 ? withUnsafeBytes(of: UInt16(text.count).littleEndian, Array.init)
        : withUnsafeBytes(of: UInt32(text.count).littleEndian, Array.init)
      return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + data
    }
    return [
      NPY.encode(NPYArray(Tensor(shape: [2, 3], [1, 2, 3, 4, 5, 6]))),
      NPY.encode(NPYArray(pixels: [UInt8]([1, 2, 3, 4]), shape: [2, 2, 1])),
      NPY.encode(NPYArray(pixels: [UInt16(1), 65535], shape: [2])),
      NPY.encode(NPYArray(Tensor(shape: [], [3.5]))),
      file("{'descr': '>f8', 'fortran_order': True, 'shape': (2, 1), }", [UInt8](repeating: 0x3F, count: 16), version: 2),
      file("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }", [UInt8](repeating: 0xFF, count: 24)),
      file("{'descr': '|b1', 'fortran_order': False, 'shape': (0, 2), }", []),
    ]
  }

  /// One config.json per modality, as the classifiers write them.
  static func bundleConfigs() -> [[UInt8]] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let head: JSONValue = ["kind": "mlp", "hidden": 4, "dropout": 0.1]
    var generator = Generator(seed: 1)
    func classifier(_ channels: Int) -> ArchitectureSpec {
      ArchitectureSpec(name: "classifier", hyperparameters: [
        "base": SmallCNN(inputChannels: channels, widths: [4, 8], using: &generator).architecture.json, "head": head, "classes": 2,
      ])
    }
    let text = TextClassifier(
      model: LSTMClassifier(LSTMClassifierConfig(vocabularySize: 5, embeddingDimension: 3, hiddenSize: 2, classCount: 2)),
      preprocessing: TextPreprocessing(tokenizer: Tokenizer(), vocabulary: Vocabulary(words: ["a", "caf\u{E9}", "cafe\u{301}"]),
                                       maxLength: 8),
      labels: ["neg", "pos"]).bundle.config
    let configs = [
      ModelBundle.Config(modality: "vision", architecture: classifier(3), labels: ["cat", "dog"],
                         preprocessing: ImageFolder.Preprocessing(width: 8, height: 8).json),
      text,
      ModelBundle.Config(modality: "audio", architecture: classifier(1), labels: ["cough", "speech"],
                         preprocessing: SoundClassifier.Preprocessing(
                           frontEnd: LogMelFrontEnd(nMels: 16, patchFrames: 16), aggregation: .mean, positiveLabel: "cough",
                           threshold: 0.5, thresholdCriterion: nil, eventHopFrames: 4).json),
    ]
    return configs.compactMap { try? encoder.encode($0) }.map { [UInt8]($0) }
  }

  /// Labelled texts (a header, quotes, an embedded separator and newline) and an audio clip list.
  static func table(separator s: String) -> [[UInt8]] {
    [
      Array("text\(s)label\n\"a good, \"\"fine\"\" film\"\(s)pos\nawful\(s)neg\n\"two\nlines\"\(s)caf\u{E9}\n".utf8),
      Array("file\(s)label\(s)fold\nx.wav\(s)dog\(s)1\nsub/y.flac\(s)cat\(s)2\n".utf8),
      Array("great\(s)1\nbad\(s)0\n".utf8),
    ]
  }
}
