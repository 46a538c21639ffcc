/// Reading the schema's tables (field numbers as in `tensorflow/lite/schema/schema.fbs`; a union
/// takes two: its type, then its value) and checking every index against what it points into.
extension TFLiteModel {
  static func parse(_ raw: UnsafeRawBufferPointer, path: String) throws(TFLiteError) -> TFLiteModel {
    guard raw.count >= 8 else { throw TFLiteError(path: path, reason: .tooShort(fileSize: raw.count)) }
    let identifier = Array(raw[4..<8])
    guard identifier == Array("TFL3".utf8) else {
      let shown = identifier.map { $0 >= 0x20 && $0 < 0x7F ? String(UnicodeScalar($0)) : "\\x" + hex($0) }.joined()
      throw TFLiteError(path: path, reason: .wrongIdentifier(shown))
    }
    var reader = FlatBufferReader(raw, path: path)
    let model = try reader.root(name: "Model")

    // Model: version 0, operator_codes 1, subgraphs 2, description 3, buffers 4, metadata_buffer 5, metadata 6.
    let version = try reader.uint32(model, 0, "version")
    guard version == 3 else { throw reader.error(.unsupportedVersion(version)) }
    let description = try reader.string(model, 3, "description")

    var bufferRanges: [Range<Int>] = []
    for table in try reader.tables(model, 4, "buffers") {
      bufferRanges.append(try reader.buffer(table))
    }
    var codes: [TFLiteOperatorCode] = []
    for table in try reader.tables(model, 1, "operator_codes") {
      codes.append(try reader.operatorCode(table))
    }
    var metadata: [TFLiteMetadata] = []
    for table in try reader.tables(model, 6, "metadata") {
      let name = try reader.string(table, 0, "name") ?? ""
      let buffer = try reader.index(Int(try reader.uint32(table, 1, "buffer")), "\(table.name).buffer", count: bufferRanges.count)
      metadata.append(TFLiteMetadata(name: name, buffer: buffer))
    }
    let subgraphTables = try reader.tables(model, 2, "subgraphs")
    guard !subgraphTables.isEmpty else { throw reader.error(.missingField("Model.subgraphs")) }
    var subgraphs: [TFLiteSubgraph] = []
    for table in subgraphTables {
      subgraphs.append(try reader.subgraph(table, codes: codes, bufferCount: bufferRanges.count))
    }
    return TFLiteModel(path: path, version: version, modelDescription: description, operatorCodes: codes,
                       subgraphs: subgraphs, metadata: metadata, bufferRanges: bufferRanges, bytes: Array(raw))
  }

  private static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
  }
}

extension FlatBufferReader {
  /// `index` if it lies in `0..<count`.
  func index(_ index: Int, _ what: @autoclosure () -> String, count: Int) throws(TFLiteError) -> Int {
    guard index >= 0 && index < count else { throw error(.indexOutOfRange(what(), index: index, count: count)) }
    return index
  }

  /// Buffer: data 0 ([ubyte]), offset 1 (ulong), size 2 (ulong). Files over 2 GB keep data
  /// outside the flatbuffer, at `offset` (from the start of the file, > 1) for `size` bytes.
  mutating func buffer(_ t: Table) throws(TFLiteError) -> Range<Int> {
    if let data = try byteRange(t, 0, "data"), !data.isEmpty { return data }
    let offset = try uint64(t, 1, "offset")
    let size = try uint64(t, 2, "size")
    guard offset > 1 else { return 0..<0 }
    guard offset <= UInt64(bytes.count), size <= UInt64(bytes.count) - offset else {
      throw error(.outOfBounds("\(t.name) (offset \(offset), size \(size))", offset: Int(clamping: offset),
                               fileSize: bytes.count))
    }
    return Int(offset)..<Int(offset + size)
  }

  /// OperatorCode: deprecated_builtin_code 0 (byte), custom_code 1, version 2 (default 1), builtin_code 3 (int).
  mutating func operatorCode(_ t: Table) throws(TFLiteError) -> TFLiteOperatorCode {
    let deprecated = try int8(t, 0, "deprecated_builtin_code")
    let code = try int32(t, 3, "builtin_code")
    return TFLiteOperatorCode(
      builtin: TFLiteBuiltinOperator(rawValue: Swift.max(Int32(deprecated), code)), deprecatedBuiltinCode: deprecated,
      builtinCode: code, customCode: try string(t, 1, "custom_code"), version: Int(try int32(t, 2, "version", default: 1)))
  }

