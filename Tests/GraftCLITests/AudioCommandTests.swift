import Foundation
import GraftVision
import Testing

/// Runs `graft audio …` on WAV files written here byte by byte (RIFF headers need no library).
@Suite struct AudioCommandTests {
  let directory: String

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("graft-cli-audio-\(getpid())-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { "\(directory)/\(name)" }

  /// A canonical WAV: PCM-16 (format 1) or IEEE float-32 (format 3), interleaved samples.
  func writeWAV(_ name: String, pcm16: [Int16] = [], float32: [Float] = [], channels: Int, rate: Int) throws -> String {
    let isFloat = !float32.isEmpty
    var payload: [UInt8] = []
    if isFloat {
      for v in float32 { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
    } else {
      for v in pcm16 { withUnsafeBytes(of: v.littleEndian) { payload += $0 } }
    }
    let bits = isFloat ? 32 : 16
    var bytes: [UInt8] = []
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { bytes += $0 } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { bytes += $0 } }
    bytes += Array("RIFF".utf8); u32(36 + payload.count); bytes += Array("WAVE".utf8)
    bytes += Array("fmt ".utf8); u32(16); u16(isFloat ? 3 : 1); u16(channels); u32(rate)
    u32(rate * channels * bits / 8); u16(channels * bits / 8); u16(bits)
    bytes += Array("data".utf8); u32(payload.count); bytes += payload
    let path = path(name)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Shape and elements of a little-endian float32 `.npy`.
  func readNPY(_ path: String) throws -> (shape: [Int], values: [Float]) {
    let data = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    try #require(data.count > 10 && data[1...5].elementsEqual(Array("NUMPY".utf8)))
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
    #expect(header.contains("'descr': '<f4'"))
    let shapeText = try #require(header.split(separator: "(").dropFirst().first?.split(separator: ")").first)
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    var values: [Float] = []
    for i in stride(from: 10 + headerLength, to: data.count - 3, by: 4) {
      var bits: UInt32 = 0
      for b in 0..<4 { bits |= UInt32(data[i + b]) << (8 * UInt32(b)) }
      values.append(Float(bitPattern: bits))
    }
    return (shape, values)
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  static let stereo: [Int16] = (0..<1000).flatMap { (i: Int) -> [Int16] in [Int16(i * 30 - 15000), Int16(12000 - i * 20)] }

  @Test func infoPrintsTheHeader() throws {
    let wav = try writeWAV("s.wav", pcm16: Self.stereo, channels: 2, rate: 8000)
    let r = try GraftBinary.run(["audio", "info", wav, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try json(r.stdout)
    #expect(object["frames"] as? Int == 1000 && object["channels"] as? Int == 2)
    #expect(object["sample_rate"] as? Int == 8000)
    #expect(object["format"] as? String == "WAV" && object["subtype"] as? String == "PCM_16")
    #expect(object["duration"] as? Double == 0.125)
    let text = try GraftBinary.run(["audio", "info", wav])
    #expect(text.status == 0)
    #expect(text.stdout.contains("PCM_16 (Signed 16 bit PCM)") && text.stdout.contains("8000 Hz"))
  }

  @Test func decodeWritesFramesByChannels() throws {
    let wav = try writeWAV("s.wav", pcm16: Self.stereo, channels: 2, rate: 8000)
    let out = path("s.npy")
    let r = try GraftBinary.run(["audio", "decode", wav, "--out", out, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try json(r.stdout)["shape"] as? [Int] == [1000, 2])
    let (shape, values) = try readNPY(out)
    #expect(shape == [1000, 2])
    #expect(values == Self.stereo.map { Float($0) / 32768 })

    let monoOut = path("m.npy")
    #expect(try GraftBinary.run(["audio", "decode", wav, "--out", monoOut, "--mono"]).status == 0)
    let mono = try readNPY(monoOut)
    #expect(mono.shape == [1000, 1])
    #expect(mono.values[10] == (Float(Self.stereo[20]) / 32768 + Float(Self.stereo[21]) / 32768) / 2)

    let resampled = try GraftBinary.run(["audio", "decode", wav, "--out", path("r.npy"), "--sample-rate", "16000", "--json"])
    #expect(resampled.status == 0, "\(resampled.stderr)")
    let object = try json(resampled.stdout)
    #expect(object["sample_rate"] as? Int == 16000)
    let frames = (object["shape"] as? [Int])?.first ?? 0
    #expect(abs(frames - 2000) <= 2)
  }

  /// A cosine exactly on bin 32 of a 512-point frame at 16 kHz (1 kHz), amplitude 0.5:
  /// magnitude 0.5 · Σhann / 2 = 64 there.
  @Test func spectrogramOfACosine() throws {
    let tone: [Float] = (0..<2048).map { i in
      let phase: Double = 2 * Double.pi * 1000 * Double(i) / 16000
      return Float(0.5 * cos(phase))
    }
    let wav = try writeWAV("tone.wav", float32: tone, channels: 1, rate: 16000)
    let out = path("spec.npy")
    let r = try GraftBinary.run(["audio", "spectrogram", wav, "--out", out, "--n-fft", "512", "--hop-length", "512",
                                 "--no-center", "--power", "1", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let (shape, values) = try readNPY(out)
    #expect(shape == [257, 4])
    #expect(try json(r.stdout)["shape"] as? [Int] == [257, 4])
    for t in 0..<4 {
      #expect(abs(values[32 * 4 + t] - 64) < 1e-3)
      #expect(values[100 * 4 + t] < 1e-3)
    }
    let db = path("db.npy")
    #expect(try GraftBinary.run(["audio", "spectrogram", wav, "--out", db, "--n-fft", "512", "--hop-length", "512",
                                 "--no-center", "--db", "--top-db", "40"]).status == 0)
    let decibels = try readNPY(db).values
    #expect(abs(decibels[32 * 4] - 10 * log10(4096)) < 1e-3)
    #expect(abs((decibels.min() ?? 0) - (10 * log10(4096) - 40)) < 1e-3)

    // Defaults: n_fft 2048, hop 512, centred: 1 + 2048 / 512 frames.
    #expect(try GraftBinary.run(["audio", "spectrogram", wav, "--out", out]).status == 0)
    #expect(try readNPY(out).shape == [1025, 5])
    let mel = try GraftBinary.run(["audio", "spectrogram", wav, "--out", out, "--n-fft", "512", "--n-mels", "40",
                                   "--fmin", "20", "--htk", "--mel-norm", "none", "--json"])
    #expect(mel.status == 0, "\(mel.stderr)")
    #expect(try readNPY(out).shape == [40, 17])
  }

  /// `--out x.png`: a labelled viridis picture, decodable, of the size reported; `--stream` gives
  /// the whole-file values.
  @Test func spectrogramPictureAndStreaming() throws {
    let chirp: [Float] = (0..<24_000).map { i in
      let t = Double(i) / 16000
      return Float(0.5 * sin(2 * Double.pi * (300 * t + 2000 * t * t)))
    }
    let wav = try writeWAV("chirp.wav", float32: chirp, channels: 1, rate: 16000)
    let png = path("chirp.png")
    let r = try GraftBinary.run(["audio", "spectrogram", wav, "--out", png, "--n-fft", "512", "--hop-length", "160",
                                 "--n-mels", "64", "--db", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let size = try #require(try json(r.stdout)["picture"] as? [Int])
    let image = try decodePNG(at: png)
    #expect([image.width, image.height] == size && image.channels == 3)
    #expect(image.width > 151 * 2 && image.height > 256)  // 151 frames repeated to ≥ 320 columns, 64 bands to 256 rows
    let samples = try #require(image.samples)
    var colours = Set<Int>()
    for i in stride(from: 0, to: samples.count, by: 3) {
      colours.insert(Int(samples[i]) << 16 | Int(samples[i + 1]) << 8 | Int(samples[i + 2]))
    }
    #expect(colours.count > 20 && colours.contains(0xFFFFFF) && colours.contains(0xFDE725))  // paper; viridis' top

    let whole = path("whole.npy"), streamed = path("streamed.npy")
    let options = ["--sample-rate", "8000", "--n-fft", "256", "--hop-length", "80", "--n-mels", "32", "--db"]
    #expect(try GraftBinary.run(["audio", "spectrogram", wav, "--out", whole] + options).status == 0)
    let s = try GraftBinary.run(["audio", "spectrogram", wav, "--out", streamed, "--stream", "--block-frames", "1000"] + options)
    #expect(s.status == 0, "\(s.stderr)")
    let (a, b) = (try readNPY(whole), try readNPY(streamed))
    #expect(a.shape == b.shape && a.shape == [32, 1 + 12_000 / 80])
    #expect(zip(a.values, b.values).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($0)) })
    let refused = try GraftBinary.run(["audio", "spectrogram", wav, "--out", streamed, "--stream", "--pad-mode", "reflect"])
    #expect(refused.status == 2 && refused.stderr.contains("--stream needs --pad-mode constant"))
  }

  @Test func brokenFilesFailWithOneLine() throws {
    let missing = path("nope.wav")
    let r = try GraftBinary.run(["audio", "info", missing])
    #expect(r.status == 1)
    #expect(r.stderr == "graft: \(missing): no such file\n")
    let junk = path("junk.wav")
    try Data(repeating: 7, count: 300).write(to: URL(fileURLWithPath: junk))
    let d = try GraftBinary.run(["audio", "decode", junk, "--out", path("x.npy")])
    #expect(d.status == 1)
    #expect(d.stderr.hasPrefix("graft: \(junk): not an audio file"))
    #expect(!FileManager.default.fileExists(atPath: path("x.npy")))
    let wav = try writeWAV("s.wav", pcm16: Self.stereo, channels: 2, rate: 8000)
    let unwritable = try GraftBinary.run(["audio", "decode", wav, "--out", path("no/such/dir/x.npy")])
    #expect(unwritable.status == 1)
    #expect(unwritable.stderr.contains("no/such/dir/x.npy"))
    let short = try GraftBinary.run(["audio", "spectrogram", wav, "--out", path("y.npy"), "--no-center", "--n-fft", "4096"])
    #expect(short.status == 1)
    #expect(short.stderr.contains("shorter than one frame"))
  }

  @Test(arguments: [
    ["--window", "blackman"], ["--power", "3"], ["--n-fft", "512", "--win-length", "1024"],
    ["--top-db", "60"], ["--fmin", "20"], ["--n-mels", "0"], ["--pad-mode", "edge"], ["--hop-length", "0"],
    ["--n-mels", "40", "--fmin", "9000"],
  ])
  func badOptionsAreUsageErrors(_ options: [String]) throws {
    let wav = try writeWAV("s.wav", pcm16: Self.stereo, channels: 2, rate: 8000)
    let r = try GraftBinary.run(["audio", "spectrogram", wav, "--out", path("z.npy")] + options)
    #expect(r.status == 2, "\(options): \(r.stderr)")
  }
}

@Suite struct BenchAudioCommandTests {
  @Test func decodesGivenFiles() throws {
    let helper = try AudioCommandTests()
    let wav = try helper.writeWAV("bench.wav", pcm16: (0..<8000).map { Int16(truncatingIfNeeded: $0 * 7) }, channels: 2, rate: 8000)
    let r = try GraftBinary.run(["bench", "audio", "--json", "--filter", "decode_wav", "--budget", "0.01", "--wav", wav,
                                 "--filter", "decode_folder", "--folder", helper.directory])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let benchmarks = try #require(object["benchmarks"] as? [[String: Any]])
    #expect(benchmarks.map { $0["name"] as? String } == ["decode_wav", "decode_folder"])
    #expect(benchmarks.allSatisfy { ($0["value"] as? Double ?? 0) > 0 && $0["unit"] as? String == "s" })
    let missing = try GraftBinary.run(["bench", "audio", "--filter", "decode_wav", "--wav", helper.path("none.wav")])
    #expect(missing.status == 1 && missing.stderr.contains("none.wav"))
  }
}
