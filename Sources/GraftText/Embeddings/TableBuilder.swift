import GraftCore

/// Collects rows for `EmbeddingTable.load`: decodes each word under the UTF-8 policy, applies
/// lowercasing and the duplicate policy, and writes the values straight into the storage of the
/// final tensor: allocated once at the row count (the header's, or the line count of a headerless
/// file) and copied again only when rows were dropped (duplicates, merges) or the count was wrong.
///
/// A reader fills `nextRow()` with a row's `dimension` values, then calls `commit`, which keeps
/// the row, merges it into an earlier one, or drops it.
struct TableBuilder {
  let path: String
  let dimension: Int
  let options: EmbeddingLoadOptions
  private(set) var words: [String] = []
  private var indices: [String: Int] = [:]
  /// Rows merged into each word, for `.average`.
  private var mergedRows: [Int] = []
  /// Room for `capacity` rows; the first `words.count` are committed.
  private var storage: Storage
  private var capacity: Int

  /// Reserves room for `rows` rows, but never more than a file of `fileSize` bytes can hold
  /// when each value takes at least `bytesPerValue` bytes (a header cannot make it allocate
  /// more than the file's size).
  init(path: String, dimension: Int, options: EmbeddingLoadOptions, rows: Int, fileSize: Int, bytesPerValue: Int) {
    precondition(dimension >= 1, "TableBuilder: dimension \(dimension)")
    self.path = path
    self.dimension = dimension
    self.options = options
    let (rowBytes, overflow) = dimension.multipliedReportingOverflow(by: bytesPerValue)
    let fitting = overflow ? 0 : fileSize / (rowBytes + 2) + 1
    let reserved = min(rows, options.limit ?? Int.max, fitting, fileSize / bytesPerValue / dimension)
    capacity = reserved
    storage = Storage(uninitializedCount: reserved * dimension)
    words.reserveCapacity(reserved)
    indices.reserveCapacity(reserved)
  }

  /// Where the next row's `dimension` values go (valid until the next call). The caller must
  /// have checked that the file holds at least a row's worth of bytes, so growth is bounded by
  /// the file's size.
  mutating func nextRow() -> UnsafeMutablePointer<Float> {
    if words.count == capacity {
      let grown = max(16, capacity * 2)
      let bigger = Storage(uninitializedCount: grown * dimension)
      bigger.pointer.update(from: storage.pointer, count: words.count * dimension)
      storage = bigger
      capacity = grown
    }
    return storage.pointer + words.count * dimension
  }

  /// Decodes `bytes` as UTF-8 under `unicodeErrors`: strict rejects, replace writes U+FFFD per
  /// maximal invalid subsequence (as Python's `bytes.decode(errors="replace")`), ignore drops
  /// the invalid bytes.
  func decodeWord(_ bytes: UnsafeRawBufferPointer, at location: EmbeddingFormatError.Location) throws(EmbeddingFormatError) -> String {
    let units = bytes.bindMemory(to: UInt8.self)
    var allASCII = true
    for b in units where b >= 0x80 { allASCII = false; break }
    if allASCII { return String(decoding: units, as: UTF8.self) }
    if let valid = String(validating: units, as: UTF8.self) { return valid }
    switch options.unicodeErrors {
    case .strict: throw EmbeddingFormatError(path: path, reason: .invalidUTF8(at: location))
    case .replace: return String(decoding: units, as: UTF8.self)
    case .ignore:
      var result = String.UnicodeScalarView()
      var iterator = units.makeIterator()
      var decoder = UTF8()
      loop: while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let s): result.append(s)
        case .error: continue
        case .emptyInput: break loop
        }
      }
      return String(result)
    }
  }

  /// Keeps, merges or drops the row just written to `nextRow()`.
  mutating func commit(_ word: String, at location: EmbeddingFormatError.Location) throws(EmbeddingFormatError) {
    if word.isEmpty { throw EmbeddingFormatError(path: path, reason: .emptyWord(at: location)) }
    let key = options.lowercase == .none ? word : word.lowercased()
    guard let existing = indices[key] else {
      indices[key] = words.count
      words.append(key)
      if options.lowercase == .average { mergedRows.append(1) }
      return
    }
    let d = dimension
    let newRow = storage.pointer + words.count * d
    let oldRow = storage.pointer + existing * d
    switch (options.lowercase, options.duplicates) {
    case (.average, _):
      for k in 0..<d { oldRow[k] += newRow[k] }
      mergedRows[existing] += 1
    case (.keepFirst, _), (.none, .keepFirst):
      break
    case (.none, .keepLast):
      oldRow.update(from: newRow, count: d)
    case (.none, .error):
      throw EmbeddingFormatError(path: path, reason: .duplicateWord(word, at: location))
    }
  }

  /// The finished table (averages divided out; storage trimmed when rows were dropped).
  consuming func finish() -> EmbeddingTable {
    let d = dimension
    if options.lowercase == .average {
      for (row, n) in mergedRows.enumerated() where n > 1 {
        let scale = 1 / Float(n)
        for k in 0..<d { storage.pointer[row * d + k] *= scale }
      }
    }
    var values = storage
    if capacity != words.count {
      values = Storage(uninitializedCount: words.count * d)
      values.pointer.update(from: storage.pointer, count: words.count * d)
    }
    return EmbeddingTable(uncheckedWords: words, vectors: Tensor(shape: [words.count, d], storage: values), indices: indices)
  }
}
