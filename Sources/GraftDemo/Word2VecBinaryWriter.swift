import GraftCore
import GraftText

/// Writes an `EmbeddingTable` in word2vec's binary format, as gensim's
/// `KeyedVectors.save_word2vec_format(binary=True)` does: the header `"<count> <dimension>\n"`,
/// then per word its UTF-8 bytes, a space, `dimension` little-endian float32 values and `"\n"`.
/// Words must not contain spaces or newlines. Published atomically (`AtomicFile`).
public enum Word2VecBinaryWriter {
  public static func encode(_ table: EmbeddingTable) -> [UInt8] {
    let d = table.dimension
    var out = Array("\(table.count) \(d)\n".utf8)
    out.reserveCapacity(out.count + table.count * (d * 4 + 16))
    for (row, word) in table.words.enumerated() {
      precondition(!word.isEmpty && !word.contains(" ") && !word.contains("\n"),
                   "Word2VecBinaryWriter: word \"\(word)\" cannot be written")
      out += Array(word.utf8)
      out.append(0x20)
      for k in 0..<d {
        let bits = table.vectors.data[row * d + k].bitPattern.littleEndian
        withUnsafeBytes(of: bits) { out += $0 }
      }
      out.append(0x0A)
    }
    return out
  }

  public static func write(_ table: EmbeddingTable, to path: String) throws(FileWriteError) {
    try AtomicFile.write(encode(table), to: path)
  }
}
