import Foundation
import GraftAudio
import GraftCore
import Testing

@Suite struct LogMelFrontEndTests {
  static func sine(_ hz: Double, seconds: Double, rate: Int = 16000, amplitude: Float = 0.5) -> [Float] {
    (0..<Int(seconds * Double(rate))).map { amplitude * Float(sin(2 * Double.pi * hz * Double($0) / Double(rate))) }
  }

  @Test func defaultsAreVGGish() {
    let f = LogMelFrontEnd()
    #expect(f.sampleRate == 16000 && f.nFFT == 512 && f.winLength == 400 && f.hopLength == 160)
    #expect(f.nMels == 64 && f.fmin == 125 && f.fmax == 7500 && f.melScale == .htk && f.melNorm == .none)
    #expect(f.patchFrames == 96 && f.patchHopFrames == 96 && f.power == 1)
    #expect(abs(f.patchSeconds - 0.96) < 1e-12)
    #expect(abs(f.floor - log(Float(0.01))) < 1e-6)
  }

  @Test func toneLightsTheBandAroundItsFrequency() throws {
    let f = LogMelFrontEnd()
    let mel = try f.logMel(Self.sine(1000, seconds: 1))
    #expect(mel.shape == [64, 101])  // centred frames: 1 + 16000 / 160
    // The brightest band of a middle frame is the filter whose centre is nearest 1 kHz.
    let t = 50
    let column = (0..<64).map { mel.data[$0 * 101 + t] }
    let brightest = column.indices.max { column[$0] < column[$1] }!
    let low = MelScale.htk.mel(fromHz: 125), high = MelScale.htk.mel(fromHz: 7500)
    let centres = (1...64).map { MelScale.htk.hz(fromMel: low + Double($0) * (high - low) / 65) }
    let nearest = centres.indices.min { abs(centres[$0] - 1000) < abs(centres[$1] - 1000) }!
    #expect(abs(brightest - nearest) <= 1, "band \(brightest), expected near \(nearest)")
    #expect(column[brightest] > 3)        // log of a magnitude in the tens
    #expect(column[63] < column[brightest] - 5)
  }

  @Test func silenceIsTheFloor() throws {
    let f = LogMelFrontEnd()
    let mel = try f.logMel([Float](repeating: 0, count: 4000))
    #expect(mel.scalars.allSatisfy { $0 == f.floor })
  }

  @Test func filesBecomePatchesAtTheFrontEndRate() throws {
    let files = try TestAudioFiles()
    let format = 0x010000 | 0x0006  // SF_FORMAT_WAV | SF_FORMAT_FLOAT
    let f = LogMelFrontEnd()
    // 1 s at 16 kHz: 101 frames → a patch at 0 and an end-aligned one at 5.
    let one = try files.write("one.wav", .floats(Self.sine(440, seconds: 1)), channels: 1, format: format)
    let p1 = try f.patches(file: one)
    #expect(p1.tensor.shape == [2, 1, 96, 64] && p1.starts == [0, 5])
    // 0.25 s of stereo at 8 kHz: mono, resampled to 16 kHz (4000 samples, 26 frames), padded to one patch.
    let stereo = Self.sine(440, seconds: 0.25, rate: 8000).flatMap { [$0, $0] }
    let short = try files.write("short.wav", .floats(stereo), channels: 2, sampleRate: 8000, format: format)
    let p2 = try f.patches(file: short)
    #expect(p2.tensor.shape == [1, 1, 96, 64] && p2.frameCount == 26)
    let rows = p2.tensor.scalars
    #expect(rows[(26 * 64)...].allSatisfy { $0 == f.floor })
    #expect(rows[..<(26 * 64)].contains { $0 > 0 })
    // 3 s with a 48-frame hop: 301 frames → 0, 48, …, 192, then 205.
    let three = try files.write("three.wav", .floats(Self.sine(440, seconds: 3)), channels: 1, format: format)
    #expect(try f.patches(file: three, hopFrames: 48).starts == [0, 48, 96, 144, 192, 205])
  }

  @Test func unreadableFilesThrowWithThePath() throws {
    let files = try TestAudioFiles()
    let junk = try files.bytes("junk.wav", Array("this is not audio at all, not even close".utf8))
    #expect(throws: PreprocessingError.self) { try LogMelFrontEnd().patches(file: junk) }
    do {
      _ = try LogMelFrontEnd().patches(file: files.path("missing.wav"))
      Issue.record("no error")
    } catch {
      #expect(error == PreprocessingError(path: files.path("missing.wav"), reason: .decode(.missing)))
      #expect(error.description == "\(files.path("missing.wav")): no such file")
    }
  }

  @Test func codableRoundTripAndValidation() throws {
    let f = LogMelFrontEnd(nMels: 40, patchFrames: 48, patchHopFrames: 24)
    let data = try JSONEncoder().encode(f)
    let text = String(decoding: data, as: UTF8.self)
    #expect(text.contains("\"n_mels\":40") && text.contains("\"patch_hop_frames\":24") && text.contains("\"mel_scale\":\"htk\""))
    #expect(try JSONDecoder().decode(LogMelFrontEnd.self, from: data) == f)
    let broken = text.replacingOccurrences(of: "\"n_mels\":40", with: "\"n_mels\":0")
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(LogMelFrontEnd.self, from: Data(broken.utf8)) }
    // Bounded above too, so a damaged bundle cannot size an FFT plan or filter bank without limit.
    for (field, value) in [("n_mels", "100000"), ("n_fft", "1099511627776"), ("sample_rate", "1099511627776"), ("patch_frames", "1099511627776")] {
      let huge = text.replacingOccurrences(of: #""\#(field)":[0-9]+"#, with: "\"\(field)\":\(value)", options: .regularExpression)
      #expect(huge != text)
      #expect(throws: DecodingError.self) { try JSONDecoder().decode(LogMelFrontEnd.self, from: Data(huge.utf8)) }
    }
    // Key order is not fixed: drop the field with the comma after it, or before it when it is last.
    let missing = text.replacingOccurrences(of: #""log_offset":[-+0-9.eE]+,"#, with: "", options: .regularExpression)
      .replacingOccurrences(of: #","log_offset":[-+0-9.eE]+"#, with: "", options: .regularExpression)
    #expect(!missing.contains("log_offset"))
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(LogMelFrontEnd.self, from: Data(missing.utf8)) }
  }
}
