#if canImport(Glibc)
import Glibc
#endif

/// Unbuffered writes to standard output/error (file descriptors, so no shared
/// `FILE*` state is touched from concurrent code).
public enum Console {
  public static func writeError(_ text: String) { write(fd: 2, text) }
  /// Standard output: results. In a data-parallel job only rank 0 prints them (every rank holds
  /// the same results); errors go to standard error from any rank.
  public static func writeOutput(_ text: String) {
    guard ProcessGroups.isLeader else { return }
    write(fd: 1, text)
  }
  public static var errorIsTerminal: Bool { isatty(2) != 0 }

  static func write(fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { bytes in
      var offset = 0
      while offset < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n <= 0 { if errno == EINTR { continue }; return }
        offset += n
      }
    }
  }
}
