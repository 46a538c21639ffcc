import CSndFile
import Foundation
import GraftAudio
import GraftCore
import Testing

/// Damaged files (issue 16): whatever a header or libsndfile reports, decoding returns audio or
/// throws `AudioError`; it never traps on arithmetic or allocates what the file cannot hold.
@Suite struct DamagedAudioTests {
  /// A stereo Ogg/Vorbis file: its frame count is the granule position of the last page.
  func stereoOgg(_ files: TestAudioFiles) throws -> [UInt8] {
    let tone: [Float] = (0..<(4000 * 2)).map { Float(0.4 * sin(Double($0) * 0.07)) }
    let path = try files.write("tone.ogg", .floats(tone), channels: 2, format: SF_FORMAT_OGG | SF_FORMAT_VORBIS)
    return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// Byte offsets of every Ogg page (`OggS` capture pattern).
  func pageStarts(_ bytes: [UInt8]) -> [Int] {
    let magic: [UInt8] = Array("OggS".utf8)
    return (0..<max(0, bytes.count - 27)).filter { bytes[$0..<$0 + 4].elementsEqual(magic) }
  }

  /// Decodes `bytes` both ways (whole file and block by block); returns whether it was rejected.
  func decodeOrReject(_ bytes: [UInt8], _ files: TestAudioFiles, name: String) throws -> Bool {
    let path = try files.bytes(name, bytes)
    do {
      let audio = try decodeAudio(at: path)
      #expect(audio.samples.count == audio.frames * audio.channels)
      let stream = try AudioStream(path: path, blockFrames: 1000)
      while let block = try stream.next() { #expect(block.samples.count <= 1000 * block.channels) }
      return false
    } catch {
      #expect(error.path == path && !error.description.isEmpty)
      return true
    }
  }

  /// A cut Ogg file: libsndfile finds no last page and reports `SF_COUNT_MAX` frames (length
  /// unknown); `readAll` multiplied that by the channel count and trapped (issue 16). It now reads
  /// until libsndfile stops, which reports the cut page as malformed data.
  @Test func truncatedOggOfUnknownLengthIsATypedError() throws {
    let files = try TestAudioFiles()
    let bytes = try stereoOgg(files)
    // The longest cut whose header still opens and whose length is unknown.
    var found: String?
    for keep in stride(from: bytes.count - 1, to: bytes.count / 4, by: -97) {
      let path = try files.bytes("cut.ogg", Array(bytes.prefix(keep)))
      if let info = try? AudioInfo.read(path), info.frames == Int(Int64.max) { found = path; break }
    }
    let path = try #require(found)
    #expect(throws: AudioError.self) { try decodeAudio(at: path) }
    #expect(throws: AudioError.self) {
      let stream = try AudioStream(path: path, blockFrames: 512)
      while try stream.next() != nil {}
    }
  }

  /// The last page's granule position set to values whose product with the channel count
  /// overflows `Int` (this trapped in `AudioStream.readAll` before), or that are negative or
  /// merely far beyond the file.
  @Test(arguments: [UInt64(Int64.max), 0x4000_0000_0000_0001, 0x3FFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE,
                    0x8000_0000_0000_0000, 1 << 40])
  func hugeGranulePositionFailsCleanly(granule: UInt64) throws {
    let files = try TestAudioFiles()
    var bytes = try stereoOgg(files)
    let last = try #require(pageStarts(bytes).last)
    for k in 0..<8 { bytes[last + 6 + k] = UInt8(truncatingIfNeeded: granule >> (8 * UInt64(k))) }
    // Ogg pages carry a CRC; libsndfile (libogg) drops a page whose CRC is wrong, so set it right
    // to reach the decoder with the lying granule position.
    OggCRC.fix(&bytes, pageAt: last)
    _ = try decodeOrReject(bytes, files, name: "granule.ogg")
  }

  /// Seeded truncations and byte flips of a valid Ogg/Vorbis file.
  @Test func mutatedOggNeverTraps() throws {
    let files = try TestAudioFiles()
    let original = try stereoOgg(files)
    var generator = Generator(seed: 16)
    for round in 0..<40 {
      var bytes = original
      if round % 2 == 0 {
        bytes.removeLast(1 + generator.int(below: bytes.count - 1))
      } else {
        for _ in 0..<(1 + generator.int(below: 8)) {
          bytes[generator.int(below: bytes.count)] = UInt8(generator.int(below: 256))
        }
        for page in pageStarts(bytes) { OggCRC.fix(&bytes, pageAt: page) }
      }
      _ = try decodeOrReject(bytes, files, name: "mutant-\(round).ogg")
    }
  }
}

/// The CRC-32 of an Ogg page (polynomial 0x04C11DB7, no reflection, initial value 0, computed
/// with the CRC field zeroed; RFC 3533 section 6).
enum OggCRC {
  static let table: [UInt32] = (0..<256).map { i in
    var r = UInt32(i) << 24
    for _ in 0..<8 { r = r & 0x8000_0000 != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1 }
    return r
  }

  /// Recomputes the CRC of the page at `start` when its header and segment table are whole.
  static func fix(_ bytes: inout [UInt8], pageAt start: Int) {
    guard start + 27 <= bytes.count else { return }
    let segments = Int(bytes[start + 26])
    guard start + 27 + segments <= bytes.count else { return }
    let body = bytes[(start + 27)..<(start + 27 + segments)].reduce(0) { $0 + Int($1) }
    let end = min(bytes.count, start + 27 + segments + body)
    for k in 22..<26 { bytes[start + k] = 0 }
    var crc: UInt32 = 0
    for i in start..<end { crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(bytes[i]))] }
    for k in 0..<4 { bytes[start + 22 + k] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(k))) }
  }
}