  /// SubGraph: tensors 0, inputs 1, outputs 2, operators 3, name 4.
  mutating func subgraph(_ t: Table, codes: [TFLiteOperatorCode], bufferCount: Int) throws(TFLiteError) -> TFLiteSubgraph {
    var tensors: [TFLiteTensor] = []
    for table in try tables(t, 0, "tensors") {
      tensors.append(try tensor(table, bufferCount: bufferCount))
    }
    let inputs = try int32s(t, 1, "inputs") ?? []
    let outputs = try int32s(t, 2, "outputs") ?? []
    for (i, index) in inputs.enumerated() { _ = try self.index(index, "\(t.name).inputs[\(i)]", count: tensors.count) }
    for (i, index) in outputs.enumerated() { _ = try self.index(index, "\(t.name).outputs[\(i)]", count: tensors.count) }
    var operators: [TFLiteOperator] = []
    for table in try tables(t, 3, "operators") {
      operators.append(try `operator`(table, codes: codes, tensorCount: tensors.count))
    }
    return TFLiteSubgraph(name: try string(t, 4, "name") ?? "", tensors: tensors, inputs: inputs, outputs: outputs,
                          operators: operators)
  }

  /// Tensor: shape 0, type 1, buffer 2, name 3, quantization 4, is_variable 5, sparsity 6, shape_signature 7.
  mutating func tensor(_ t: Table, bufferCount: Int) throws(TFLiteError) -> TFLiteTensor {
    let name = try string(t, 3, "name") ?? ""
    let shape = try int32s(t, 0, "shape") ?? []
    var count = 1
    for dimension in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
      guard dimension >= 0, !overflow else { throw error(.invalidShape(tensor: name, shape: shape)) }
      count = product
    }
    let buffer = Int(try uint32(t, 2, "buffer"))
    if buffer != 0 { _ = try index(buffer, "\(t.name).buffer", count: bufferCount) }
    return TFLiteTensor(
      name: name, shape: shape, type: TFLiteTensorType(code: try int8(t, 1, "type")), buffer: buffer,
      quantization: try table(t, 4, "quantization").map { (q) throws(TFLiteError) in try quantization(q) },
      isVariable: try bool(t, 5, "is_variable"), shapeSignature: try int32s(t, 7, "shape_signature"),
      isSparse: try target(t, 6, "sparsity") != nil)
  }

  /// QuantizationParameters: min 0, max 1, scale 2, zero_point 3, details_type 4, details 5,
  /// quantized_dimension 6.
  mutating func quantization(_ t: Table) throws(TFLiteError) -> TFLiteQuantization {
    TFLiteQuantization(
      min: try float32s(t, 0, "min") ?? [], max: try float32s(t, 1, "max") ?? [],
      scales: try float32s(t, 2, "scale") ?? [], zeroPoints: try int64s(t, 3, "zero_point") ?? [],
      quantizedDimension: Int(try int32(t, 6, "quantized_dimension")),
      hasDetails: try uint8(t, 4, "details_type") != 0)
  }

  /// Operator: opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4.
  mutating func `operator`(_ t: Table, codes: [TFLiteOperatorCode], tensorCount: Int) throws(TFLiteError) -> TFLiteOperator {
    let codeIndex = try index(Int(try uint32(t, 0, "opcode_index")), "\(t.name).opcode_index", count: codes.count)
    let inputs = try int32s(t, 1, "inputs") ?? []
    let outputs = try int32s(t, 2, "outputs") ?? []
    // −1 (`kTfLiteOptionalTensor`) marks an omitted tensor; TFLite accepts it in both lists.
    for (i, index) in inputs.enumerated() where index != -1 {
      _ = try self.index(index, "\(t.name).inputs[\(i)]", count: tensorCount)
    }
    for (i, index) in outputs.enumerated() where index != -1 {
      _ = try self.index(index, "\(t.name).outputs[\(i)]", count: tensorCount)
    }
    let optionsType = try uint8(t, 3, "builtin_options_type")
    let options: TFLiteOperatorOptions
    if optionsType != 0, let table = try table(t, 4, "builtin_options") {
      options = try self.options(type: optionsType, table)
    } else {
      options = .none
    }
    let code = codes[codeIndex]
    return TFLiteOperator(opcodeIndex: codeIndex, builtin: code.builtin, customCode: code.customCode, version: code.version,
                          inputs: inputs, outputs: outputs, options: options)
  }
}
