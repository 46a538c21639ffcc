/// Constant tensors as `Float32`, as TFLite's `DEQUANTIZE` computes them
/// (https://ai.google.dev/edge/litert/models/quantization_spec): real = scale × (q − zero_point).
extension TFLiteModel {
  /// The constant tensor `tensor` of subgraph `subgraph` as a `Float32` tensor of the same shape,
  /// in the file's layout:
  /// - integers with quantization (uint8, int8, int16, int32 biases, int64, uint16/32/64): scale ×
  ///   (q − zero_point), with one scale (per tensor) or one per index of `quantizedDimension` (per
  ///   axis); absent zero points are 0. Computed in `Double` and rounded once to `Float`.
  /// - integers without quantization and bool: their values;
  /// - float16, bfloat16, float64: widened or rounded; float32: as stored.
  ///
  /// Throws for a tensor without constant data, a buffer of the wrong size, quantization that does
  /// not fit the shape, and types with no float reading (strings, complex, int4, sparse storage).
  public func dequantized(tensor index: Int, subgraph: Int = 0) throws(TFLiteError) -> Tensor {
    precondition(subgraph >= 0 && subgraph < subgraphs.count, "TFLiteModel.dequantized: subgraph \(subgraph) of \(subgraphs.count)")
    let tensors = subgraphs[subgraph].tensors
    precondition(index >= 0 && index < tensors.count, "TFLiteModel.dequantized: tensor \(index) of \(tensors.count)")
    return try dequantized(tensors[index])
  }

  /// `tensor` (one of this model's) as a `Float32` tensor: see `dequantized(tensor:subgraph:)`.
  public func dequantized(_ tensor: TFLiteTensor) throws(TFLiteError) -> Tensor {
    func fail(_ reason: TFLiteError.Reason) -> TFLiteError { TFLiteError(path: path, reason: reason) }
    guard !tensor.isSparse else { throw fail(.unsupportedTensor(tensor: tensor.name, "sparse storage")) }
    guard let elementSize = tensor.type.byteCount, !isComplex(tensor.type) else {
      throw fail(.unsupportedTensor(tensor: tensor.name, "type \(tensor.type) has no float reading"))
    }
    guard let data = data(of: tensor) else { throw fail(.noData(tensor: tensor.name)) }
    let count = tensor.count
    let (expected, overflow) = count.multipliedReportingOverflow(by: elementSize)
    guard !overflow else { throw fail(.invalidShape(tensor: tensor.name, shape: tensor.shape)) }
    guard data.count == expected else {
      throw fail(.bufferSizeMismatch(tensor: tensor.name, expectedBytes: expected, actualBytes: data.count))
    }
    let output = Tensor(uninitializedShape: tensor.shape)
    let plan = try quantizationPlan(tensor)
    data.withUnsafeBytes { raw in
      guard let source = raw.baseAddress, count > 0 else { return }
      if let plan {
        Self.dequantize(source, type: tensor.type, plan: plan, into: output.data)
      } else if let layout = layout(tensor.type) {
        ScalarDecoding.decode(source, layout: layout, bigEndian: false, count: count, into: output.data)
      }
    }
    return output
  }

  /// The per-slice scales and zero points of an integer tensor, laid out as outer × channels ×
  /// inner elements; nil when the tensor is read as plain values.
  struct QuantizationPlan {
    var scales: [Double]
    var zeroPoints: [Double]
    var outer: Int
    var inner: Int
  }

  func quantizationPlan(_ tensor: TFLiteTensor) throws(TFLiteError) -> QuantizationPlan? {
    guard let q = tensor.quantization, q.isQuantized, isInteger(tensor.type) else { return nil }
    func invalid(_ message: String) -> TFLiteError {
      TFLiteError(path: path, reason: .invalidQuantization(tensor: tensor.name, message))
    }
    let channels = q.scales.count
    guard q.zeroPoints.isEmpty || q.zeroPoints.count == channels else {
      throw invalid("\(channels) scales but \(q.zeroPoints.count) zero points")
    }
    guard q.scales.allSatisfy({ $0.isFinite }) else { throw invalid("a scale is not finite") }
    let zeroPoints = q.zeroPoints.isEmpty ? [Double](repeating: 0, count: channels) : q.zeroPoints.map(Double.init)
    let count = tensor.count
    if channels == 1 {
      return QuantizationPlan(scales: q.scales.map(Double.init), zeroPoints: zeroPoints, outer: 1, inner: count)
    }
    let axis = q.quantizedDimension
    guard axis >= 0 && axis < tensor.shape.count else {
      throw invalid("quantized_dimension \(axis) outside the shape \(tensor.shape)")
    }
    guard tensor.shape[axis] == channels else {
      throw invalid("\(channels) scales for dimension \(axis) of size \(tensor.shape[axis])")
    }
    let inner = tensor.shape[(axis + 1)...].reduce(1, *)
    let outer = tensor.shape[..<axis].reduce(1, *)
    return QuantizationPlan(scales: q.scales.map(Double.init), zeroPoints: zeroPoints, outer: outer, inner: inner)
  }

  /// real = scale[c] × (q − zero_point[c]) over `plan`'s outer × channels × inner elements.
  static func dequantize(_ source: UnsafeRawPointer, type: TFLiteTensorType, plan: QuantizationPlan,
                         into output: UnsafeMutablePointer<Float>) {
    let channels = plan.scales.count
    for o in 0..<plan.outer {
      for c in 0..<channels {
        let scale = plan.scales[c], zero = plan.zeroPoints[c]
        let start = (o * channels + c) * plan.inner
        let end = start + plan.inner
        switch type {
        case .uint8:
          let q = source.assumingMemoryBound(to: UInt8.self)
          for i in start..<end { output[i] = Float(scale * (Double(q[i]) - zero)) }
        case .int8:
          for i in start..<end { output[i] = Float(scale * (Double(source.load(fromByteOffset: i, as: Int8.self)) - zero)) }
        case .int16:
          for i in start..<end {
            output[i] = Float(scale * (Double(Int16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) - zero))
          }
        case .uint16:
          for i in start..<end {
            output[i] = Float(scale * (Double(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) - zero))
          }
        case .int32:
          for i in start..<end {
            output[i] = Float(scale * (Double(Int32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) - zero))
          }
        case .uint32:
          for i in start..<end {
            output[i] = Float(scale * (Double(UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) - zero))
          }
        case .int64:
          for i in start..<end {
            output[i] = Float(scale * (Double(Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) - zero))
          }
        case .uint64:
          for i in start..<end {
            output[i] = Float(scale * (Double(UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) - zero))
          }
        default:
          preconditionFailure("TFLiteModel.dequantize: \(type) is not an integer type")
        }
      }
    }
  }

  func isInteger(_ type: TFLiteTensorType) -> Bool {
    switch type {
    case .uint8, .int8, .int16, .uint16, .int32, .uint32, .int64, .uint64: true
    default: false
    }
  }

  func isComplex(_ type: TFLiteTensorType) -> Bool { type == .complex64 || type == .complex128 }

  /// How plain (unquantized) elements of `type` widen to `Float`.
  func layout(_ type: TFLiteTensorType) -> ScalarLayout? {
    switch type {
    case .bool: .bool
    case .uint8, .uint16, .uint32, .uint64: .unsigned(byteCount: type.byteCount ?? 1)
    case .int8, .int16, .int32, .int64: .signed(byteCount: type.byteCount ?? 1)
    case .float16, .float32, .float64: .float(byteCount: type.byteCount ?? 4)
    case .bfloat16: .bfloat16
    default: nil
    }
  }
}
