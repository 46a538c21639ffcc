/// Reads NumPy `.npy` files of format 1.0, 2.0 and 3.0 and writes 1.0
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html).
///
/// A file is the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (little-endian `UInt16` for 1.0, `UInt32` for 2.0 and 3.0), the header — a Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded with spaces and a final
/// newline so the data starts 64-byte aligned — and the elements.
public enum NPY {
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// The array in the file at `path`.
  public static func read(_ path: String) throws(NPYError) -> NPYArray {
    let file: MappedFile
    do throws(SystemError) {
      file = try MappedFile(path: path)
    } catch {
      throw NPYError(path: path, reason: .cannotOpen(error.message))
    }
    return try decode(file.bytes, path: path)
  }

  /// Writes `array` in format 1.0 (2.0 if its header would not fit), through `AtomicFile`.
  public static func write(_ array: NPYArray, to path: String) throws(FileWriteError) {
    try AtomicFile.write(encode(array), to: path)
  }

  /// Writes `tensor` as `<f4`.
  public static func write(_ tensor: Tensor, to path: String) throws(FileWriteError) {
    try write(NPYArray(tensor), to: path)
  }

  /// The bytes of a `.npy` file holding `array`: byte for byte what `numpy.save` writes.
  public static func encode(_ array: NPYArray) -> [UInt8] {
    header(descr: array.dtype.descr, shape: array.shape) + array.bytes
  }

  /// Writes `tensor` as `<f4` straight from its storage (no in-memory copy of the data, so a
  /// large tensor is not held twice), through `AtomicFile`; the same bytes as `write(_:to:)`.
  public static func writeStreaming(_ tensor: Tensor, to path: String) throws {
    #if _endian(big)
    try write(tensor, to: path)
    #else
    let prefix = header(descr: NPYDType.float32.descr, shape: tensor.shape)
    try AtomicFile.write(to: path) { sink in
      try sink.write(prefix)
      try sink.write(UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * MemoryLayout<Float>.stride))
    }
    #endif
  }

  /// Magic, version, header length and the padded header dictionary: everything before the data.
  static func header(descr: String, shape dimensions: [Int]) -> [UInt8] {
    let dims = dimensions.map(String.init)
    let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    // NumPy leaves room to grow the first axis in place (`GROWTH_AXIS_MAX_DIGITS` = 21).
    if let first = dims.first { header += String(repeating: " ", count: max(0, 21 - first.count)) }
    let text = Array(header.utf8)
    // As NumPy's `_wrap_header`: pad with 1–64 spaces plus "\n" to a 64-byte boundary; use
    // format 2.0 (a UInt32 length) only when the header would not fit format 1.0's UInt16.
    let hlen = text.count + 1
    var padding = 64 - (magic.count + 2 + 2 + hlen) % 64
    var prefix = magic
    if hlen + padding <= Int(UInt16.max) {
      prefix += [1, 0] + withUnsafeBytes(of: UInt16(hlen + padding).littleEndian, Array.init)
    } else {
      padding = 64 - (magic.count + 2 + 4 + hlen) % 64
      prefix += [2, 0] + withUnsafeBytes(of: UInt32(hlen + padding).littleEndian, Array.init)
    }
    prefix += text
    prefix += repeatElement(UInt8(ascii: " "), count: padding)
    prefix.append(UInt8(ascii: "\n"))
    return prefix
  }

  /// Parses a whole `.npy` file held in memory; `path` only labels errors.
  public static func decode(_ bytes: [UInt8], path: String) throws(NPYError) -> NPYArray {
    try bytes.withUnsafeBytes { raw in
      Result { () throws(NPYError) in try decode(raw, path: path) }
    }.get()
  }

  static func decode(_ file: UnsafeRawBufferPointer, path: String) throws(NPYError) -> NPYArray {
    func fail(_ reason: NPYError.Reason) -> NPYError { NPYError(path: path, reason: reason) }
    guard file.count >= 6, file.prefix(6).elementsEqual(magic) else {
      let isPrefix = !file.isEmpty && file.elementsEqual(magic.prefix(file.count))
      throw fail(isPrefix ? .truncatedHeader : .badMagic)
    }
    guard file.count >= 8 else { throw fail(.truncatedHeader) }
    let (major, minor) = (file[6], file[7])
    let lengthSize: Int
    switch (major, minor) {
    case (1, 0): lengthSize = 2
    case (2, 0), (3, 0): lengthSize = 4
    default: throw fail(.unsupportedVersion(major: major, minor: minor))
    }
    guard file.count >= 8 + lengthSize else { throw fail(.truncatedHeader) }
    let headerLength = lengthSize == 2
      ? Int(UInt16(littleEndian: file.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
      : Int(UInt32(littleEndian: file.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    let headerStart = 8 + lengthSize
    guard headerLength <= file.count - headerStart else { throw fail(.truncatedHeader) }
    let dataStart = headerStart + headerLength

    let header = try NPYHeader.parse(Array(file[headerStart..<dataStart]), utf8: major == 3, fail)
    let actual = file.count - dataStart
    guard actual == header.byteCount else {
      throw fail(.dataLengthMismatch(expected: header.byteCount, actual: actual))
    }
    return NPYArray(shape: header.shape, dtype: header.dtype, bytes: Array(file[dataStart...]))
  }
}
