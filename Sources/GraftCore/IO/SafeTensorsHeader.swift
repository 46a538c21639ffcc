/// The validated header of a safetensors file: what each tensor is and where its bytes lie.
///
/// Format (https://github.com/huggingface/safetensors#format): an unsigned 64-bit little-endian
/// length N, N bytes of UTF-8 JSON mapping each tensor name to
/// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}` plus an optional
/// `"__metadata__"` string-to-string map, then the data region. Offsets count from the first byte
/// after the header, and the tensors must cover the data region exactly, without holes or overlaps.
public struct SafeTensorsHeader: Equatable, Sendable {
  public struct Entry: Equatable, Sendable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data region.
    public let dataOffsets: Range<Int>
  }

  /// Every tensor, in the order of its bytes in the file.
  public let entries: [Entry]
  public let metadata: [String: String]
  /// File offset of the data region (8 + header length).
  public let dataStart: Int

  /// Tensor names, in the order of their bytes in the file.
  public var names: [String] { entries.map(\.name) }

  public subscript(name: String) -> Entry? { entries.first { $0.name == name } }

  /// The largest header the reference reader accepts (`MAX_HEADER_SIZE`).
  public static let maximumHeaderLength: UInt64 = 100_000_000

  /// Parses and validates the header of `file`, the whole file's bytes.
  static func parse(_ file: UnsafeRawBufferPointer, path: String) throws(SafeTensorsError) -> SafeTensorsHeader {
    func fail(_ reason: SafeTensorsError.Reason) -> SafeTensorsError {
      SafeTensorsError(path: path, reason: reason)
    }
    guard file.count >= 8 else { throw fail(.tooShort(fileSize: file.count)) }
    let length = UInt64(littleEndian: file.loadUnaligned(as: UInt64.self))
    guard length <= maximumHeaderLength else { throw fail(.headerTooLarge(length)) }
    let dataStart = 8 + Int(length)
    guard dataStart <= file.count else {
      throw fail(.headerBeyondFile(headerLength: length, fileSize: file.count))
    }
    let text = UnsafeRawBufferPointer(rebasing: file[8..<dataStart])
    guard String(validating: text, as: UTF8.self) != nil else { throw fail(.headerNotUTF8) }
    let json: ParsedJSON
    do throws(JSONSyntaxError) {
      json = try JSONParser.parse(text)
    } catch {
      throw fail(.headerNotJSON(error.description))
    }
    guard case .object(let members) = json else { throw fail(.headerNotObject) }

    var entries: [Entry] = []
    var metadata: [String: String]?
    var seen = Set<ExactString>()
    var seenAsText: [String: String] = [:]  // canonical equivalence, as `tensors` will key them
    for (key, value) in members {
      guard seen.insert(ExactString(key)).inserted else { throw fail(.duplicateKey(key)) }
      if let other = seenAsText.updateValue(key, forKey: key) { throw fail(.equivalentKeys(other, key)) }
      if key == "__metadata__" {
        metadata = try parseMetadata(value, fail)
      } else {
        entries.append(try parseEntry(name: key, value, fail))
      }
    }
    try checkLayout(&entries, dataSize: file.count - dataStart, fail)
    return SafeTensorsHeader(entries: entries, metadata: metadata ?? [:], dataStart: dataStart)
  }

  private static func parseMetadata(
    _ value: ParsedJSON, _ fail: (SafeTensorsError.Reason) -> SafeTensorsError
  ) throws(SafeTensorsError) -> [String: String] {
    guard case .object(let members) = value else { throw fail(.invalidMetadata) }
    var metadata: [String: String] = [:]
    for (key, value) in members {
      guard case .string(let s) = value else { throw fail(.invalidMetadata) }
      guard metadata.updateValue(s, forKey: key) == nil else { throw fail(.duplicateKey(key)) }
    }
    return metadata
  }

  private static func parseEntry(
    name: String, _ value: ParsedJSON, _ fail: (SafeTensorsError.Reason) -> SafeTensorsError
  ) throws(SafeTensorsError) -> Entry {
    guard case .object(let fields) = value else { throw fail(.entryNotObject(tensor: name)) }
    func field(_ key: String) throws(SafeTensorsError) -> ParsedJSON {
      guard let v = fields.first(where: { $0.key == key })?.value else {
        throw fail(.missingField(tensor: name, field: key))
      }
      return v
    }
    func integers(_ key: String) throws(SafeTensorsError) -> [Int] {
      guard case .array(let items) = try field(key) else { throw fail(.invalidField(tensor: name, field: key)) }
      var out: [Int] = []
      for item in items {
        guard case .integer(let n) = item else { throw fail(.invalidField(tensor: name, field: key)) }
        out.append(n)
      }
      return out
    }

    guard case .string(let dtypeName) = try field("dtype") else {
      throw fail(.invalidField(tensor: name, field: "dtype"))
    }
    guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
      throw fail(.unknownDType(tensor: name, dtype: dtypeName))
    }
    let shape = try integers("shape")
    guard shape.allSatisfy({ $0 >= 0 }) else { throw fail(.negativeDimension(tensor: name, shape: shape)) }
    let offsets = try integers("data_offsets")
    guard offsets.count == 2, offsets[0] >= 0, offsets[1] >= 0 else {
      throw fail(.invalidField(tensor: name, field: "data_offsets"))
    }
    let (begin, end) = (offsets[0], offsets[1])
    guard begin <= end else { throw fail(.invalidOffsets(tensor: name, begin: begin, end: end)) }

    // Multiply in order, as the reference does, so `Shape.count` can never overflow later; the
    // product of the non-zero dimensions must fit too (strides of `[0, 2^62, 2^62]` would not).
    var byteCount = dtype.byteCount
    for d in shape {
      let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
      guard !overflow else { throw fail(.shapeTooLarge(tensor: name, shape: shape)) }
      byteCount = product
    }
    guard Shape.nonZeroProductFits(shape) else { throw fail(.shapeTooLarge(tensor: name, shape: shape)) }
    guard end - begin == byteCount else {
      throw fail(.sizeMismatch(tensor: name, expectedBytes: byteCount, actualBytes: end - begin))
    }
    return Entry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
  }

  /// Sorts `entries` by offset and checks they tile `0..<dataSize` exactly.
  private static func checkLayout(
    _ entries: inout [Entry], dataSize: Int, _ fail: (SafeTensorsError.Reason) -> SafeTensorsError
  ) throws(SafeTensorsError) {
    entries.sort {
      ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
        < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
    }
    var cursor = 0
    var previous: String?
    for entry in entries {
      let range = entry.dataOffsets
      if range.lowerBound < cursor, let previous {
        throw fail(.overlap(tensor: entry.name, with: previous))
      }
      if range.lowerBound > cursor { throw fail(.hole(before: entry.name, offset: cursor)) }
      if range.upperBound > dataSize {
        throw fail(.truncated(tensor: entry.name, end: range.upperBound, dataSize: dataSize))
      }
      cursor = range.upperBound
      if !range.isEmpty { previous = entry.name }
    }
    if cursor < dataSize { throw fail(.trailingBytes(count: dataSize - cursor)) }
  }
}
