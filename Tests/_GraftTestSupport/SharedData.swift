import Foundation
import Testing

/// The `../shared` folder beside the repository (conformance files, real datasets, pretrained
/// networks and their reference outputs). CI has it; a plain clone does not. Tests that need it
/// use `SharedData.path(_:)` in an `.enabled(if:)` trait, so they are skipped, with a message
/// naming the missing path, where it is absent:
///
/// ```swift
/// @Test(.enabled(if: SharedData.has("pretrained/ref"), SharedData.skipMessage("pretrained/ref")))
/// func parity() throws { let dir = SharedData.path("pretrained/ref")! … }
/// ```
public enum SharedData {
  /// `<repo>/../shared`, found from this file's path (`<repo>/Tests/_GraftTestSupport/…`).
  public static let root: String = {
    URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL.path
  }()

  /// The absolute path of `relative` under `../shared`, or nil (with a warning on stdout, once per
  /// call) when it does not exist.
  public static func path(_ relative: String) -> String? {
    let full = root + "/" + relative
    if FileManager.default.fileExists(atPath: full) { return full }
    print("warning: \(full) not found: tests that need ../shared/\(relative) are skipped")
    return nil
  }

  /// Whether `../shared/relative` exists.
  public static func has(_ relative: String) -> Bool { path(relative) != nil }

  /// The message of an `.enabled(if:)` trait for a test that needs `../shared/relative`.
  public static func skipMessage(_ relative: String) -> Comment {
    Comment(rawValue: "../shared/\(relative) is absent (a plain clone): this test needs it and is skipped")
  }
}
