/// Collects rows for `EmbeddingTable.load`: decodes each word under the UTF-8 policy, applies
/// lowercasing and the duplicate policy, and keeps the values in one flat `[Float]`.
///
/// A reader appends a row's `dimension` values to `values`, then calls `commit`, which keeps,
/// merges or drops them.
struct TableBuilder {
  let path: String
  let dimension: Int
  let options: EmbeddingLoadOptions
  var words: [String] = []
  var values: [Float] = []
  private var indices: [String: Int] = [:]
  /// Rows merged into each word, for `.average`.
  private var mergedRows: [Int] = []

  /// Reserves room for `rows` rows, but never more than a file of `fileSize` bytes can hold
  /// when each value takes at least `bytesPerValue` bytes (a header cannot make it allocate
  /// more than the file's size).
  init(path: String, dimension: Int, options: EmbeddingLoadOptions, rows: Int, fileSize: Int, bytesPerValue: Int) {
    self.path = path
    self.dimension = dimension
    self.options = options
    let (rowBytes, overflow) = dimension.multipliedReportingOverflow(by: bytesPerValue)
    let fitting = overflow ? 1 : fileSize / (rowBytes + 2) + 1
    let reserved = min(rows, options.limit ?? Int.max, fitting)
    values.reserveCapacity(min(reserved.multipliedReportingOverflow(by: dimension).partialValue, fileSize / bytesPerValue))
    words.reserveCapacity(reserved)
    indices.reserveCapacity(reserved)
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

  /// Keeps, merges or drops the row whose values are the last `dimension` entries of `values`.
  mutating func commit(_ word: String, at location: EmbeddingFormatError.Location) throws(EmbeddingFormatError) {
    if word.isEmpty { throw EmbeddingFormatError(path: path, reason: .emptyWord(at: location)) }
    let key = options.lowercase == .none ? word : word.lowercased()
    guard let existing = indices[key] else {
      indices[key] = words.count
      words.append(key)
      if options.lowercase == .average { mergedRows.append(1) }
      return
    }
    let newRow = values.count - dimension
    switch (options.lowercase, options.duplicates) {
    case (.average, _):
      for k in 0..<dimension { values[existing * dimension + k] += values[newRow + k] }
      mergedRows[existing] += 1
    case (.keepFirst, _), (.none, .keepFirst):
      break
    case (.none, .keepLast):
      for k in 0..<dimension { values[existing * dimension + k] = values[newRow + k] }
    case (.none, .error):
      throw EmbeddingFormatError(path: path, reason: .duplicateWord(word, at: location))
    }
    values.removeLast(dimension)
  }

  /// The finished table (averages divided out).
  consuming func finish() -> EmbeddingTable {
    if options.lowercase == .average {
      for (row, n) in mergedRows.enumerated() where n > 1 {
        let scale = 1 / Float(n)
        for k in 0..<dimension { values[row * dimension + k] *= scale }
      }
    }
    return EmbeddingTable(uncheckedWords: words, values: values, dimension: dimension, indices: indices)
  }
}
