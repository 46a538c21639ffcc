import Foundation

extension HTMLReport {
  /// Writes `dir/index.html` (creating `dir` when missing) atomically: a failed write leaves no
  /// partial page behind. Returns the page's path.
  @discardableResult
  public func write(toDirectory dir: String) throws(FileWriteError) -> String {
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw FileWriteError(path: dir, reason: .cannotCreateDirectory(error.localizedDescription))
    }
    let path = (dir as NSString).appendingPathComponent("index.html")
    try AtomicFile.write(Array(html().utf8), to: path)
    return path
  }
}
