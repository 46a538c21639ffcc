#if canImport(Glibc)
import Glibc
#endif

/// The word2vec binary and text readers behind `EmbeddingTable.load`, matching gensim's
/// `_word2vec_read_binary` and `_word2vec_read_text` (gensim/models/keyedvectors.py).
enum EmbeddingReaders {
  typealias Location = EmbeddingFormatError.Location

  /// `count dimension`: two non-negative decimal integers separated by spaces or tabs,
  /// dimension ≥ 1. Returns nil for anything else.
  static func parseHeader(_ p: UnsafePointer<UInt8>, _ n: Int) -> (count: Int, dimension: Int)? {
    var fields: [Int] = []
    var i = 0
    while i < n {
      while i < n && (p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D) { i += 1 }
      guard i < n else { break }
      var value = 0
      var digits = 0
      while i < n, p[i] &- 0x30 < 10 {
        guard digits < 15 else { return nil }
        value = value * 10 + Int(p[i] &- 0x30)
        digits += 1
        i += 1
      }
      guard digits > 0, i == n || p[i] == 0x20 || p[i] == 0x09 || p[i] == 0x0D else { return nil }
      fields.append(value)
    }
    guard fields.count == 2, fields[1] >= 1 else { return nil }
    return (fields[0], fields[1])
  }

