import CSndFile
import Foundation
@testable import GraftAudio
import Testing

@Suite struct AudioStreamTests {
  /// Integer PCM comes back as value / 2^(bits-1), exactly: what libsndfile and soundfile return.
  @Test(arguments: [
    ("pcm16.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, "WAV", "PCM_16"),
    ("pcm16.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "FLAC", "PCM_16"),
    ("pcm16.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, "AIFF", "PCM_16"),
  ])
  func pcm16RoundTripsExactly(name: String, format: Int, formatName: String, subtype: String) throws {
    let files = try TestAudioFiles()
    let shorts = pcm16Pattern(frames: 300, channels: 2)
    let path = try files.write(name, .shorts(shorts), channels: 2, sampleRate: 22050, format: format)
    let audio = try decodeAudio(at: path)
    #expect(audio.channels == 2 && audio.sampleRate == 22050 && audio.frames == 300)
    #expect(audio.samples == shorts.map { Float($0) / 32768 })
    let info = try AudioInfo.read(path)
    #expect(info.frames == 300 && info.channels == 2 && info.sampleRate == 22050)
    #expect(info.format == formatName && info.subtype == subtype)
    #expect(info.subtypeDescription == "Signed 16 bit PCM")
    #expect(abs(info.duration - 300.0 / 22050) < 1e-12)
  }

  @Test func pcm8And24ScaleByTheirBitDepth() throws {
    let files = try TestAudioFiles()
    // WAV 8-bit is unsigned: libsndfile keeps the top 8 bits of each short.
    let eight: [Int16] = [-32768, -256, 0, 256, 32512, 12800]
    let u8 = try files.write("u8.wav", .shorts(eight), channels: 1, format: SF_FORMAT_WAV | SF_FORMAT_PCM_U8)
    #expect(try decodeAudio(at: u8).samples == eight.map { Float($0) / 32768 })
    #expect(try AudioInfo.read(u8).subtype == "PCM_U8")
    // 24-bit keeps the top 24 bits of each int.
    let ints: [Int32] = [Int32.min, -256, 0, 256, 0x7FFF_FF00, 0x1234_5600]
    let p24 = try files.write("p24.aiff", .ints(ints), channels: 2, format: SF_FORMAT_AIFF | SF_FORMAT_PCM_24)
    #expect(try decodeAudio(at: p24).samples == ints.map { Float(Double($0) / 2_147_483_648) })
    #expect(try AudioInfo.read(p24).subtype == "PCM_24")
  }

  @Test func pcm32IsWithinFloatRounding() throws {
    let files = try TestAudioFiles()
    let ints: [Int32] = [Int32.min, -1_000_000_007, -1, 0, 1, 123_456_789, Int32.max]
    let path = try files.write("p32.wav", .ints(ints), channels: 1, format: SF_FORMAT_WAV | SF_FORMAT_PCM_32)
    let decoded = try decodeAudio(at: path).samples
    for (d, i) in zip(decoded, ints) {
      let expected = Double(i) / 2_147_483_648
      #expect(abs(Double(d) - expected) <= 1e-7 * max(1e-9, abs(expected)) + 1e-9, "\(i) -> \(d)")
    }
  }

  @Test func floatAndDoubleWavsAreNotScaledOrClipped() throws {
    let files = try TestAudioFiles()
    let values: [Float] = [-1.5, -1, -0.25, 0, 1e-7, 0.5, 1, 2.75]
    let f = try files.write("f.wav", .floats(values), channels: 2, format: SF_FORMAT_WAV | SF_FORMAT_FLOAT)
    #expect(try decodeAudio(at: f).samples == values)
    #expect(try AudioInfo.read(f).subtype == "FLOAT")
    let doubles: [Double] = [-1.5, 0.1, 1.0 / 3, 2.75]
    let d = try files.write("d.wav", .doubles(doubles), channels: 1, format: SF_FORMAT_WAV | SF_FORMAT_DOUBLE)
    #expect(try decodeAudio(at: d).samples == doubles.map { Float($0) })
    #expect(try AudioInfo.read(d).subtype == "DOUBLE")
  }

  @Test func vorbisDecodesCloseToTheSource() throws {
    let files = try TestAudioFiles()
    let frames = 8000
    let tone: [Float] = (0..<frames).map { i in
      let phase: Double = 2 * Double.pi * 440 * Double(i) / 16000
      return Float(0.5 * sin(phase))
    }
    let path = try files.write("tone.ogg", .floats(tone), channels: 1, format: SF_FORMAT_OGG | SF_FORMAT_VORBIS)
    let audio = try decodeAudio(at: path)
    #expect(audio.frames == frames)
    let info = try AudioInfo.read(path)
    #expect(info.format == "OGG" && info.subtype == "VORBIS")
    // Lossy: compare the RMS error over the middle (the codec's edges ramp).
    let middle = 1000..<(frames - 1000)
    var sum: Double = 0
    for i in middle {
      let e = Double(audio.samples[i] - tone[i])
      sum += e * e
    }
    let mse = sum / Double(middle.count)
    #expect(mse.squareRoot() < 0.02, "RMS error \(mse.squareRoot())")
  }

  @Test func monoIsTheMeanOfTheChannels() throws {
    let files = try TestAudioFiles()
    let shorts = pcm16Pattern(frames: 50, channels: 3)
    let path = try files.write("three.wav", .shorts(shorts), channels: 3, format: SF_FORMAT_WAV | SF_FORMAT_PCM_16)
    let mono = try decodeAudio(at: path, mono: true)
    #expect(mono.channels == 1 && mono.frames == 50)
    let expected: [Float] = (0..<50).map { f in
      let a: Float = Float(shorts[3 * f]) / 32768
      let b: Float = Float(shorts[3 * f + 1]) / 32768
      let c: Float = Float(shorts[3 * f + 2]) / 32768
      return (a + b + c) / 3
    }
    #expect(mono.samples == expected)
    let full = try decodeAudio(at: path)
    #expect(full.channel(1) == (0..<50).map { Float(shorts[3 * $0 + 1]) / 32768 })
    #expect(full.toTensor().shape == [50, 3])
  }

  @Test func streamYieldsBoundedBlocksThatAddUpToTheFile() throws {
    let files = try TestAudioFiles()
    let shorts = pcm16Pattern(frames: 10_000, channels: 2)
    for format in [SF_FORMAT_WAV | SF_FORMAT_PCM_16, SF_FORMAT_FLAC | SF_FORMAT_PCM_16] {
      let path = try files.write("long-\(format).x", .shorts(shorts), channels: 2, format: format)
      let stream = try AudioStream(path: path, blockFrames: 4096)
      var sizes: [Int] = []
      var samples: [Float] = []
      while let block = try stream.next() {
        sizes.append(block.frames)
        samples += block.samples
        #expect(block.channels == 2 && block.sampleRate == 16000)
      }
      #expect(sizes == [4096, 4096, 1808])
      #expect(stream.framesRead == 10_000)
      #expect(try stream.next() == nil)
      #expect(samples == shorts.map { Float($0) / 32768 })
    }
  }

  @Test func streamOfExactMultipleEndsCleanly() throws {
    let files = try TestAudioFiles()
    let path = try files.write("x.wav", .shorts(pcm16Pattern(frames: 200, channels: 1)), channels: 1,
                               format: SF_FORMAT_WAV | SF_FORMAT_PCM_16)
    let stream = try AudioStream(path: path, blockFrames: 100)
    #expect(try stream.next()?.frames == 100)
    #expect(try stream.next()?.frames == 100)
    #expect(try stream.next() == nil)
  }

  // MARK: Broken files

  func reason(_ path: String) -> AudioError.Reason? {
    do {
      _ = try decodeAudio(at: path)
      return nil
    } catch {
      #expect(error.path == path)
      #expect(error.description.hasPrefix("\(path): "))
      return error.reason
    }
  }

  @Test func truncatedFilesAreReported() throws {
    let files = try TestAudioFiles()
    let shorts = pcm16Pattern(frames: 4000, channels: 2)
    let wav = try files.write("ok.wav", .shorts(shorts), channels: 2, format: SF_FORMAT_WAV | SF_FORMAT_PCM_16)
    let aiff = try files.write("ok.aiff", .shorts(shorts), channels: 2, format: SF_FORMAT_AIFF | SF_FORMAT_PCM_16)
    let flac = try files.write("ok.flac", .shorts(shorts), channels: 2, format: SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
    for source in [wav, aiff, flac] {
      let cut = try files.truncated(source, to: "cut-" + (source as NSString).lastPathComponent, cutting: 1001)
      guard case .truncated = reason(cut) else {
        Issue.record("\(cut): \(String(describing: reason(cut)))")
        continue
      }
    }
    // WAV and AIFF say so from the header already.
    let cutWav = files.path("cut-ok.wav")
    #expect(throws: AudioError.self) { try AudioInfo.read(cutWav) }
    // Cut inside the header: libsndfile cannot parse it.
    let header = try files.truncated(wav, to: "header.wav", cutting: 16_044 - 30)
    #expect(reason(header) != nil)
  }

  @Test func emptyRandomMissingAndDirectoryAreTypedErrors() throws {
    let files = try TestAudioFiles()
    #expect(reason(try files.bytes("empty.wav", [])) == .empty)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let noise = (0..<5000).map { _ -> UInt8 in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
    guard case .notAudio = reason(try files.bytes("noise.wav", noise)) else {
      Issue.record("random bytes not reported as not audio")
      return
    }
    #expect(reason(files.path("nope.wav")) == .missing)
    #expect(reason(files.path("nope/deeper.wav")) == .missing)
    #expect(reason(files.directory) == .cannotOpen("not a regular file"))
    #expect(throws: AudioError(path: files.path("nope.flac"), reason: .missing)) {
      try AudioStream(path: files.path("nope.flac"))
    }
  }

  @Test func truncationIsReadFromTheLogOnlyForRealShortfalls() {
    #expect(AudioStream.dataShortfall(inLog: "RIFF : 16036\ndata : 16000 (should be 14999)\nEnd") != nil)
    #expect(AudioStream.dataShortfall(inLog: " SSND : 24008 (should be 23007)") != nil)
    #expect(AudioStream.dataShortfall(inLog: "data : 16000\nEnd") == nil)
    #expect(AudioStream.dataShortfall(inLog: "RIFF : 16036 (should be 15035)\ndata : 16000") == nil)
    #expect(AudioStream.dataShortfall(inLog: "data : 4294967295 (should be 14999)") == nil)
    #expect(AudioStream.dataShortfall(inLog: "data : 0 (should be 14999)") == nil)
  }
}
