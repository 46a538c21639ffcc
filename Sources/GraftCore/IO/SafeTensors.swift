/// The tensors and metadata of one safetensors file, widened to `Float32`.
public struct SafeTensorsFile {
  public let header: SafeTensorsHeader
  /// Every tensor by name; `names` gives their file order.
  public let tensors: [String: Tensor]

  /// Tensor names, in the order of their bytes in the file.
  public var names: [String] { header.names }
  /// The `__metadata__` map (empty when the file has none).
  public var metadata: [String: String] { header.metadata }

  public subscript(name: String) -> Tensor? { tensors[name] }
}

/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors#format),
/// checking everything the reference reader checks (see `SafeTensorsHeader`).
public enum SafeTensors {
  /// The header of the file at `path`, validated, without loading any tensor.
  public static func readHeader(_ path: String) throws(SafeTensorsError) -> SafeTensorsHeader {
    let file = try map(path)
    return try SafeTensorsHeader.parse(file.bytes, path: path)
  }

  /// Every tensor of the file at `path`, widened to `Float32` (see `SafeTensorsDType` for how each
  /// dtype converts). The file is memory-mapped and unmapped before returning.
  public static func read(_ path: String) throws(SafeTensorsError) -> SafeTensorsFile {
    let file = try map(path)
    let header = try SafeTensorsHeader.parse(file.bytes, path: path)
    var tensors: [String: Tensor] = [:]
    for entry in header.entries {
      let tensor = Tensor(uninitializedShape: entry.shape)
      if tensor.count > 0, let base = file.bytes.baseAddress {
        ScalarDecoding.decode(
          base + header.dataStart + entry.dataOffsets.lowerBound, layout: entry.dtype.layout,
          bigEndian: false, count: tensor.count, into: tensor.data)
      }
      tensors[entry.name] = tensor
    }
    return SafeTensorsFile(header: header, tensors: tensors)
  }

  /// Writes `tensors` as F32 with `metadata`, through `AtomicFile` (an existing file is replaced
  /// only once the new one is complete).
  ///
  /// As the reference writer does, tensors are laid out in name order (it sorts by dtype alignment
  /// first, which is moot for one dtype), `__metadata__` comes first when non-empty, and the header
  /// is padded with spaces to a multiple of 8 bytes so the data region starts 8-byte aligned.
  public static func write(
    _ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String
  ) throws(FileWriteError) {
    let names = tensors.keys.sorted()
    precondition(!tensors.keys.contains("__metadata__"), "SafeTensors.write: '__metadata__' is reserved")
    let header = encodeHeader(names.compactMap { name in tensors[name].map { (name, $0.shape) } },
                              metadata: metadata)
    try AtomicFile.writeStreaming(to: path) { (sink) throws(FileWriteError) in
      var length = UInt64(header.count).littleEndian
      try withUnsafeBytes(of: &length) { raw in Result { () throws(FileWriteError) in try sink.write(raw) } }.get()
      try sink.write(header)
      for name in names {
        guard let tensor = tensors[name] else { continue }
        try writeLittleEndian(tensor, to: sink)
      }
    }
  }

  /// The header bytes for F32 tensors of `shapes`, in this order, padded to a multiple of 8.
  static func encodeHeader(_ shapes: [(String, [Int])], metadata: [String: String]) -> [UInt8] {
    var parts: [String] = []
    if !metadata.isEmpty {
      let pairs = metadata.keys.sorted().map { "\(JSON.quoted($0)):\(JSON.quoted(metadata[$0] ?? ""))" }
      parts.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
    }
    var offset = 0
    for (name, shape) in shapes {
      let end = offset + Shape.count(shape) * 4
      let dims = shape.map(String.init).joined(separator: ",")
      parts.append("\(JSON.quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(dims)],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    var bytes = Array("{\(parts.joined(separator: ","))}".utf8)
    bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
    return bytes
  }

  private static func writeLittleEndian(_ tensor: Tensor, to sink: FileSink) throws(FileWriteError) {
    #if _endian(little)
    try sink.write(UnsafeRawBufferPointer(start: tensor.data, count: tensor.count * 4))
    #else
    let swapped = (0..<tensor.count).map { tensor.data[$0].bitPattern.littleEndian }
    try swapped.withUnsafeBytes { raw in Result { () throws(FileWriteError) in try sink.write(raw) } }.get()
    #endif
  }

  private static func map(_ path: String) throws(SafeTensorsError) -> MappedFile {
    do throws(SystemError) {
      return try MappedFile(path: path)
    } catch {
      throw SafeTensorsError(path: path, reason: .cannotOpen(error.message))
    }
  }
}
