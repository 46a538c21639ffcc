/// Where each entry's bytes lie in a zip file: the end-of-central-directory record (zip64 too),
/// the central directory and the local headers, parsed with every offset and length checked
/// against the file (PKWARE APPNOTE 6.3.10, sections 4.3.7, 4.3.12, 4.3.14–16, 4.5.3).
///
/// It exists for one job libzip cannot do: reading a stored (uncompressed) entry straight into a
/// tensor without libzip's CRC-32 pass, which costs as much as the copy itself (PyTorch's own
/// reader skips it too: its miniz is built with `MINIZ_DISABLE_ZIP_READER_CRC32_CHECKS`).
/// libzip still opens and validates every archive, reads the pickle, and reads compressed entries
/// or all entries when checksums are wanted; `PyTorchArchive` reads an entry this way only when
/// both readers agree on it, and through libzip otherwise.
struct ZipDirectory {
  struct Failure: Error, Equatable {
    let message: String
  }

  struct Entry: Equatable {
    let name: String
    /// 0 for stored, 8 for deflate, …
    let method: UInt16
    /// General-purpose bit flags; bit 0 means encrypted.
    let flags: UInt16
    let compressedSize: Int
    let size: Int
    let localHeaderOffset: Int
  }

  let entries: [Entry]
  private let indexByName: [String: Int]

  init(file: ReadOnlyFile) throws(Failure) {
    let (directoryOffset, directorySize, count) = try Self.endOfCentralDirectory(file)
    let directory = try Self.bytes(file, at: directoryOffset, count: directorySize)
    var reader = ByteReader(directory)
    var entries: [Entry] = []
    var indexByName: [String: Int] = [:]
    entries.reserveCapacity(min(count, directorySize / 46))
    for _ in 0..<count {
      guard try reader.u32() == 0x0201_4B50 else { throw Failure(message: "central directory header signature missing") }
      try reader.skip(4)  // versions made by / needed
      let flags = try reader.u16(), method = try reader.u16()
      try reader.skip(8)  // time, date, CRC-32
      var compressedSize = Int(try reader.u32()), size = Int(try reader.u32())
      let nameLength = Int(try reader.u16()), extraLength = Int(try reader.u16()), commentLength = Int(try reader.u16())
      try reader.skip(8)  // disk start, internal and external attributes
      var localHeaderOffset = Int(try reader.u32())
      let name = String(decoding: try reader.take(nameLength), as: UTF8.self)
      var extra = ByteReader(try reader.take(extraLength))
      try reader.skip(commentLength)
      // Zip64: the fields stored as 0xFFFFFFFF follow, in this order, in extra field 0x0001.
      if size == 0xFFFF_FFFF || compressedSize == 0xFFFF_FFFF || localHeaderOffset == 0xFFFF_FFFF {
        var zip64: ByteReader?
        while extra.remaining >= 4 {
          let id = try extra.u16(), length = Int(try extra.u16())
          let body = try extra.take(length)
          if id == 0x0001 { zip64 = ByteReader(body) }
        }
        guard var fields = zip64 else { throw Failure(message: "entry '\(name)' lacks its zip64 extra field") }
        if size == 0xFFFF_FFFF { size = try fields.int64() }
        if compressedSize == 0xFFFF_FFFF { compressedSize = try fields.int64() }
        if localHeaderOffset == 0xFFFF_FFFF { localHeaderOffset = try fields.int64() }
      }
      guard localHeaderOffset <= directoryOffset else {
        throw Failure(message: "entry '\(name)' starts past the central directory")
      }
      if indexByName[name] == nil { indexByName[name] = entries.count }
      entries.append(Entry(name: name, method: method, flags: flags, compressedSize: compressedSize, size: size,
                           localHeaderOffset: localHeaderOffset))
    }
    self.entries = entries
    self.indexByName = indexByName
  }

  func entry(named name: String) -> Entry? {
    indexByName[name].map { entries[$0] }
  }

  /// The offset of `entry`'s data, from its local header; its `compressedSize` bytes are checked to
  /// lie inside the file.
  func dataOffset(of entry: Entry, in file: ReadOnlyFile) throws(Failure) -> Int {
    var header = ByteReader(try Self.bytes(file, at: entry.localHeaderOffset, count: 30))
    guard try header.u32() == 0x0403_4B50 else { throw Failure(message: "local header signature missing") }
    try header.skip(22)
    let nameLength = Int(try header.u16()), extraLength = Int(try header.u16())
    let start = entry.localHeaderOffset + 30 + nameLength + extraLength  // each term < 2⁶³ / 4
    let (end, overflow) = start.addingReportingOverflow(entry.compressedSize)
    guard !overflow, end <= file.size else {
      throw Failure(message: "data of \(entry.compressedSize) bytes runs past the end of the file")
    }
    return start
  }

