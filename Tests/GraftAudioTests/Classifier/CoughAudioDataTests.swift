import Foundation
import GraftAudio
import Testing

/// The shared cough_audio CSV read as a data source, and real clips cut into patches; skipped
/// where the set is absent.
@Suite(.enabled(if: CoughAudio.labels != nil, "../shared/datasets/cough_audio not found"))
struct CoughAudioDataTests {
  @Test func labelsCSVSelectsTheTargetSplitsAsItsREADMECounts() throws {
    let csv = CoughAudio.root + "/labels.csv"
    let test = try SoundDataSource.load(csv, filters: [("group", "target"), ("split", "test")])
    #expect(test.issues.isEmpty && test.labels == ["cough", "non_cough"])
    #expect(test.counts.map(\.count) == [85, 68])
    #expect(test.clips.allSatisfy { $0.path.hasPrefix(CoughAudio.root + "/audio/") })
    let source = try SoundDataSource.load(csv, filters: [("group", "source"), ("split", "train")], labelColumn: "source_class")
    #expect(source.clips.count == 252 && source.labels.count == 40 && !source.labels.contains("coughing"))
  }

  @Test func realClipsBecomePatchesOfEveryFrame() throws {
    let rows = try #require(CoughAudio.labels)
    var seen: Set<String> = []
    let frontEnd = LogMelFrontEnd()
    for row in rows where seen.insert(row.origin).inserted {
      let path = CoughAudio.root + "/" + row.file
      let patches = try frontEnd.patches(file: path)
      let frames = try 1 + AudioInfo.read(path).frames / 160
      #expect(patches.frameCount == frames)
      #expect(patches.starts == Patches.starts(frameCount: frames, frames: 96, hop: 96))
      #expect(patches.tensor.shape == [patches.starts.count, 1, 96, 64])
      #expect(patches.tensor.scalars.allSatisfy { $0.isFinite && $0 >= frontEnd.floor })
    }
    #expect(seen.count == 3)
  }
}
