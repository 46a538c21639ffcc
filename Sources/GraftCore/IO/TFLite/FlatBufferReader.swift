/// Bounds-checked reads of a FlatBuffer (https://flatbuffers.dev/internals/), enough for the TFLite
/// schema: tables through their vtables, scalars, sub-tables, vectors of scalars and of tables,
/// strings, and byte vectors as ranges of the file.
///
/// Every offset, vtable, field, vector length and string is checked against the bytes before it
/// is read, with checked arithmetic, so a corrupt file is a `TFLiteError`, never a trap or a read
/// outside the buffer. Alignment is not required (every load is unaligned). Each thing read carries
/// a schema path (`subgraphs[0].tensors[3].shape`) for the error message.
///
/// Layout, all little-endian: a `uoffset` (u32) points forward from where it is stored; a table
/// starts with an `soffset` (i32) to its vtable at `table − soffset`; a vtable is u16 vtable size,
/// u16 table size, then one u16 offset per field (0 or past the vtable's end = absent); a vector is
/// a u32 count followed by its elements; a string is a byte vector followed by a NUL.
struct FlatBufferReader {
  let bytes: UnsafeRawBufferPointer
  let path: String
  /// Vector elements read so far, and the most the file may make us read (see `tooManyElements`).
  private var elementsRead = 0
  private let elementLimit: Int

  struct Table {
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let inlineSize: Int
    /// The schema path of this table, for messages.
    let name: String
  }

  init(_ bytes: UnsafeRawBufferPointer, path: String) {
    self.bytes = bytes
    self.path = path
    // A file whose vectors are not shared holds at least one byte per element, so a valid file
    // reads at most `bytes.count` elements; 8× leaves room for writers that share vectors.
    elementLimit = 8 * bytes.count + 4096
  }

  func error(_ reason: TFLiteError.Reason) -> TFLiteError { TFLiteError(path: path, reason: reason) }

  /// Checks that `count` bytes at `offset` lie in the file.
  func check(_ what: @autoclosure () -> String, offset: Int, count: Int) throws(TFLiteError) {
    let (end, overflow) = offset.addingReportingOverflow(count)
    guard offset >= 0, count >= 0, !overflow, end <= bytes.count else {
      throw error(.outOfBounds(what(), offset: offset, fileSize: bytes.count))
    }
  }

