import Foundation

extension HTMLReport {
  /// Writes `dir/index.html` (creating `dir` when missing) atomically: a failed write leaves no
  /// partial page behind. Returns the page's path.
  @discardableResult
  public func write(toDirectory dir: String) throws(FileWriteError) -> String {
    let path = (dir as NSString).appendingPathComponent("index.html")
    // In an MPI job every rank builds the report (its sections may gather across ranks); rank 0 writes it.
    guard ProcessGroups.isLeader else { return path }
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw FileWriteError(path: dir, reason: .cannotCreateDirectory(error.localizedDescription))
    }
    try AtomicFile.write(Array(html().utf8), to: path)
    return path
  }
}
