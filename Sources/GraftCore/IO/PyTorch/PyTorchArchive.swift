/// The entries of a `torch.save` archive (PyTorch ≥ 1.6): `<prefix>/data.pkl` (the pickle),
/// `<prefix>/data/<key>` (one entry of raw elements per storage), `<prefix>/byteorder` (`little`
/// or `big`; little when absent, as torch assumes) and `<prefix>/version`. The prefix is the first
/// entry's directory: `archive` in older files, the file's stem in newer ones.
///
/// libzip opens the archive and reads the small entries and anything compressed, checking
/// CRC-32s. Stored storage entries are read with one `pread` straight into their destination at
/// the offset `ZipDirectory` finds, without a CRC pass, as PyTorch reads them, unless checksums
/// are asked for (or the directory reader and libzip do not see the entry alike: then libzip
/// reads it).
struct PyTorchArchive {
  /// The largest `data.pkl` read (a state dict's pickle takes about 100 bytes per tensor).
  static let maxPickleBytes = 64 << 20
  static let maxByteOrderBytes = 64
  /// The start of the legacy format: pickle protocol 2, then the LONG1 of torch's magic number
  /// 0x1950a86a20f9469cfc6c (`torch/serialization.py`, `MAGIC_NUMBER`).
  static let legacyMagic: [UInt8] = [0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]

  /// Where a storage's bytes come from.
  struct StorageEntry {
    enum Source {
      /// Stored: `size` bytes at this file offset.
      case file(offset: Int)
      /// Read (inflated, CRC-checked) by libzip.
      case libzip(ZipArchive.Entry)
    }

    let name: String
    let size: Int
    let source: Source
  }

  let file: ReadOnlyFile
  let zip: ZipArchive
  /// nil when every entry is read through libzip (checksums asked for).
  let directory: ZipDirectory?
  let prefix: String
  /// The storages' byte order (`byteorder` says `big`).
  let bigEndian: Bool

  init(path: String, verifyingChecksums: Bool) throws(PyTorchFailure) {
    do throws(SystemError) {
      file = try ReadOnlyFile(path: path)
    } catch {
      throw PyTorchFailure(reason: .cannotOpen(error.message))
    }
    try Self.refuseLegacyFormat(file)
    let zip: ZipArchive
    do throws(ZipArchive.Failure) {
      zip = try ZipArchive(path: path)
    } catch {
      throw Self.failure(error)
    }
    let first = zip.entries.first?.name ?? ""
    guard let slash = first.firstIndex(of: "/") else {
      throw PyTorchFailure(reason: .missingEntry(zip.entries.isEmpty ? "data.pkl" : "\(first)/data.pkl"))
    }
    let prefix = String(first[..<slash])
    if zip.entry(named: "\(prefix)/constants.pkl") != nil || zip.entries.contains(where: { $0.name.hasPrefix("\(prefix)/code/") }) {
      throw PyTorchFailure(reason: .torchScriptArchive)
    }
    var bigEndian = false
    if let entry = zip.entry(named: "\(prefix)/byteorder") {
      guard entry.size <= Self.maxByteOrderBytes else {
        throw PyTorchFailure(reason: .entryTooLarge(entry: entry.name, size: entry.size, limit: Self.maxByteOrderBytes))
      }
      let text: String
      do throws(ZipArchive.Failure) {
        text = String(decoding: try zip.read(entry), as: UTF8.self)
      } catch {
        throw Self.failure(error)
      }
      guard text == "little" || text == "big" else { throw PyTorchFailure(reason: .invalidByteOrder(text)) }
      bigEndian = text == "big"
    }
    // The directory reader is only a faster path for what libzip accepted: where it cannot
    // parse the archive, libzip reads every entry.
    directory = verifyingChecksums ? nil : try? ZipDirectory(file: file)
    self.zip = zip
    self.prefix = prefix
    self.bigEndian = bigEndian
  }