  func u8(at offset: Int) -> UInt8 { bytes.load(fromByteOffset: offset, as: UInt8.self) }
  func u16(at offset: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
  func u32(at offset: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
  func u64(at offset: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }

  // MARK: Tables

  /// The root table: the uoffset at byte 0.
  func root(name: String) throws(TFLiteError) -> Table {
    try check("root offset", offset: 0, count: 4)
    return try table(at: Int(u32(at: 0)), name: name)
  }

  /// The table at `position`, with its vtable checked.
  func table(at position: Int, name: @autoclosure () -> String) throws(TFLiteError) -> Table {
    try check(name(), offset: position, count: 4)
    let vtable = position - Int(Int32(bitPattern: u32(at: position)))  // |soffset| < 2³¹: no overflow in Int
    try check("\(name()) vtable", offset: vtable, count: 4)
    let vtableSize = Int(u16(at: vtable))
    let inlineSize = Int(u16(at: vtable + 2))
    guard vtableSize >= 4, vtableSize % 2 == 0, inlineSize >= 4 else {
      throw error(.invalidVTable(name(), offset: vtable))
    }
    try check("\(name()) vtable", offset: vtable, count: vtableSize)
    try check(name(), offset: position, count: inlineSize)
    return Table(position: position, vtable: vtable, vtableSize: vtableSize, inlineSize: inlineSize, name: name())
  }

  /// The byte position of field `index` of `table` holding `size` bytes, or nil when absent.
  func field(_ table: Table, _ index: Int, size: Int, _ fieldName: String) throws(TFLiteError) -> Int? {
    let entry = 4 + 2 * index
    guard entry + 2 <= table.vtableSize else { return nil }
    let offset = Int(u16(at: table.vtable + entry))
    guard offset != 0 else { return nil }
    guard offset + size <= table.inlineSize else { throw error(.fieldOutsideTable("\(table.name).\(fieldName)")) }
    return table.position + offset
  }

  // MARK: Scalars

  func uint8(_ t: Table, _ index: Int, _ name: String, default value: UInt8 = 0) throws(TFLiteError) -> UInt8 {
    try field(t, index, size: 1, name).map { u8(at: $0) } ?? value
  }

  func int8(_ t: Table, _ index: Int, _ name: String, default value: Int8 = 0) throws(TFLiteError) -> Int8 {
    Int8(bitPattern: try uint8(t, index, name, default: UInt8(bitPattern: value)))
  }

  func bool(_ t: Table, _ index: Int, _ name: String, default value: Bool = false) throws(TFLiteError) -> Bool {
    try uint8(t, index, name, default: value ? 1 : 0) != 0
  }

  func uint32(_ t: Table, _ index: Int, _ name: String, default value: UInt32 = 0) throws(TFLiteError) -> UInt32 {
    try field(t, index, size: 4, name).map { u32(at: $0) } ?? value
  }

  func int32(_ t: Table, _ index: Int, _ name: String, default value: Int32 = 0) throws(TFLiteError) -> Int32 {
    Int32(bitPattern: try uint32(t, index, name, default: UInt32(bitPattern: value)))
  }

  func uint64(_ t: Table, _ index: Int, _ name: String, default value: UInt64 = 0) throws(TFLiteError) -> UInt64 {
    try field(t, index, size: 8, name).map { u64(at: $0) } ?? value
  }

  func float32(_ t: Table, _ index: Int, _ name: String, default value: Float = 0) throws(TFLiteError) -> Float {
    try field(t, index, size: 4, name).map { Float(bitPattern: u32(at: $0)) } ?? value
  }

  // MARK: References

  /// The position a uoffset field points to, or nil when the field is absent.
  func target(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> Int? {
    guard let at = try field(t, index, size: 4, name) else { return nil }
    return at + Int(u32(at: at))  // at < 2³², u32 < 2³²: no overflow in a 64-bit Int
  }

  /// A sub-table field.
  func table(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> Table? {
    guard let at = try target(t, index, name) else { return nil }
    return try table(at: at, name: "\(t.name).\(name)")
  }

  /// The element count and first element position of the vector at `position`, charging the
  /// element budget.
  mutating func vectorHeader(at position: Int, elementSize: Int, name: @autoclosure () -> String)
    throws(TFLiteError) -> (count: Int, start: Int)
  {
    try check(name(), offset: position, count: 4)
    let count = Int(u32(at: position))
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: elementSize)
    guard !overflow else { throw error(.outOfBounds(name(), offset: position, fileSize: bytes.count)) }
    try check(name(), offset: position + 4, count: byteCount)
    elementsRead += count
    guard elementsRead <= elementLimit else { throw error(.tooManyElements(limit: elementLimit)) }
    return (count, position + 4)
  }

  /// A vector-of-tables field (empty when absent).
  mutating func tables(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> [Table] {
    guard let at = try target(t, index, name) else { return [] }
    let (count, start) = try vectorHeader(at: at, elementSize: 4, name: "\(t.name).\(name)")
    var result: [Table] = []
    result.reserveCapacity(count)
    for i in 0..<count {
      let slot = start + 4 * i
      result.append(try table(at: slot + Int(u32(at: slot)), name: "\(t.name).\(name)[\(i)]"))
    }
    return result
  }

  /// A `[int]` field, widened to `Int` (nil when absent).
  mutating func int32s(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> [Int]? {
    guard let at = try target(t, index, name) else { return nil }
    let (count, start) = try vectorHeader(at: at, elementSize: 4, name: "\(t.name).\(name)")
    return (0..<count).map { Int(Int32(bitPattern: u32(at: start + 4 * $0))) }
  }

  /// A `[long]` field (nil when absent).
  mutating func int64s(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> [Int64]? {
    guard let at = try target(t, index, name) else { return nil }
    let (count, start) = try vectorHeader(at: at, elementSize: 8, name: "\(t.name).\(name)")
    return (0..<count).map { Int64(bitPattern: u64(at: start + 8 * $0)) }
  }

  /// A `[float]` field (nil when absent).
  mutating func float32s(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> [Float]? {
    guard let at = try target(t, index, name) else { return nil }
    let (count, start) = try vectorHeader(at: at, elementSize: 4, name: "\(t.name).\(name)")
    return (0..<count).map { Float(bitPattern: u32(at: start + 4 * $0)) }
  }

  /// A `[ubyte]` field as the range of the file its bytes occupy (nil when absent).
  mutating func byteRange(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> Range<Int>? {
    guard let at = try target(t, index, name) else { return nil }
    let (count, start) = try vectorHeader(at: at, elementSize: 1, name: "\(t.name).\(name)")
    return start..<(start + count)
  }

  /// A string field, decoded as UTF-8 (invalid sequences become U+FFFD); nil when absent.
  mutating func string(_ t: Table, _ index: Int, _ name: String) throws(TFLiteError) -> String? {
    guard let at = try target(t, index, name) else { return nil }
    let (count, start) = try vectorHeader(at: at, elementSize: 1, name: "\(t.name).\(name)")
    try check("\(t.name).\(name)", offset: start, count: count + 1)
    guard u8(at: start + count) == 0 else { throw error(.unterminatedString("\(t.name).\(name)")) }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)]), as: UTF8.self)
  }
}
