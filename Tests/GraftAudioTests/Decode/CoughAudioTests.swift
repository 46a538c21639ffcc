import Foundation
import GraftAudio
import Testing

/// Real clips from the shared cough_audio set (16 kHz mono FLAC, PCM-16), found by relative path
/// from the package root (`../shared/datasets/cough_audio`); skipped where the set is absent.
@Suite(.enabled(if: CoughAudio.labels != nil, "../shared/datasets/cough_audio not found"))
struct CoughAudioTests {
  /// One clip from each origin: the header and the decoded length agree with labels.csv.
  @Test func clipsDecodeAsLabelled() throws {
    let rows = try #require(CoughAudio.labels)
    var seen: Set<String> = []
    for row in rows where !seen.contains(row.origin) {
      seen.insert(row.origin)
      let path = CoughAudio.root + "/" + row.file
      let info = try AudioInfo.read(path)
      #expect(info.format == "FLAC" && info.subtype == "PCM_16" && info.channels == 1 && info.sampleRate == 16000)
      #expect(abs(info.duration - row.duration) < 1e-3, "\(row.file): \(info.duration) vs \(row.duration)")
      let audio = try decodeAudio(at: path)
      #expect(audio.frames == info.frames)
      // PCM-16: every sample is a multiple of 1/32768 within [-1, 1).
      #expect(audio.samples.allSatisfy { $0 >= -1 && $0 < 1 && ($0 * 32768).rounded() == $0 * 32768 })
      let logMel = powerToDB(MelFilterbank(sampleRate: 16000, nFFT: 512, nMels: 64)(
        try STFT(nFFT: 512, hopLength: 160).spectrogram(audio.samples)))
      #expect(logMel.shape == [64, 1 + audio.frames / 160])
    }
    #expect(seen.count == 3)
  }
}

enum CoughAudio {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/datasets/cough_audio").path

  struct Row {
    let file: String
    let origin: String
    let duration: Double
  }

  /// labels.csv (CRLF lines) columns `file`, `origin` and `duration_s`; no field holds a comma.
  static let labels: [Row]? = {
    guard let data = FileManager.default.contents(atPath: root + "/labels.csv") else { return nil }
    let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    guard let header = lines.first, let file = header.firstIndex(of: "file"), let origin = header.firstIndex(of: "origin"),
          let duration = header.firstIndex(of: "duration_s") else { return nil }
    return lines.dropFirst().compactMap { fields in
      guard fields.count == header.count, let seconds = Double(fields[duration]) else { return nil }
      return Row(file: String(fields[file]), origin: String(fields[origin]), duration: seconds)
    }
  }()
}
