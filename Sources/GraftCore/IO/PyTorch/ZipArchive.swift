import CZip

/// A zip archive opened read-only through libzip: the one file that calls libzip's C functions
/// (`zip_open`, `zip_get_num_entries`, `zip_get_name`, `zip_stat_index`, `zip_fopen_index`,
/// `zip_fread`, `zip_fclose`, `zip_discard` and the `zip_error_*`/`zip_*strerror` messages).
///
/// Entries may be stored (as `torch.save` writes them) or compressed with any method libzip was
/// built with (deflate at least). Reading an entry to its end makes libzip check its CRC-32 and
/// size against the central directory, so a damaged entry is an error, never silently wrong data.
final class ZipArchive {
  /// libzip refused the archive or an entry; `message` is libzip's (or ours, for a size mismatch).
  struct Failure: Error, Equatable {
    /// The entry being read, or nil when the archive itself could not be opened.
    let entry: String?
    let message: String
    /// True when libzip found no zip structure at all (`ZIP_ER_NOZIP`).
    var notAZip = false
  }

  struct Entry: Equatable {
    let index: UInt64
    let name: String
    /// Uncompressed size in bytes, from the central directory.
    let size: Int
    /// Stored with a compression method other than "store".
    let compressed: Bool
  }

  private let handle: OpaquePointer
  /// Every entry, in central-directory order.
  let entries: [Entry]
  private let indexByName: [String: Int]

  init(path: String) throws(Failure) {
    var code: Int32 = 0
    guard let handle = zip_open(path, ZIP_RDONLY, &code) else {
      var error = zip_error_t()
      zip_error_init_with_code(&error, code)
      defer { zip_error_fini(&error) }
      throw Failure(entry: nil, message: String(cString: zip_error_strerror(&error)), notAZip: code == ZIP_ER_NOZIP)
    }
    self.handle = handle
    var entries: [Entry] = []
    var indexByName: [String: Int] = [:]
    let count = max(zip_get_num_entries(handle, 0), 0)
    entries.reserveCapacity(Int(count))
    for i in 0..<UInt64(count) {
      var stat = zip_stat_t()
      zip_stat_init(&stat)
      guard zip_stat_index(handle, i, 0, &stat) == 0, let cName = zip_get_name(handle, i, ZIP_FL_ENC_RAW) else {
        let message = String(cString: zip_strerror(handle))
        zip_discard(handle)
        throw Failure(entry: "#\(i)", message: message)
      }
      let name = String(cString: cName)  // invalid UTF-8 is repaired; torch writes ASCII names
      guard stat.valid & UInt64(ZIP_STAT_SIZE) != 0, stat.size <= UInt64(Int.max) else {
        zip_discard(handle)
        throw Failure(entry: name, message: "size is missing or too large")
      }
      let compressed = stat.valid & UInt64(ZIP_STAT_COMP_METHOD) != 0 && stat.comp_method != UInt16(ZIP_CM_STORE)
      if indexByName[name] == nil { indexByName[name] = entries.count }
      entries.append(Entry(index: i, name: name, size: Int(stat.size), compressed: compressed))
    }
    self.entries = entries
    self.indexByName = indexByName
  }

  deinit { zip_discard(handle) }

  /// The first entry called `name`, if any.
  func entry(named name: String) -> Entry? {
    indexByName[name].map { entries[$0] }
  }

  /// Reads all of `entry` into `buffer`, whose size must be `entry.size`, and checks its CRC-32.
  func read(_ entry: Entry, into buffer: UnsafeMutableRawBufferPointer) throws(Failure) {
    precondition(buffer.count == entry.size, "ZipArchive.read: buffer of \(buffer.count) bytes for \(entry.size)")
    guard let file = zip_fopen_index(handle, entry.index, 0) else {
      throw Failure(entry: entry.name, message: String(cString: zip_strerror(handle)))
    }
    defer { zip_fclose(file) }
    var done = 0
    while done < buffer.count, let base = buffer.baseAddress {
      let n = zip_fread(file, base + done, UInt64(buffer.count - done))
      if n < 0 { throw Failure(entry: entry.name, message: String(cString: zip_file_strerror(file))) }
      if n == 0 { throw Failure(entry: entry.name, message: "ends after \(done) of its \(entry.size) bytes") }
      done += Int(n)
    }
    // libzip checks the CRC-32 (and the size) when a read reaches the end of the entry.
    var extra: UInt8 = 0
    let n = zip_fread(file, &extra, 1)
    if n < 0 { throw Failure(entry: entry.name, message: String(cString: zip_file_strerror(file))) }
    if n > 0 { throw Failure(entry: entry.name, message: "holds more than its recorded \(entry.size) bytes") }
  }

  /// The bytes of `entry` (CRC-checked).
  func read(_ entry: Entry) throws(Failure) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: entry.size)
    try bytes.withUnsafeMutableBytes { raw in Result { () throws(Failure) in try read(entry, into: raw) } }.get()
    return bytes
  }
}
