extension EmbeddingFormat {
  /// Guesses the format of `path` from its first bytes (at most 64 KiB):
  ///
  /// - a first line of two integers `count dimension` is a header; the file is text
  ///   (`fasttext` when the name ends `.vec`, else `word2vec-text`) when every field after the
  ///   word on the next line is a number, and `word2vec-binary` otherwise (raw float32 bytes
  ///   are practically never all decimal numbers);
  /// - a first line of a word and numbers is a GloVe row (`glove`);
  /// - a first line starting with a number but not a valid header is `badHeader`; anything
  ///   else is `unrecognizedFormat`.
  public static func detect(_ path: String) throws(EmbeddingFormatError) -> EmbeddingFormat {
    let reader = try ChunkReader(path: path, bufferSize: 1 << 16)
    defer { withExtendedLifetime(reader) {} }  // the buffer must outlive every read through `p`
    while reader.buffered < reader.capacity, try reader.fill() {}
    guard reader.buffered > 0 else { throw EmbeddingFormatError(path: path, reason: .empty) }
    let p = UnsafePointer(reader.buffer)
    let n = reader.buffered
    // A line cut off by the sample's end may end in a partial number ("1e"): ignore its last field.
    let sampleIsWholeFile = n == reader.size
    var firstEnd = 0
    while firstEnd < n && p[firstEnd] != 0x0A { firstEnd += 1 }
    if EmbeddingReaders.parseHeader(p, firstEnd) != nil {
      let start = min(firstEnd + 1, n)
      var end = start
      while end < n && p[end] != 0x0A { end += 1 }
      let text = end == start || allNumericAfterWord(p, start, end, lastFieldComplete: end < n || sampleIsWholeFile)
      if text { return path.hasSuffix(".vec") ? .fasttext : .word2vecText }
      return .word2vecBinary
    }
    if allNumericAfterWord(p, 0, firstEnd, lastFieldComplete: firstEnd < n || sampleIsWholeFile) { return .glove }
    let preview = EmbeddingReaders.preview(p, firstEnd)
    if firstEnd > 0 && p[0] &- 0x30 < 10 {
      throw EmbeddingFormatError(path: path, reason: .badHeader(preview))
    }
    throw EmbeddingFormatError(path: path, reason: .unrecognizedFormat(preview))
  }

  /// Whether `[start, end)` is a word followed by one or more fields that all parse as numbers
  /// (control bytes other than tab and CR never appear in a text row).
  private static func allNumericAfterWord(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, lastFieldComplete: Bool) -> Bool {
    var stop = end
    if !lastFieldComplete {
      while stop > start && p[stop - 1] != 0x20 && p[stop - 1] != 0x09 { stop -= 1 }
    }
    while stop > start && (p[stop - 1] == 0x20 || p[stop - 1] == 0x09 || p[stop - 1] == 0x0D) { stop -= 1 }
    var i = start
    while i < stop && p[i] != 0x20 && p[i] != 0x09 {
      if p[i] < 0x20 || p[i] == 0x7F { return false }
      i += 1
    }
    guard i > start else { return false }
    var fields = 0
    while i < stop {
      while i < stop && (p[i] == 0x20 || p[i] == 0x09) { i += 1 }
      let fieldStart = i
      while i < stop && p[i] != 0x20 && p[i] != 0x09 { i += 1 }
      guard FloatParser.parse(p, fieldStart, i) != nil else { return false }
      fields += 1
    }
    return fields > 0
  }
}
