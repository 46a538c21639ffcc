/// Turns `_rebuild_tensor_v2` descriptions into contiguous `Float32` tensors: checks each view
/// against its storage, then decodes storage elements (any dtype, either byte order) through
/// `ScalarDecoding`, following the view's offset and strides.
enum TensorRebuild {
  /// The most dimensions a tensor may have (torch's own limit is 64 too).
  static let maxRank = 64
  /// Views with more elements than their storage (possible only with zero or overlapping strides,
  /// as `expand` makes) are materialized up to this many elements; a larger one would let a tiny
  /// file demand any amount of memory.
  static let maxOverlappingElements = 1 << 24

  /// A view that fits its storage.
  struct View: Equatable {
    let dtype: PyTorchDType
    let offset: Int
    let size: [Int]
    let stride: [Int]
    let count: Int
    let negated: Bool

    /// Row-major and dense: the elements are `count` consecutive storage elements from `offset`.
    var isContiguous: Bool {
      if count <= 1 { return true }
      var expected = 1
      for (n, s) in zip(size, stride).reversed() where n != 1 {
        if s != expected { return false }
        expected *= n
      }
      return true
    }
  }

  /// Checks `tensor` (called `name` in messages) against `storage`: non-negative offset, sizes and
  /// strides, at most `maxRank` dimensions, an element count and extent that fit `Int`, and every
  /// element inside the storage.
  static func validate(
    _ tensor: TensorReference, storage: StorageReference, name: String
  ) throws(PyTorchFailure) -> View {
    func invalid(_ message: String) -> PyTorchFailure {
      PyTorchFailure(reason: .invalidTensor(tensor: name, message: message))
    }
    guard case .dtype(let dtype) = storage.type else {
      throw PyTorchFailure(reason: .unsupportedDType(tensor: name, storageType: storage.type.className))
    }
    guard tensor.size.count <= maxRank else { throw invalid("\(tensor.size.count) dimensions, more than \(maxRank)") }
    guard tensor.offset >= 0, tensor.size.allSatisfy({ $0 >= 0 }), tensor.stride.allSatisfy({ $0 >= 0 }) else {
      throw invalid("negative offset, size or stride (offset \(tensor.offset), size \(tensor.size), stride \(tensor.stride))")
    }
    var count = 1
    for n in tensor.size {
      let (product, overflow) = count.multipliedReportingOverflow(by: n)
      guard !overflow else { throw invalid("size \(tensor.size) has too many elements") }
      count = product
    }
    if count > 0 {
      var last = tensor.offset
      for (n, s) in zip(tensor.size, tensor.stride) {
        let (step, o1) = (n - 1).multipliedReportingOverflow(by: s)
        let (sum, o2) = last.addingReportingOverflow(step)
        guard !o1, !o2 else { throw invalid("offset \(tensor.offset), size \(tensor.size), stride \(tensor.stride) overflow") }
        last = sum
      }
      guard last < storage.count else {
        throw PyTorchFailure(reason: .viewOutOfBounds(
          tensor: name, storage: storage.key, lastElement: last, storageElements: storage.count))
      }
    }
    guard count <= storage.count || count <= maxOverlappingElements else {
      throw invalid("a view of \(count) elements over a storage of \(storage.count) (more than \(maxOverlappingElements))")
    }
    return View(dtype: dtype, offset: tensor.offset, size: tensor.size, stride: tensor.stride, count: count,
                negated: tensor.negated)
  }

  /// Writes `view`'s elements, row-major, from the storage bytes at `storage` into `destination`.
  static func decode(
    _ view: View, storage: UnsafeRawPointer, bigEndian: Bool, into destination: UnsafeMutablePointer<Float>
  ) {
    let layout = view.dtype.layout, itemSize = layout.byteCount
    if view.isContiguous {
      ScalarDecoding.decode(storage + view.offset * itemSize, layout: layout, bigEndian: bigEndian,
                            count: view.count, into: destination)
    } else {
      // Walk the outer dimensions like an odometer and decode one innermost row at a time
      // (element by element when the innermost stride is not 1).
      let rank = view.size.count
      let inner = view.size[rank - 1], innerStride = view.stride[rank - 1]
      var index = [Int](repeating: 0, count: rank - 1)
      var rowStart = view.offset
      var out = destination
      for _ in 0..<(view.count / inner) {
        if innerStride == 1 {
          ScalarDecoding.decode(storage + rowStart * itemSize, layout: layout, bigEndian: bigEndian, count: inner, into: out)
        } else {
          for j in 0..<inner {
            ScalarDecoding.decode(storage + (rowStart + j * innerStride) * itemSize, layout: layout,
                                  bigEndian: bigEndian, count: 1, into: out + j)
          }
        }
        out += inner
        var d = rank - 2
        while d >= 0 {
          index[d] += 1
          rowStart += view.stride[d]
          if index[d] < view.size[d] { break }
          rowStart -= view.stride[d] * view.size[d]
          index[d] = 0
          d -= 1
        }
      }
    }
    if view.negated {
      for i in 0..<view.count { destination[i] = -destination[i] }
    }
  }
}
