import Foundation
import GraftAudio
import GraftCore
import GraftText
import GraftVision

/// Every parser Graft runs on files it did not write. The PyTorch and TFLite readers join the
/// list as they land: one more `FuzzTarget` each.
public enum FuzzTargets {
  public static let all: [FuzzTarget] = [
    png, audio, word2vecBinary, word2vecText, glove, fasttext, safetensors, npy, bundleConfig, csv, tsv, pytorch, tflite,
  ]

  public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

  /// libpng through CPNG: the header alone, then a full decode. The last byte picks 8- or 16-bit
  /// samples and whether chunk CRCs are recomputed first: a mutated chunk otherwise nearly always
  /// stops at libpng's CRC check, so half the inputs reach the chunk parsers and the inflater.
  public static let png = FuzzTarget(
    name: "png", summary: "PNG decoder (libpng via CPNG)", seedExtensions: ["png"], seeds: FuzzSeeds.png
  ) { bytes in
    let flags = bytes.last ?? 0
    var input = Array(bytes)
    if flags & 2 == 0 { PNGChunks.fixCRCs(&input) }
    let path = input.withUnsafeBytes { ScratchFile.write($0, named: "input.png") }
    _ = try? PNGDecoder.info(at: path)
    return (try? PNGDecoder.decodeReportingWarnings(at: path, keep16: flags & 1 == 1)) != nil
  }

  /// libsndfile through AudioStream, every format it recognises from the bytes: the header, the
  /// whole file at once, and block by block.
  public static let audio = FuzzTarget(
    name: "audio", summary: "audio decoder (libsndfile: WAV, AIFF, AU, FLAC, Ogg Vorbis/Opus, CAF, W64, …)",
    seedExtensions: ["wav", "flac", "ogg", "aiff", "aif", "au", "caf", "w64", "opus", "mp3"], seeds: FuzzSeeds.audio
  ) { bytes in
    let path = ScratchFile.write(bytes, named: "input.audio")
    _ = try? AudioInfo.read(path)
    let whole = try? decodeAudio(at: path)
    if let stream = try? AudioStream(path: path, blockFrames: 4096) {
      while let block = try? stream.next(), block.frames > 0 {}
    }
    return whole != nil
  }

  static func embeddings(_ name: String, _ format: EmbeddingFormat, suffix: String, _ summary: String) -> FuzzTarget {
    FuzzTarget(name: name, summary: summary, seedExtensions: [suffix == ".bin" ? "bin" : "txt", "vec"],
               seeds: { FuzzSeeds.embeddings(format) }) { bytes in
      let path = ScratchFile.write(bytes, named: "input-\(name)" + suffix)
      // The first byte picks the options, so lenient loading, lowercasing and the duplicate
      // policies are fuzzed too; detection runs on every input.
      let flags = bytes.first ?? 0
      let options = EmbeddingLoadOptions(
        limit: flags & 0x40 != 0 ? Int(flags & 0x7) : nil,
        lowercase: [.none, .keepFirst, .average][Int(flags >> 1) % 3],
        unicodeErrors: [.strict, .replace, .ignore][Int(flags >> 3) % 3],
        duplicates: flags & 0x80 != 0 ? .keepLast : .keepFirst, lenient: flags & 1 == 1)
      _ = try? EmbeddingFormat.detect(path)
      return (try? EmbeddingTable.load(path, format: format, options: options)) != nil
    }
  }

  public static let word2vecBinary = embeddings("word2vec-binary", .word2vecBinary, suffix: ".bin", "word2vec binary")
  public static let word2vecText = embeddings("word2vec-text", .word2vecText, suffix: ".txt", "word2vec text")
  public static let glove = embeddings("glove", .glove, suffix: ".txt", "GloVe (headerless text)")
  public static let fasttext = embeddings("fasttext", .fasttext, suffix: ".vec", "fastText .vec")

  /// The safetensors reader (header JSON, layout checks, every dtype's decoding).
  public static let safetensors = FuzzTarget(
    name: "safetensors", summary: "safetensors reader", seedExtensions: ["safetensors"], seeds: FuzzSeeds.safetensors
  ) { bytes in
    let path = ScratchFile.write(bytes, named: "input.safetensors")
    return (try? SafeTensors.read(path)) != nil
  }

  /// The PyTorch checkpoint reader (zip container through libzip and the directory fast path,
  /// the restricted unpickler, tensor rebuilding), with and without checksum verification.
  public static let pytorch = FuzzTarget(
    name: "pytorch", summary: "PyTorch torch.save zip reader", seedExtensions: ["pt", "pth"], seeds: FuzzSeeds.pytorch
  ) { bytes in
    let path = ScratchFile.write(bytes, named: "input.pt")
    let accepted = (try? PyTorchCheckpoint.read(path)) != nil
    _ = try? PyTorchCheckpoint.read(path, verifyingChecksums: true)
    return accepted
  }

