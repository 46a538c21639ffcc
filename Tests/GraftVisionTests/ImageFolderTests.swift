import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

@Suite struct ImageFolderTests {
  /// root/cat: 3 PNGs (one in a sub-folder); root/dog: 1 PNG, 1 corrupt PNG, a text file and a
  /// hidden file; root/.cache: a hidden folder that is not a class.
  func makeFolder() throws -> TemporaryDirectory {
    let dir = try TemporaryDirectory("graft-imagefolder")
    let fm = FileManager.default
    for sub in ["cat/more", "dog", ".cache"] {
      try fm.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true)
    }
    func png(_ value: UInt8, _ w: Int, _ h: Int, channels: Int = 3) -> Image {
      Image(width: w, height: h, channels: channels,
            samples: (0..<(w * h * channels)).map { value &+ UInt8(truncatingIfNeeded: $0) })
    }
    try encodePNG(png(10, 6, 4), to: dir.file("cat/a.png"))
    try encodePNG(png(50, 4, 4, channels: 1), to: dir.file("cat/b.PNG"))
    try encodePNG(png(90, 5, 7, channels: 4), to: dir.file("cat/more/c.png"))
    try encodePNG(png(130, 8, 8), to: dir.file("dog/d.png"))
    try dir.write([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48], to: "dog/broken.png")
    try dir.write(Array("notes".utf8), to: "dog/notes.txt")
    try dir.write([1, 2, 3], to: "dog/.DS_Store")
    try encodePNG(png(1, 2, 2), to: dir.file(".cache/x.png"))
    return dir
  }

  /// The images' own side for training from scratch: the most common longer side (cat 6, 4, 7;
  /// dog 8; the corrupt file, the text file and the hidden folder not counted), ties to the
  /// smaller, clamped to the range; nil for a folder with no readable PNG.
  @Test func nativeSideIsTheMostCommonLongerSide() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    #expect(ImageFolder.nativeSide(root: dir.path, range: 1...224) == 4)  // 6, 4, 7, 8 once each: the smallest
    try encodePNG(Image(width: 3, height: 8, channels: 1, samples: [UInt8](repeating: 9, count: 24)), to: dir.file("dog/e.png"))
    #expect(ImageFolder.nativeSide(root: dir.path, range: 1...224) == 8)  // 8 twice
    #expect(ImageFolder.nativeSide(root: dir.path) == 16)                 // clamped to 16...224
    #expect(ImageFolder.nativeSide(root: dir.path, range: 1...6) == 6)
    #expect(ImageFolder.nativeSide(root: dir.file("dog/notes.txt")) == nil)
    let empty = try TemporaryDirectory("graft-imagefolder-empty")
    defer { empty.remove() }
    #expect(ImageFolder.nativeSide(root: empty.path) == nil)
  }

  let prep = ImageFolder.Preprocessing(width: 4, height: 3)

  @Test func scansClassesItemsAndReportsTheCorruptFile() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    let folder = try ImageFolder(root: dir.path, preprocessing: prep)
    #expect(folder.classes == ["cat", "dog"])
    #expect(folder.items.map { String($0.path.dropFirst(dir.path.count + 1)) }
            == ["cat/a.png", "cat/b.PNG", "cat/more/c.png", "dog/d.png"])
    #expect(folder.items.map(\.label) == [0, 0, 0, 1])
    #expect(folder.count == 4 && folder.label(at: 3) == 1)
    let report = folder.report
    #expect(report.classCounts.map(\.name) == ["cat", "dog"])
    #expect(report.classCounts.map(\.count) == [3, 1])
    #expect(report.imbalanceRatio == 3)
    #expect(report.skipped.count == 1)
    #expect(report.skipped.first?.path == dir.file("dog/broken.png"))
    if case .corrupt = report.skipped.first?.reason {} else { Issue.record("\(report.skipped)") }
    #expect(report.ignored == ["dog/notes.txt"])
    #expect(report.description.contains(dir.file("dog/broken.png")))
  }

  @Test func examplesArePreprocessedTensors() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    let folder = try ImageFolder(root: dir.path, preprocessing: prep)
    for i in 0..<folder.count {
      let example = try folder.example(at: i)
      let expected = try decodePNG(at: folder.items[i].path).toRGB().resized(width: 4, height: 3)
        .toTensor(normalization: .imageNet)
      #expect(example.input.shape == [3, 3, 4])
      #expect(example.input.scalars == expected.scalars)
      #expect(example.label == folder.items[i].label)
    }
  }

  @Test func unverifiedCorruptFileIsSkippedByTheLoader() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    let folder = try ImageFolder(root: dir.path, preprocessing: prep, verify: .none)
    #expect(folder.count == 5 && folder.report.skipped.isEmpty)
    let broken = try #require(folder.items.firstIndex { $0.path.hasSuffix("broken.png") })
    #expect(throws: PNGError.self) { try folder.example(at: broken) }
    let loader = DataLoader(folder, sampler: BatchSampler(count: folder.count, batchSize: 2, order: .sequential))
    var seen = 0
    for batch in loader.batches(epoch: 0) {
      #expect(batch.inputs.shape.dropFirst() == [3, 3, 4])
      seen += batch.size
    }
    #expect(seen == 4)
    #expect(loader.skipped.map(\.index) == [broken])
    #expect(loader.skipped.first.map { String(describing: $0) }?.contains("broken.png") == true)
  }

  @Test func fullDecodeVerificationCatchesBadPixelData() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    // A valid header with its image data cut off: the header check passes, the decode does not.
    let good = try PNGEncoder.encode(Image(width: 8, height: 8, channels: 3, samples: [UInt8](repeating: 9, count: 192)))
    try dir.write(Array(good.prefix(good.count - 20)), to: "dog/truncated.png")
    #expect(try ImageFolder(root: dir.path, preprocessing: prep).count == 5)
    let strict = try ImageFolder(root: dir.path, preprocessing: prep, verify: .decode)
    #expect(strict.count == 4)
    #expect(Set(strict.report.skipped.map(\.path)) == [dir.file("dog/broken.png"), dir.file("dog/truncated.png")])
  }

  @Test func folderErrorsNameThePath() throws {
    #expect(throws: ImageFolderError(path: "/nonexistent/graft", reason: .notFound)) {
      try ImageFolder(root: "/nonexistent/graft", preprocessing: prep)
    }
    let dir = try makeFolder()
    defer { dir.remove() }
    #expect(throws: ImageFolderError(path: dir.file("cat/a.png"), reason: .notADirectory)) {
      try ImageFolder(root: dir.file("cat/a.png"), preprocessing: prep)
    }
    #expect(throws: ImageFolderError(path: dir.file(".cache"), reason: .noClasses)) {
      try ImageFolder(root: dir.file(".cache"), preprocessing: prep)
    }
    try FileManager.default.createDirectory(atPath: dir.file("emu"), withIntermediateDirectories: false)
    try dir.write(Array("x".utf8), to: "emu/readme.txt")
    #expect(throws: ImageFolderError(path: dir.file("emu"), reason: .emptyClass)) {
      try ImageFolder(root: dir.path, preprocessing: prep)
    }
  }

  @Test func shorterSideThenCenterCrop() throws {
    let dir = try makeFolder()
    defer { dir.remove() }
    var p = ImageFolder.Preprocessing(width: 3, height: 3, normalization: .unit, resizeShorterSide: 4)
    let folder = try ImageFolder(root: dir.path, preprocessing: p)
    let x = try folder.example(at: 0)  // cat/a.png, 6×4 → 6×4 → 3×3 centre
    let expected = try decodePNG(at: folder.items[0].path).resizedShorterSide(to: 4)
      .centerCropped(width: 3, height: 3).toTensor()
    #expect(x.input.scalars == expected.scalars)
    p.layout = .gray
    #expect(p.apply(to: try decodePNG(at: folder.items[0].path)).shape == [1, 3, 3])
  }

  /// Class folders named `café` in NFC and in NFD (distinct on Linux file systems) are refused by
  /// name rather than becoming two classes that print alike (issue 16).
  @Test func classFoldersEqualOnlyUnderNormalisationAreRefused() throws {
    let dir = try TemporaryDirectory("graft-imagefolder-nfd")
    for name in ["caf\u{E9}", "cafe\u{301}"] {
      try FileManager.default.createDirectory(atPath: dir.file(name), withIntermediateDirectories: true)
      try encodePNG(Image(width: 2, height: 2, channels: 1, samples: [1, 2, 3, 4]), to: dir.file(name + "/a.png"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 2)
    #expect(throws: ImageFolderError(path: dir.path, reason: .equivalentClasses("cafe\u{301}", "caf\u{E9}"))) {
      try ImageFolder(root: dir.path, preprocessing: prep)
    }
  }
}