  /// The bytes of `data.pkl`.
  func pickle() throws(PyTorchFailure) -> [UInt8] {
    let name = "\(prefix)/data.pkl"
    guard let entry = zip.entry(named: name) else { throw PyTorchFailure(reason: .missingEntry(name)) }
    guard entry.size <= Self.maxPickleBytes else {
      throw PyTorchFailure(reason: .entryTooLarge(entry: name, size: entry.size, limit: Self.maxPickleBytes))
    }
    return try read(entry)
  }

  /// The entry holding `storage`, checked to hold exactly its elements.
  func entry(for storage: StorageReference, dtype: PyTorchDType) throws(PyTorchFailure) -> StorageEntry {
    let name = "\(prefix)/data/\(storage.key)"
    guard let entry = zip.entry(named: name) else { throw PyTorchFailure(reason: .missingEntry(name)) }
    let expected = storage.count * dtype.byteCount  // count ≤ Int.max / 8 (PickleMachine)
    guard entry.size == expected else {
      throw PyTorchFailure(reason: .storageSizeMismatch(storage: storage.key, expectedBytes: expected, actualBytes: entry.size))
    }
    // Read directly only what both readers see as the same stored, unencrypted entry.
    if let directory, !entry.compressed, let direct = directory.entry(named: name), direct.method == 0,
      direct.flags & 1 == 0, direct.size == entry.size, direct.compressedSize == entry.size,
      let offset = try? directory.dataOffset(of: direct, in: file)
    {
      return StorageEntry(name: name, size: entry.size, source: .file(offset: offset))
    }
    return StorageEntry(name: name, size: entry.size, source: .libzip(entry))
  }

  /// A stored entry's bytes to read straight into `destination`.
  struct DirectRead {
    let entry: String
    let read: ReadOnlyFile.Read
  }

  /// Performs `reads`, split across threads by bytes (`ReadOnlyFile.read(_:)`).
  func read(_ reads: [DirectRead]) throws(PyTorchFailure) {
    if let (i, error) = file.read(reads.map(\.read)) {
      throw PyTorchFailure(reason: .unreadableEntry(entry: reads[i].entry, message: error.message))
    }
  }

  /// Reads all of `entry` into `buffer` (of `entry.size` bytes).
  func read(_ entry: StorageEntry, into buffer: UnsafeMutableRawBufferPointer) throws(PyTorchFailure) {
    switch entry.source {
    case .libzip(let zipEntry):
      do throws(ZipArchive.Failure) {
        try zip.read(zipEntry, into: buffer)
      } catch {
        throw Self.failure(error)
      }
    case .file(let offset):
      do throws(SystemError) {
        try file.read(into: buffer, at: offset)
      } catch {
        throw PyTorchFailure(reason: .unreadableEntry(entry: entry.name, message: error.message))
      }
    }
  }

  func read(_ entry: ZipArchive.Entry) throws(PyTorchFailure) -> [UInt8] {
    do throws(ZipArchive.Failure) {
      return try zip.read(entry)
    } catch {
      throw Self.failure(error)
    }
  }

  private static func failure(_ error: ZipArchive.Failure) -> PyTorchFailure {
    if let entry = error.entry {
      PyTorchFailure(reason: .unreadableEntry(entry: entry, message: error.message))
    } else {
      PyTorchFailure(reason: .invalidZipArchive(error.message))
    }
  }

  /// Reports the legacy format by its magic number (libzip would only say "Not a zip archive").
  private static func refuseLegacyFormat(_ file: ReadOnlyFile) throws(PyTorchFailure) {
    let head: [UInt8]
    do throws(SystemError) {
      head = try file.bytes(at: 0, count: 2 + legacyMagic.count)
    } catch {
      throw PyTorchFailure(reason: .cannotOpen(error.message))
    }
    if head.count == 2 + legacyMagic.count, head.first == 0x80, head.dropFirst(2).elementsEqual(legacyMagic) {
      throw PyTorchFailure(reason: .legacyFormat)
    }
  }
}
