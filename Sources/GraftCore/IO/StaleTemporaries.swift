import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What writes killed before they finished leave behind, found by name: `.NAME.tmp-PID-RANDOM`
/// (an `AtomicFile` temporary file or a `ModelBundle` temporary directory) and `.NAME.old-PID`
/// (an old bundle moved aside). A leftover is stale when no process with its PID exists any
/// more (`kill(pid, 0)` fails with `ESRCH`); a live PID — the writer itself, or a concurrent
/// one — is never touched. The next write of NAME removes stale leftovers.
enum StaleTemporaries {
  /// Paths in `directory` named `.<name>.<kind>-PID` or `.<name>.<kind>-PID-…` whose process is gone.
  static func stale(in directory: String, name: String, kind: String) -> [String] {
    let prefix = ".\(name).\(kind)-"
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
    return entries.filter { entry in
      guard entry.utf8.starts(with: prefix.utf8) else { return false }
      let rest = entry.utf8.dropFirst(prefix.utf8.count)
      let digits = rest.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
      guard !digits.isEmpty, digits.count <= 9, digits.count == rest.count || rest[digits.endIndex] == UInt8(ascii: "-"),
            let pid = pid_t(String(decoding: digits, as: UTF8.self)) else { return false }
      return isGone(pid)
    }.map { (directory as NSString).appendingPathComponent($0) }
  }

  /// Whether no process has this PID.
  static func isGone(_ pid: pid_t) -> Bool {
    guard pid > 0, pid != getpid() else { return false }
    return kill(pid, 0) != 0 && errno == ESRCH
  }

  /// Removes the stale leftovers of `kind` for `name` in `directory` (files or directories);
  /// failures are ignored (a leftover that cannot be removed costs only space).
  static func remove(in directory: String, name: String, kind: String) {
    for path in stale(in: directory, name: name, kind: kind) { try? FileManager.default.removeItem(atPath: path) }
  }
}