  /// Finds the end-of-central-directory record (searching back over a possible comment) and,
  /// when it says so, the zip64 record; returns the central directory's offset, size and count.
  private static func endOfCentralDirectory(_ file: ReadOnlyFile) throws(Failure) -> (Int, Int, Int) {
    let tailLength = min(file.size, 22 + 0xFFFF)
    let tail = try bytes(file, at: file.size - tailLength, count: tailLength)
    var found: Int?
    var i = tail.count - 22
    while i >= 0 {
      if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06,
        i + 22 + (Int(tail[i + 20]) | Int(tail[i + 21]) << 8) == tail.count
      {
        found = i
        break
      }
      i -= 1
    }
    guard let at = found else { throw Failure(message: "no end of central directory record") }
    let recordOffset = file.size - tailLength + at
    var record = ByteReader(tail[at...])
    try record.skip(10)
    var count = Int(try record.u16())
    var size = Int(try record.u32()), offset = Int(try record.u32())
    if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
      guard recordOffset >= 20 else { throw Failure(message: "zip64 locator missing") }
      var locator = ByteReader(try bytes(file, at: recordOffset - 20, count: 20))
      guard try locator.u32() == 0x0706_4B50 else { throw Failure(message: "zip64 locator missing") }
      try locator.skip(4)
      let zip64Offset = try locator.int64()
      guard zip64Offset <= recordOffset - 20 else { throw Failure(message: "zip64 record past its locator") }
      var zip64 = ByteReader(try bytes(file, at: zip64Offset, count: 56))
      guard try zip64.u32() == 0x0606_4B50 else { throw Failure(message: "zip64 end of central directory record missing") }
      try zip64.skip(28)
      count = try zip64.int64()
      size = try zip64.int64()
      offset = try zip64.int64()
    }
    let (end, overflow) = offset.addingReportingOverflow(size)
    guard !overflow, end <= recordOffset else { throw Failure(message: "central directory runs past its end record") }
    guard count <= size / 46 else { throw Failure(message: "\(count) entries cannot fit a \(size)-byte central directory") }
    return (offset, size, count)
  }

  private static func bytes(_ file: ReadOnlyFile, at offset: Int, count: Int) throws(Failure) -> [UInt8] {
    guard offset >= 0, count >= 0, offset <= file.size, count <= file.size - offset else {
      throw Failure(message: "a record runs past the end of the file")
    }
    do throws(SystemError) {
      return try file.bytes(at: offset, count: count)
    } catch {
      throw Failure(message: error.message)
    }
  }
}

/// Little-endian fields from a byte slice, every read bounds-checked.
private struct ByteReader {
  private let bytes: ArraySlice<UInt8>
  private var position: Int

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    position = bytes.startIndex
  }

  init(_ bytes: [UInt8]) { self.init(bytes[...]) }

  var remaining: Int { bytes.endIndex - position }

  mutating func take(_ count: Int) throws(ZipDirectory.Failure) -> ArraySlice<UInt8> {
    guard count >= 0, count <= remaining else { throw ZipDirectory.Failure(message: "a record is cut short") }
    defer { position += count }
    return bytes[position..<position + count]
  }

  mutating func skip(_ count: Int) throws(ZipDirectory.Failure) { _ = try take(count) }

  private mutating func unsigned(_ count: Int) throws(ZipDirectory.Failure) -> UInt64 {
    var value: UInt64 = 0
    for (i, b) in try take(count).enumerated() { value |= UInt64(b) << UInt64(8 * i) }
    return value
  }

  mutating func u16() throws(ZipDirectory.Failure) -> UInt16 { UInt16(try unsigned(2)) }
  mutating func u32() throws(ZipDirectory.Failure) -> UInt32 { UInt32(try unsigned(4)) }

  /// A zip64 size or offset; values above 2⁶² are refused (no file is that large).
  mutating func int64() throws(ZipDirectory.Failure) -> Int {
    let value = try unsigned(8)
    guard value <= 1 << 62 else { throw ZipDirectory.Failure(message: "a zip64 size or offset of \(value)") }
    return Int(value)
  }
}
