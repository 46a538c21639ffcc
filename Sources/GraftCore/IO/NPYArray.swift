/// An n-dimensional array as a `.npy` file holds it: C-order elements of one `NPYDType`, kept as
/// raw bytes in that dtype's byte order until `toTensor()` widens them.
public struct NPYArray: Equatable, Sendable {
  /// Dimensions, outermost first; `[]` is a scalar.
  public let shape: [Int]
  public let dtype: NPYDType
  /// `count × dtype.byteCount` bytes, C order, in the dtype's byte order.
  public let bytes: [UInt8]

  /// Wraps raw element bytes. `bytes.count` must equal the element count times the item size.
  public init(shape: [Int], dtype: NPYDType, bytes: [UInt8]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "NPYArray: negative dimension in \(shape)")
    precondition(bytes.count == Shape.count(shape) * dtype.byteCount,
                 "NPYArray: \(bytes.count) bytes for shape \(shape) of \(dtype)")
    self.shape = shape
    self.dtype = dtype
    self.bytes = bytes
  }

  /// The elements of `tensor` as little-endian `<f4`.
  public init(_ tensor: Tensor) {
    var bytes = [UInt8](repeating: 0, count: tensor.count * 4)
    bytes.withUnsafeMutableBytes { raw in
      for i in 0..<tensor.count {
        raw.storeBytes(of: tensor.data[i].bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
      }
    }
    self.init(shape: tensor.shape, dtype: .float32, bytes: bytes)
  }

  /// 8-bit pixels (`|u1`), e.g. a decoded image of shape `[H, W, C]`.
  public init(pixels: [UInt8], shape: [Int]) {
    self.init(shape: shape, dtype: .uint8, bytes: pixels)
  }

  /// 16-bit pixels, stored little-endian (`<u2`).
  public init(pixels: [UInt16], shape: [Int]) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(pixels.count * 2)
    for p in pixels { bytes.append(UInt8(truncatingIfNeeded: p)); bytes.append(UInt8(truncatingIfNeeded: p >> 8)) }
    self.init(shape: shape, dtype: .uint16, bytes: bytes)
  }

  /// Number of elements.
  public var count: Int { Shape.count(shape) }

  /// The elements widened to `Float32`: floats exactly (float64 rounds to nearest), integers exactly
  /// up to 2²⁴ in magnitude and to the nearest `Float` beyond, bool as 0 or 1.
  public func toTensor() -> Tensor {
    let tensor = Tensor(uninitializedShape: shape)
    bytes.withUnsafeBytes { raw in
      if let base = raw.baseAddress {
        ScalarDecoding.decode(base, layout: dtype.layout, bigEndian: dtype.isBigEndian,
                              count: tensor.count, into: tensor.data)
      }
    }
    return tensor
  }
}
