#if canImport(Glibc)
import Glibc
#endif

/// Writes a file so that readers see either the old file or the complete new one, never a prefix.
///
/// The bytes go to a temporary file in the target's directory (`.NAME.tmp-PID-RANDOM`), which is
/// flushed with `fsync(2)` and then `rename(2)`d over the target; POSIX makes the rename atomic.
/// Last, the directory is `fsync`ed so the rename itself survives a crash (the sequence described
/// in the Linux `fsync(2)` and `rename(2)` man pages). On any failure before the rename the temporary
/// file is removed and an existing target is left untouched.
public enum AtomicFile {
  /// Replaces the file at `path` with `bytes`.
  public static func write(_ bytes: [UInt8], to path: String) throws(FileWriteError) {
    try writeStreaming(to: path) { (sink) throws(FileWriteError) in try sink.write(bytes) }
  }

  /// Replaces the file at `path` with what `body` writes to the sink.
  ///
  /// If `body` throws, its error is rethrown unchanged after the temporary file is removed; the
  /// target is not touched. Failures of the file system throw `FileWriteError`.
  public static func write(to path: String, _ body: (FileSink) throws -> Void) throws {
    let file = try TemporaryFile(for: path)
    do {
      try body(file.sink)
    } catch {
      file.discard()
      throw error
    }
    try file.commit()
  }

  /// `write(to:_:)` for bodies that only write (so the whole call keeps a typed error).
  static func writeStreaming(
    to path: String, _ body: (FileSink) throws(FileWriteError) -> Void
  ) throws(FileWriteError) {
    let file = try TemporaryFile(for: path)
    do {
      try body(file.sink)
    } catch {
      file.discard()
      throw error
    }
    try file.commit()
  }
}

/// The open temporary file that an `AtomicFile` write fills. Valid only inside the body.
public final class FileSink {
  /// The target path (errors name it, not the temporary file).
  public let path: String
  fileprivate var descriptor: Int32?

  fileprivate init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  /// Appends `bytes`. Throws `writeFailed` on an I/O error or once the write has finished.
  public func write(_ bytes: UnsafeRawBufferPointer) throws(FileWriteError) {
    guard let fd = descriptor else {
      throw FileWriteError(path: path, reason: .writeFailed(SystemError(code: EBADF).message))
    }
    do throws(SystemError) {
      try Syscalls.writeAll(fd, bytes)
    } catch {
      throw FileWriteError(path: path, reason: .writeFailed(error.message))
    }
  }

  public func write(_ bytes: [UInt8]) throws(FileWriteError) {
    // `withUnsafeBytes` rethrows untyped errors, so the typed error travels in a `Result`.
    try bytes.withUnsafeBytes { raw in
      Result { () throws(FileWriteError) in try write(raw) }
    }.get()
  }

  /// Appends the UTF-8 bytes of `string`.
  public func write(_ string: String) throws(FileWriteError) {
    try write(Array(string.utf8))
  }
}

/// The temporary file of one atomic write, and the steps that publish or discard it.
private struct TemporaryFile {
  let target: String
  let temporaryPath: String
  let directory: String
  let sink: FileSink

  init(for target: String) throws(FileWriteError) {
    guard let (directory, prefix, name) = TemporaryFile.split(target) else {
      throw FileWriteError(path: target, reason: .invalidPath)
    }
    // Temporaries of earlier writes of this file whose process was killed.
    StaleTemporaries.remove(in: directory, name: TemporaryFile.shortened(name), kind: "tmp")
    var attempt = 0
    while true {
      let suffix = String(UInt32.random(in: .min ... .max), radix: 16)
      let candidate = "\(prefix).\(TemporaryFile.shortened(name)).tmp-\(getpid())-\(suffix)"
      do throws(SystemError) {
        let fd = try Syscalls.open(candidate, O_WRONLY | O_CREAT | O_EXCL, mode: 0o666)
        self.target = target
        self.temporaryPath = candidate
        self.directory = directory
        self.sink = FileSink(path: target, descriptor: fd)
        return
      } catch {
        attempt += 1
        if error.code != EEXIST || attempt >= 16 {
          throw FileWriteError(path: target, reason: .cannotCreate(error.message))
        }
      }
    }
  }

  /// Flushes, closes and renames over the target, then syncs the directory.
  func commit() throws(FileWriteError) {
    guard let fd = sink.descriptor else {
      throw FileWriteError(path: target, reason: .writeFailed(SystemError(code: EBADF).message))
    }
    sink.descriptor = nil
    do throws(SystemError) {
      try Syscalls.fsync(fd)
    } catch {
      try? Syscalls.close(fd)
      Syscalls.unlinkIgnoringErrors(temporaryPath)
      throw FileWriteError(path: target, reason: .syncFailed(error.message))
    }
    do throws(SystemError) {
      try Syscalls.close(fd)
    } catch {
      Syscalls.unlinkIgnoringErrors(temporaryPath)
      throw FileWriteError(path: target, reason: .syncFailed(error.message))
    }
    do throws(SystemError) {
      try Syscalls.rename(temporaryPath, target)
    } catch {
      Syscalls.unlinkIgnoringErrors(temporaryPath)
      throw FileWriteError(path: target, reason: .renameFailed(error.message))
    }
    do throws(SystemError) {
      let dirFD = try Syscalls.open(directory, O_RDONLY | O_DIRECTORY)
      defer { try? Syscalls.close(dirFD) }
      try Syscalls.fsync(dirFD)
    } catch {
      throw FileWriteError(path: target, reason: .directorySyncFailed(error.message))
    }
  }

  /// Closes and removes the temporary file; the target is untouched.
  func discard() {
    if let fd = sink.descriptor {
      sink.descriptor = nil
      try? Syscalls.close(fd)
    }
    Syscalls.unlinkIgnoringErrors(temporaryPath)
  }

  /// The directory to sync, the path up to and including its last `/`, and the file name;
  /// nil when the path names no file.
  static func split(_ path: String) -> (directory: String, prefix: String, name: String)? {
    let slash = path.lastIndex(of: "/")
    let name = String(slash.map { path[path.index(after: $0)...] } ?? path[...])
    guard !name.isEmpty, name != ".", name != ".." else { return nil }
    guard let slash else { return (".", "", name) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[...slash]), name)
  }

  /// The file name cut to at most 200 UTF-8 bytes, so the temporary name stays under NAME_MAX.
  static func shortened(_ name: String) -> String {
    var out = "", bytes = 0
    for c in name {
      bytes += c.utf8.count
      if bytes > 200 { break }
      out.append(c)
    }
    return out
  }
}
