import Foundation
import GraftCore
import Testing

/// The dataset health check through the CLI: `vision folder --test`, `audio folder --test`, and
/// the warnings of `vision train`.
@Suite struct HealthCommandTests {
  /// Mono IEEE float WAV at 16 kHz.
  static func writeWAV(_ file: String, _ samples: [Float]) throws {
    var payload: [UInt8] = []
    for v in samples { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
    var bytes: [UInt8] = []
    func u32(_ v: Int) { withUnsafeBytes(of: UInt32(v).littleEndian) { bytes += $0 } }
    func u16(_ v: Int) { withUnsafeBytes(of: UInt16(v).littleEndian) { bytes += $0 } }
    bytes += Array("RIFF".utf8); u32(36 + payload.count); bytes += Array("WAVE".utf8)
    bytes += Array("fmt ".utf8); u32(16); u16(3); u16(1); u32(16000); u32(64000); u16(4); u16(32)
    bytes += Array("data".utf8); u32(payload.count); bytes += payload
    try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: file))
  }

  /// Noise, plus a 1 kHz tone when `tone`.
  static func samples(seconds: Double, seed: UInt64, tone: Bool) -> [Float] {
    var g = Generator(seed: seed)
    return (0..<Int(seconds * 16000)).map { i in
      Float(g.uniform() - 0.5) * 0.1 + (tone ? 0.5 * Float(sin(2 * Double.pi * 1000 * Double(i) / 16000)) : 0)
    }
  }

  static func copy(_ from: String, _ to: String) throws {
    try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: from, toPath: to)
  }

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  @Test func visionFolderFindsEveryKindOfProblem() throws {
    let dir = try VisionTrainCommandTests.makeFolder(perClass: 4)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let shapes = dir + "/shapes"
    try Self.copy(shapes + "/bar/0.png", shapes + "/bar/0-copy.png")      // duplicate within a class
    try Self.copy(shapes + "/bar/1.png", shapes + "/frame/from-bar.png")  // label noise
    try Self.copy(shapes + "/disc/2.png", dir + "/test/disc/2.png")       // leakage
    try Self.copy(shapes + "/frame/3.png", dir + "/test/bar/3.png")       // leakage, and a label disagreement
    let r = try GraftBinary.run(["vision", "folder", shapes, "--test", dir + "/test", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let health = try #require(try Self.json(r.stdout)["health"] as? [String: Any])
    let within = try #require(health["duplicates_within_class"] as? [[String: Any]])
    #expect(within.count == 1 && (within[0]["files"] as? [[String: Any]])?.count == 2)
    let across = try #require(health["duplicates_across_classes"] as? [[String: Any]])
    #expect(across.count == 2)  // bar/1 = frame/from-bar; frame/3 = test bar/3
    let leakage = try #require(health["leakage"] as? [[String: Any]])
    #expect(leakage.count == 2)
    let leaked = leakage.flatMap { ($0["files"] as? [[String: Any]]) ?? [] }.filter { $0["set"] as? String == "test" }
    #expect(Set(leaked.compactMap { $0["path"] as? String }) == [dir + "/test/disc/2.png", dir + "/test/bar/3.png"])
    let unreadable = try #require(health["unreadable"] as? [[String: Any]])
    #expect(unreadable.count == 1 && (unreadable[0]["path"] as? String)?.hasSuffix("disc/corrupt.png") == true)
    #expect((health["tiny_classes"] as? [[String: Any]])?.count == 3 && health["tiny_class_limit"] as? Int == 10)
    #expect(health["imbalanced"] as? Bool == false)

    let text = try GraftBinary.run(["vision", "folder", shapes, "--test", dir + "/test"])
    #expect(text.status == 0)
    #expect(text.stdout.contains("health:\n"))
    #expect(text.stdout.contains("2 test file(s) identical to training files (leakage)"))
    #expect(text.stdout.contains("identical files in different classes (label noise)"))
    #expect(text.stdout.contains("label noise: bar: \(shapes)/bar/1.png = frame: \(shapes)/frame/from-bar.png"))

    // Training prints the findings on stderr, one line per kind, and lists them under "health".
    let train = try GraftBinary.run(["vision", "train", "--data", shapes, "--base", "none", "--arch", "smallcnn",
                                     "--widths", "4", "--size", "12", "--epochs", "1", "--out", dir + "/m.graft",
                                     "--json", "--quiet"])
    #expect(train.status == 0, "\(train.stderr)")
    let warnings = train.stderr.split(separator: "\n").filter { $0.hasPrefix("graft: warning: data: ") }
    #expect(warnings.count == 4, "\(train.stderr)")  // duplicates, label noise, unreadable, tiny classes
    #expect(train.stderr.contains("graft: warning: data: 1 unreadable file(s)\n"))
    let trainHealth = try #require(try Self.json(train.stdout)["health"] as? [String: Any])
    #expect((trainHealth["duplicates_across_classes"] as? [Any])?.count == 1)
  }

  @Test func audioFolderFindsDuplicatesLeakageAndUnreadableClips() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-health-audio-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for i in 0..<3 {
      try Self.writeWAV(dir + "/train/tone/t\(i).wav", Self.samples(seconds: 0.5, seed: UInt64(i), tone: true))
      try Self.writeWAV(dir + "/train/noise/n\(i).wav", Self.samples(seconds: 0.5, seed: UInt64(10 + i), tone: false))
    }
    try Self.copy(dir + "/train/tone/t0.wav", dir + "/train/noise/mislabelled.wav")
    try Self.copy(dir + "/train/noise/n1.wav", dir + "/test/noise/n1.wav")
    try Self.writeWAV(dir + "/test/tone/fresh.wav", Self.samples(seconds: 0.5, seed: 99, tone: true))
    try Data("not audio".utf8).write(to: URL(fileURLWithPath: dir + "/train/tone/broken.wav"))
    let r = try GraftBinary.run(["audio", "folder", dir + "/train", "--test", dir + "/test", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let summary = try Self.json(r.stdout)
    let health = try #require(summary["health"] as? [String: Any])
    #expect((health["duplicates_across_classes"] as? [Any])?.count == 1)
    #expect((health["leakage"] as? [Any])?.count == 1)
    let unreadable = try #require(health["unreadable"] as? [[String: Any]])
    #expect(unreadable.count == 1 && (unreadable[0]["path"] as? String)?.hasSuffix("broken.wav") == true)
    #expect(health["imbalanced"] as? Bool == false)
    let text = try GraftBinary.run(["audio", "folder", dir + "/train", "--test", dir + "/test"])
    #expect(text.status == 0 && text.stdout.contains("1 test file(s) identical to training files (leakage)"))
    #expect(text.stdout.contains("1 unreadable file(s)"))
  }

  @Test func textDataFindsDuplicateTextsNoiseAndLeakage() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-health-text-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rows = ["text\tlabel"]
    for i in 0..<12 { rows.append("good film number \(i)\tpos") }
    for i in 0..<12 { rows.append("bad film number \(i)\tneg") }
    rows += ["good film number 0\tpos", "bad film number 3\tpos", "three\tfields\there"]
    try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/train.tsv"))
    try Data("text\tlabel\nbad film number 7\tneg\nsomething new\tpos\n".utf8).write(to: URL(fileURLWithPath: dir + "/test.tsv"))
    let r = try GraftBinary.run(["text", "data", "--data", dir + "/train.tsv", "--test", dir + "/test.tsv", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let health = try #require(try Self.json(r.stdout)["health"] as? [String: Any])
    let within = try #require(health["duplicates_within_class"] as? [[String: Any]])
    #expect(within.count == 1)
    let paths = (within.first?["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
    #expect(paths == [dir + "/train.tsv line 2", dir + "/train.tsv line 26"])
    #expect((health["duplicates_across_classes"] as? [Any])?.count == 1)
    #expect((health["leakage"] as? [Any])?.count == 1)
    #expect((health["unreadable"] as? [Any])?.count == 1)  // the row of three fields
    let text = try GraftBinary.run(["text", "data", "--data", dir + "/train.tsv", "--test", dir + "/test.tsv"])
    #expect(text.status == 0 && text.stdout.contains("1 test file(s) identical to training files (leakage)"))
  }
}