  /// Up to 80 characters of a header line, for messages.
  static func preview(_ p: UnsafePointer<UInt8>, _ n: Int) -> String {
    let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 240)), as: UTF8.self)
    return text.count > 80 ? String(text.prefix(80)) + "…" : text
  }

  // MARK: word2vec binary (read in chunks)

  /// Reads the file front to back through a `ChunkReader` (a 1 MiB buffer, no mapping), so
  /// peak memory is the matrix plus a few MiB: each vector goes from the buffer (or, when it
  /// straddles the buffer's end, from `read(2)` directly) into its row of the final storage.
  static func readBinary(_ path: String, options: EmbeddingLoadOptions,
                         bufferSize: Int = 1 << 20) throws(EmbeddingFormatError) -> EmbeddingTable {
    let reader = try ChunkReader(path: path, bufferSize: bufferSize)
    let n = reader.size
    guard n > 0, try reader.fill() else { throw EmbeddingFormatError(path: path, reason: .empty) }
    // The header line; a valid one is a few bytes, so give up on it after 1 MiB.
    let headerEnd = try reader.find(0x0A, limit: 1 << 20)
    let header = reader.buffer + reader.start
    guard let headerEnd, let (count, dimension) = parseHeader(header, headerEnd) else {
      throw EmbeddingFormatError(path: path, reason: .badHeader(preview(header, headerEnd ?? reader.buffered)))
    }
    let (rowBytes, overflow) = dimension.multipliedReportingOverflow(by: 4)
    guard !overflow else { throw EmbeddingFormatError(path: path, reason: .badHeader(preview(header, headerEnd))) }
    reader.start += headerEnd + 1
    let rows = min(count, options.limit ?? Int.max)
    var builder = TableBuilder(path: path, dimension: dimension, options: options, rows: rows, fileSize: n, bytesPerValue: 4)
    for row in 0..<rows {
      // gensim strips newlines before a word: the C tool writes one after each vector.
      while true {
        if reader.buffered == 0 { guard try reader.fill() else { break } }
        guard reader.buffer[reader.start] == 0x0A else { break }
        reader.start += 1
      }
      if reader.buffered == 0 { throw EmbeddingFormatError(path: path, reason: .tooFewRows(expected: count, found: row)) }
      let wordStart = reader.offset
      guard let space = try reader.find(0x20) else {  // relative to `reader.start`
        throw EmbeddingFormatError(path: path, reason: .truncated(at: .byte(wordStart), row: row))
      }
      let valuesStart = wordStart + space + 1
      guard n - valuesStart >= rowBytes else {
        throw EmbeddingFormatError(path: path, reason: .truncated(at: .byte(valuesStart), row: row))
      }
      // A word that is not UTF-8 or empty spoils only its row: `lenient` skips it, the vector
      // is still read past.
      var word: String?
      do throws(EmbeddingFormatError) {
        word = try builder.decodeWord(UnsafeRawBufferPointer(start: reader.buffer + reader.start, count: space),
                                      at: .byte(wordStart))
      } catch {
        try builder.skip(error)
      }
      reader.start += space + 1
      let target = builder.nextRow()
      // The file shrank since `fstat`.
      guard try reader.copy(into: target, count: rowBytes) == rowBytes else {
        throw EmbeddingFormatError(path: path, reason: .truncated(at: .byte(valuesStart), row: row))
      }
      #if _endian(big)
      for k in 0..<dimension { target[k] = Float(bitPattern: UInt32(littleEndian: target[k].bitPattern)) }
      #endif
      if let word {
        do throws(EmbeddingFormatError) { try builder.commit(word, at: .byte(wordStart)) } catch { try builder.skip(error) }
      }
    }
    if options.limit == nil || count <= options.limit! {
      while true {
        if reader.buffered == 0 { guard try reader.fill() else { break } }
        let byte = reader.buffer[reader.start]
        guard byte == 0x0A || byte == 0x20 || byte == 0x0D else {
          throw EmbeddingFormatError(path: path, reason: .tooManyRows(expected: count, at: .byte(reader.offset)))
        }
        reader.start += 1
      }
    }
    return builder.finish()
  }

  // MARK: Text formats (streamed)

  /// The length of the word at the start of `line` (NUL-terminated, trailing white space already
  /// removed): up to the first space or tab.
  @inline(__always)
  static func wordEnd(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int {
    var i = 0
    while i < n && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
    return i
  }

  /// Reads word2vec text / fastText (`header: true`) or GloVe (`header: false`).
  static func readText(_ path: String, header: Bool, options: EmbeddingLoadOptions) throws(EmbeddingFormatError) -> EmbeddingTable {
    let reader = try LineReader(path: path)
    if reader.size == 0 { throw EmbeddingFormatError(path: path, reason: .empty) }
    var count = Int.max
    var dimension = 0
    if header {
      guard let line = try reader.next() else { throw EmbeddingFormatError(path: path, reason: .empty) }
      guard let base = line.baseAddress, let parsed = parseHeader(base, line.count) else {
        throw EmbeddingFormatError(path: path, reason: .badHeader(line.baseAddress.map { preview($0, line.count) } ?? ""))
      }
      (count, dimension) = parsed
    }
    let rows = min(count, options.limit ?? Int.max)
    var builder: TableBuilder?
    if header {
      builder = TableBuilder(path: path, dimension: dimension, options: options, rows: rows, fileSize: reader.size, bytesPerValue: 2)
    }
    var read = 0
    while let line = try reader.next() {
      guard let p = line.baseAddress else { continue }
      var n = line.count
      while n > 0 && (p[n - 1] == 0x20 || p[n - 1] == 0x09 || p[n - 1] == 0x0D) { n -= 1 }
      if n == 0 { continue }  // blank lines carry no row
      let location = Location.line(reader.lineNumber)
      if read == rows {
        // Only reached when the header's count (not `limit`) was the bound.
        if read < (options.limit ?? Int.max) {
          throw EmbeddingFormatError(path: path, reason: .tooManyRows(expected: count, at: location))
        }
        break
      }
      let wordLength = wordEnd(p, n)
      if builder == nil {
        // GloVe: the first row fixes the dimension.
        var fields = 0
        var i = wordLength
        while i < n {
          while i < n && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
          if i < n { fields += 1 }
          while i < n && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
        }
        if fields == 0 { throw EmbeddingFormatError(path: path, reason: .wrongDimension(at: location, expected: 1, found: 0)) }
        dimension = fields
        // Headerless: count the lines first, so the table is allocated once, at its size.
        let lines = try FileAccess.countLines(path)
        builder = TableBuilder(path: path, dimension: fields, options: options, rows: min(rows, lines), fileSize: reader.size, bytesPerValue: 2)
      }
      do throws(EmbeddingFormatError) {
        try parseRow(p, n, wordLength: wordLength, location: location, builder: &builder!)
      } catch {
        try builder!.skip(error)  // `lenient`: reported in the table's report; otherwise thrown
      }
      read += 1
    }
    if header && read < rows { throw EmbeddingFormatError(path: path, reason: .tooFewRows(expected: count, found: read)) }
    guard let builder else { throw EmbeddingFormatError(path: path, reason: .empty) }
    return builder.finish()
  }

  /// Parses the values of one text row into `builder` and commits it. Fields are separated by
  /// exactly one space or tab, as gensim's `line.rstrip().split(" ")`: two in a row are an empty
  /// field, an error (gensim: `could not convert string to float: ''`), never a silent merge.
  @inline(__always)
  static func parseRow(_ p: UnsafeMutablePointer<UInt8>, _ n: Int, wordLength: Int, location: Location,
                       builder: inout TableBuilder) throws(EmbeddingFormatError) {
    let path = builder.path
    let dimension = builder.dimension
    if wordLength == 0 { throw EmbeddingFormatError(path: path, reason: .emptyWord(at: location)) }
    // `dimension` values need at least 2 × dimension bytes (a separator and a digit each);
    // check before asking for room, so a huge header dimension allocates nothing.
    let target: UnsafeMutablePointer<Float>? = (n - wordLength) / 2 >= dimension ? builder.nextRow() : nil
    var i = wordLength  // at the separator after the word, or at the end
    var field = 0
    while i < n {
      i += 1  // the one separator before each value
      field += 1
      let start = i
      while i < n && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
      // Trailing white space is already gone, so an empty field is never the last.
      if i == start { throw EmbeddingFormatError(path: path, reason: .emptyField(at: location, field: field)) }
      guard field <= dimension, let target else { continue }  // counted for the message below
      guard let value = FloatParser.parse(p, start, i) else {
        throw EmbeddingFormatError(path: path, reason: .nonNumeric(
          at: location, field: field, value: String(decoding: UnsafeBufferPointer(start: p + start, count: min(i - start, 40)), as: UTF8.self)))
      }
      target[field - 1] = value
    }
    if field != dimension {
      throw EmbeddingFormatError(path: path, reason: .wrongDimension(at: location, expected: dimension, found: field))
    }
    let word = try builder.decodeWord(UnsafeRawBufferPointer(start: p, count: wordLength), at: location)
    try builder.commit(word, at: location)
  }
}
