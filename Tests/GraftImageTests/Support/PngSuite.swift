import Foundation
import Testing

/// The shared PNG conformance set, `../shared/conformance/pngsuite/` beside the repository
/// (see its README.md): one `Case` per row of MANIFEST.tsv.
enum PngSuite {
  struct Case: CustomTestStringConvertible, Sendable {
    var file: String
    var valid: Bool
    var width: Int?
    var height: Int?
    var bitDepth: Int?
    var colorType: Int?
    var interlace: Int?
    /// `sha256_libpng_raw_strip16`: RGBA8, 16-bit samples reduced to the high byte.
    var sha256Strip16: String
    var path: String { PngSuite.directory + "/" + file }
    var testDescription: String { file }
  }

  /// `<repo>/../shared/conformance/pngsuite`, the repository root found from this file's path.
  static let directory: String = {
    let repo = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    return repo.deletingLastPathComponent().appendingPathComponent("shared/conformance/pngsuite")
      .standardizedFileURL.path
  }()

  static var manifestPath: String { directory + "/MANIFEST.tsv" }

  /// Whether the shared set is present (CI always has it).
  static let isAvailable: Bool = {
    let present = FileManager.default.fileExists(atPath: manifestPath)
    if !present {
      print("warning: PngSuite not found at \(manifestPath); PNG conformance tests are skipped")
    }
    return present
  }()

  /// Every manifest row; empty when the set is absent.
  static let cases: [Case] = {
    guard let text = try? String(contentsOfFile: manifestPath, encoding: .utf8) else { return [] }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: true)
    guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    else { return [] }
    lines.removeFirst()
    func column(_ name: String) -> Int { header.firstIndex(of: name) ?? -1 }
    let (file, valid, width, height) = (column("file"), column("valid"), column("width"), column("height"))
    let (depth, type, interlace) = (column("bit_depth"), column("color_type"), column("interlace"))
    let sha = column("sha256_libpng_raw_strip16")
    return lines.compactMap { line in
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count == header.count else { return nil }
      return Case(file: f[file], valid: f[valid] == "yes", width: Int(f[width]), height: Int(f[height]),
                  bitDepth: Int(f[depth]), colorType: Int(f[type]), interlace: Int(f[interlace]),
                  sha256Strip16: f[sha])
    }
  }()

  static var valid: [Case] { cases.filter(\.valid) }
  static var invalid: [Case] { cases.filter { !$0.valid } }

  /// The valid case named `file` (for tests of one particular image).
  static func named(_ file: String) -> Case? { cases.first { $0.file == file } }
}