  /// The TFLite reader (FlatBuffer tables, vtables and vectors, every tensor type, quantization,
  /// operator options, buffers past the FlatBuffer), every constant tensor dequantized, and the
  /// MobileNetV2 mapping (which must refuse any graph that is not MobileNetV2's with a typed error).
  public static let tflite = FuzzTarget(
    name: "tflite", summary: "TFLite FlatBuffer reader", seedExtensions: ["tflite"], seeds: FuzzSeeds.tflite
  ) { bytes in
    guard let model = try? TFLiteModel(bytes: Array(bytes), path: "<fuzz>") else { return false }
    for (i, tensor) in model.tensors.enumerated() where tensor.count <= 1 << 22 {
      _ = try? model.dequantized(tensor: i)
    }
    let path = ScratchFile.write(bytes, named: "input.tflite")
    _ = try? MobileNetV2.tfliteWeights(path: path)
    return true
  }

  /// The .npy reader, in memory (header literal, dtypes, byte order), and the tensor conversion.
  public static let npy = FuzzTarget(
    name: "npy", summary: ".npy reader", seedExtensions: ["npy"], seeds: FuzzSeeds.npy
  ) { bytes in
    guard let array = try? NPY.decode(Array(bytes), path: "<fuzz>") else { return false }
    if array.count <= 1 << 20 { _ = array.toTensor() }
    return true
  }

  /// A bundle's config.json, through the loaders `graft … predict/evaluate` use: the bundle
  /// reader, then each modality's classifier (architecture, preprocessing, labels). The weights
  /// file is an empty safetensors, so a config that gets that far fails at the strict load; that
  /// failure counts as accepted (the whole config was read).
  public static let bundleConfig = FuzzTarget(
    name: "bundle-config", summary: "model bundle config.json (all three modalities)", seedExtensions: ["json"],
    seeds: FuzzSeeds.bundleConfigs
  ) { bytes in
    let dir = ScratchFile.bundleDirectory
    _ = ScratchFile.write(bytes, named: "bundle.graft/config.json")
    guard let bundle = try? ModelBundle.read(from: dir) else { return false }
    do throws(BundleError) {
      switch bundle.config.modality {
      case "vision": _ = try ImageClassifier(bundle: bundle, path: dir)
      case "text": _ = try TextClassifier(bundle: bundle, path: dir)
      case "audio": _ = try SoundClassifier(bundle: bundle, path: dir)
      default: return false
      }
      return true
    } catch {
      if case .weightsDoNotMatch = error.reason { return true }
      return false
    }
  }

  /// The delimited-text dataset readers: text classification tables and the audio clip list.
  static func table(_ name: String, _ format: TextDataFormat, suffix: String) -> FuzzTarget {
    FuzzTarget(name: name, summary: "\(name.uppercased()) dataset readers (text tables, audio clip lists)",
               seedExtensions: [name], seeds: { FuzzSeeds.table(separator: name == "tsv" ? "\t" : ",") }) { bytes in
      let path = ScratchFile.write(bytes, named: "input-\(name)" + suffix)
      let text = try? TextDataset.load(path, format: format, allowSingleClass: (bytes.first ?? 0) & 1 == 1)
      _ = try? SoundDataSource.csv(path, root: ScratchFile.directory)
      return text != nil
    }
  }

  public static let csv = table("csv", .csv, suffix: ".csv")
  public static let tsv = table("tsv", .tsv, suffix: ".tsv")
}

extension ScratchFile {
  /// A bundle directory whose `model.safetensors` is an empty (valid) file; entries write its
  /// `config.json`.
  static let bundleDirectory: String = {
    let dir = directory + "/bundle.graft"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try? SafeTensors.write([:], to: dir + "/model.safetensors")
    return dir
  }()
}

/// PNG chunk walking for the fuzz entry.
enum PNGChunks {
  static let crcTable: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// Rewrites the CRC of every whole chunk after the 8-byte signature (CRC-32 of type and data).
  static func fixCRCs(_ bytes: inout [UInt8]) {
    var at = 8
    while at + 12 <= bytes.count {
      let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
      let end = at + 8 + length
      guard length >= 0, end + 4 <= bytes.count else { return }
      var crc: UInt32 = 0xFFFF_FFFF
      for i in (at + 4)..<end { crc = crcTable[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8) }
      crc ^= 0xFFFF_FFFF
      for k in 0..<4 { bytes[end + k] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt32(k))) }
      at = end + 4
    }
  }
}
