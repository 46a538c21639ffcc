import Foundation
import GraftAudio
import GraftCore
import Testing

@Suite struct SoundDataSourceTests {
  @Test func csvWithHeaderInAnyOrderQuotesFiltersAndBadRows() throws {
    let files = try TestAudioFiles()
    let csv = files.path("labels.csv")
    try Data("""
      split,label,file\r
      train,cough,a.wav\r
      test,cough,b.wav\r
      train,"non_cough","sub/c, with comma.wav"\r
      train,cough\r
      \r
      train,,d.wav\r
      train,cough,/abs/e.flac\r
      train,"bad"x,f.wav\r

      """.utf8).write(to: URL(fileURLWithPath: csv))
    let all = try SoundDataSource.load(csv)
    #expect(all.clips.map(\.path) == [files.path("a.wav"), files.path("b.wav"), files.path("sub/c, with comma.wav"),
                                      "/abs/e.flac"])
    #expect(all.labels == ["cough", "non_cough"])
    #expect(all.issues.map(\.description) == [
      "\(csv):5: expected at least 3 fields, found 2", "\(csv):7: empty label",
      "\(csv):9: unexpected character after the closing quote of field 2",
    ])
    let bySplit = try SoundDataSource.load(csv, labelColumn: "split")
    #expect(bySplit.labels == ["test", "train"] && bySplit.clips.count == 5)  // the row with an empty label has a split
    #expect(throws: SoundDataError(path: csv, reason: .unknownColumn("fold"))) { try SoundDataSource.load(csv, labelColumn: "fold") }
    let train = try SoundDataSource.load(csv, filters: [("split", "train")])
    #expect(train.clips.map(\.label) == ["cough", "non_cough", "cough"])
    #expect(throws: SoundDataError(path: csv, reason: .unknownColumn("fold"))) {
      try SoundDataSource.load(csv, filters: [("fold", "1")])
    }
  }

  @Test func csvWithoutHeaderIsFileThenLabel() throws {
    let files = try TestAudioFiles()
    let csv = files.path("plain.csv")
    try Data("x.wav,dog\ny.wav,cat\nz.wav\n".utf8).write(to: URL(fileURLWithPath: csv))
    let source = try SoundDataSource.load(csv)
    #expect(source.clips == [SoundClip(path: files.path("x.wav"), label: "dog"), SoundClip(path: files.path("y.wav"), label: "cat")])
    #expect(source.issues == [DataIssue(path: csv, line: 3, reason: "expected at least 2 fields, found 1")])
    #expect(source.counts.map(\.count) == [1, 1] && source.labels == ["cat", "dog"])
    #expect(throws: SoundDataError(path: csv, reason: .unknownColumn("split"))) {
      try SoundDataSource.load(csv, filters: [("split", "train")])
    }
  }

  @Test func esc50StyleHeaderUsesFilenameAndCategory() throws {
    let files = try TestAudioFiles()
    let csv = files.path("esc50.csv")
    try Data("filename,fold,target,category,esc10\n1-1.wav,1,0,dog,True\n1-2.wav,2,20,crying_baby,False\n".utf8)
      .write(to: URL(fileURLWithPath: csv))
    let source = try SoundDataSource.load(csv, filters: [("fold", "2")], root: "/data/ESC-50/audio")
    #expect(source.clips == [SoundClip(path: "/data/ESC-50/audio/1-2.wav", label: "crying_baby")])
    let both = files.path("both.csv")
    try Data("category,path,label\nx,a.wav,y\n".utf8).write(to: URL(fileURLWithPath: both))
    #expect(try SoundDataSource.load(both).clips == [SoundClip(path: files.path("a.wav"), label: "y")])
  }

  @Test func foldersAreLabels() throws {
    let files = try TestAudioFiles()
    try SyntheticSounds.writeFolder(files, root: "data", perClass: 2)
    _ = try files.bytes("data/noise/readme.txt", Array("notes".utf8))
    try FileManager.default.createDirectory(atPath: files.path("data/.hidden"), withIntermediateDirectories: true)
    _ = try files.bytes("data/.hidden/x.wav", [1, 2, 3])
    let source = try SoundDataSource.load(files.path("data"))
    #expect(source.labels == ["noise", "tone"])
    #expect(source.clips.map { ($0.path as NSString).lastPathComponent } == ["n0.wav", "n1.wav", "broken.wav", "t0.wav", "t1.wav"])
    #expect(source.ignoredFiles == 1 && source.issues.isEmpty)
    try FileManager.default.createDirectory(atPath: files.path("data/silence"), withIntermediateDirectories: true)
    _ = try files.bytes("data/silence/notes.md", Array("none yet".utf8))
    let withEmpty = try SoundDataSource.load(files.path("data"))
    #expect(withEmpty.labels == ["noise", "tone"] && withEmpty.ignoredFiles == 2)
    #expect(withEmpty.issues == [DataIssue(path: files.path("data/silence"), reason: "no audio files: label \"silence\" left out")])
    #expect(throws: SoundDataError(path: files.path("nowhere"), reason: .missing)) { try SoundDataSource.load(files.path("nowhere")) }
    try FileManager.default.createDirectory(atPath: files.path("empty"), withIntermediateDirectories: true)
    #expect(throws: SoundDataError(path: files.path("empty"), reason: .noClips)) { try SoundDataSource.load(files.path("empty")) }
  }
}
