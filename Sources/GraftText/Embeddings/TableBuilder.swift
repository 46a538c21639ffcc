import GraftCore

/// Collects rows for `EmbeddingTable.load`: decodes each word under the UTF-8 policy, applies
/// lowercasing and the duplicate policy, keys words by their bytes (`ExactString`: `café` in NFC
/// and in NFD stay two rows, as in gensim), records repeats and skipped rows in a
/// `EmbeddingLoadReport`, and writes the values straight into the storage of the
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
  private var indices: [ExactString: Int] = [:]
  /// Where each kept word first appeared (a line or byte number, as `location` says).
  private var firstPositions: [Int] = []
  private(set) var report = EmbeddingLoadReport()
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
    firstPositions.reserveCapacity(reserved)
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
    let text = options.lowercase == .none ? word : word.lowercased()
    let key = ExactString(text)
    guard let existing = indices[key] else {
      indices[key] = words.count
      words.append(text)
      firstPositions.append(location.position)
      if options.lowercase == .average { mergedRows.append(1) }
      return
    }
    if options.lowercase == .none {
      let first = location.at(firstPositions[existing])
      if options.duplicates == .error {
        throw EmbeddingFormatError(path: path, reason: .duplicateWord(word, at: location, first: first))
      }
      report.duplicates.append(EmbeddingLoadReport.Duplicate(word: word, first: first, repeated: location))
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
      break  // thrown above
    }
  }

  /// Under `lenient`, records a row-level `error` (the row is not committed, so its values are
  /// overwritten by the next row); otherwise, or for a problem beyond the row, throws it.
  mutating func skip(_ error: EmbeddingFormatError) throws(EmbeddingFormatError) {
    guard options.lenient, error.isRowProblem else { throw error }
    report.skippedRows.append(error)
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
    return EmbeddingTable(uncheckedWords: words, vectors: Tensor(shape: [words.count, d], storage: values), indices: indices,
                          report: report)
  }
}

extension EmbeddingFormatError.Location {
  /// The line or byte number.
  var position: Int {
    switch self {
    case .line(let n), .byte(let n): n
    }
  }

  /// The same kind of location at `position`.
  func at(_ position: Int) -> Self {
    switch self {
    case .line: .line(position)
    case .byte: .byte(position)
    }
  }
}
