import Foundation
import GraftCore
import GraftVision
import Testing
import _GraftTestSupport

/// `graft vision …`, run as a process. Uses PngSuite files from `../shared/conformance/pngsuite`.
@Suite struct VisionCommandTests {
  static let pngsuite = SharedData.root + "/conformance/pngsuite"
  static let available = SharedData.has("conformance/pngsuite/MANIFEST.tsv")

  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("graft-cli-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)-\(name)").path
  }

  @Test(.enabled(if: available, SharedData.skipMessage("conformance/pngsuite")), arguments: ["tbbn3p08.png", "basi0g04.png", "basn2c16.png"])
  func decodeWritesTheDecodersRGBAPixels(_ file: String) throws {
    let input = Self.pngsuite + "/" + file
    let out = temporaryPath("out.npy")
    defer { unlink(out) }
    let r = try GraftBinary.run(["vision", "decode", input, "--out", out, "--channels", "rgba"])
    #expect(r.status == 0, "\(r.stderr)")
    let array = try NPY.read(out)
    let image = try decodePNG(at: input).toRGBA()
    #expect(array.shape == [image.height, image.width, 4])
    #expect(array.dtype == .uint8)
    #expect(array.bytes == image.samples)
  }

  @Test(.enabled(if: available, SharedData.skipMessage("conformance/pngsuite"))) func decodeKeeps16BitSamplesLittleEndian() throws {
    let input = Self.pngsuite + "/basn0g16.png"
    let out = temporaryPath("wide.npy")
    defer { unlink(out) }
    let r = try GraftBinary.run(["vision", "decode", input, "--out", out, "--16bit"])
    #expect(r.status == 0, "\(r.stderr)")
    let array = try NPY.read(out)
    let image = try decodePNG(at: input, keep16: true)
    #expect(array.shape == [image.height, image.width, 1])
    #expect(array.dtype == .uint16)
    let expected = try #require(image.samples16)
    #expect(array.bytes == NPYArray(pixels: expected, shape: array.shape).bytes)
  }

  @Test(.enabled(if: available, SharedData.skipMessage("conformance/pngsuite"))) func infoJSONHasTheHeaderFields() throws {
    let input = Self.pngsuite + "/basi3p02.png"
    let r = try GraftBinary.run(["vision", "info", input, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["path", "width", "height", "channels", "bit_depth", "color_type",
                                 "interlace", "transparency"])
    #expect(object["width"] as? Int == 32 && object["height"] as? Int == 32)
    #expect(object["channels"] as? Int == 3)
    #expect(object["bit_depth"] as? Int == 2)
    #expect(object["color_type"] as? String == "palette")
    #expect(object["interlace"] as? String == "adam7")
  }

  @Test(.enabled(if: available, SharedData.skipMessage("conformance/pngsuite"))) func decodeReportsLibpngWarningsOnStderr() throws {
    let input = Self.pngsuite + "/libpng/contrib-testpngs/crashers/empty_ancillary_chunks.png"
    let out = temporaryPath("warned.npy")
    defer { unlink(out) }
    let r = try GraftBinary.run(["vision", "decode", input, "--out", out, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.hasPrefix("graft: \(input): warning: bKGD: out of place\n"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect((object["warnings"] as? [String])?.count == 28)
    #expect(object["shape"] as? [Int] == [1, 1, 3])
  }

  @Test func corruptFileFailsWithOneLineNamingIt() throws {
    let input = temporaryPath("broken.png")
    defer { unlink(input) }
    // The PNG signature and a truncated IHDR chunk.
    let bytes: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]
    _ = FileManager.default.createFile(atPath: input, contents: Data(bytes))
    let out = temporaryPath("never.npy")
    let r = try GraftBinary.run(["vision", "decode", input, "--out", out])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("graft: \(input): corrupt PNG"))
    #expect(r.stderr.split(separator: "\n").count == 1)
    #expect(!FileManager.default.fileExists(atPath: out))
    let info = try GraftBinary.run(["vision", "info", input])
    #expect(info.status == 1 && info.stderr.contains(input))
  }

  @Test func folderReportsClassesAndTheCorruptFile() throws {
    let root = temporaryPath("folder")
    defer { try? FileManager.default.removeItem(atPath: root) }
    for name in ["ant", "bee"] {
      try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
    }
    let image = Image(width: 2, height: 2, channels: 1, samples: [0, 1, 2, 3])
    for file in ["ant/1.png", "ant/2.png", "bee/1.png"] { try encodePNG(image, to: root + "/" + file) }
    _ = FileManager.default.createFile(atPath: root + "/bee/bad.png", contents: Data("not a png".utf8))
    let r = try GraftBinary.run(["vision", "folder", root, "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let classes = try #require(object["classes"] as? [[String: Any]])
    #expect(classes.map { $0["name"] as? String } == ["ant", "bee"])
    #expect(classes.map { $0["count"] as? Int } == [2, 1])
    #expect(object["total"] as? Int == 3)
    #expect(object["imbalance_ratio"] as? Double == 2)
    let skipped = try #require(object["skipped"] as? [[String: Any]])
    #expect(skipped.count == 1 && skipped.first?["path"] as? String == root + "/bee/bad.png")
    let missing = try GraftBinary.run(["vision", "folder", root + "/nope"])
    #expect(missing.status == 1)
    #expect(missing.stderr == "graft: \(root)/nope: no such directory\n")
  }

  @Test func missingFileAndBadChannelsExitCodes() throws {
    let r = try GraftBinary.run(["vision", "info", "/nonexistent/graft.png"])
    #expect(r.status == 1)
    #expect(r.stderr == "graft: /nonexistent/graft.png: no such file\n")
    let usage = try GraftBinary.run(["vision", "decode", "x.png", "--out", "y.npy", "--channels", "cmyk"])
    #expect(usage.status == 2)
  }
}
