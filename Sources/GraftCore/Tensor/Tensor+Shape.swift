extension Tensor {
  /// Same elements, new shape (shares storage, like a PyTorch view). One
  /// dimension may be -1 and is inferred.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    var target = newShape
    if let i = target.firstIndex(of: -1) {
      let known = target.enumerated().filter { $0.offset != i }.reduce(1) { $0 * $1.element }
      precondition(known > 0 && count % known == 0, "reshape: \(shape) → \(newShape)")
      target[i] = count / known
    }
    precondition(Shape.count(target) == count, "reshape: \(shape) (\(count) elements) → \(newShape)")
    let out = Tensor(shape: target, storage: storage)
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("reshape", [self]) { g in [g.reshaped(inShape)] }
    }
    return out
  }

  /// Flattens axes `startAxis...` into one (as `torch.flatten(x, 1)` by default).
  public func flattened(from startAxis: Int = 1) -> Tensor {
    let a = Shape.axis(startAxis, rank: rank, "flatten")
    return reshaped(Array(shape[..<a]) + [Shape.product(shape, a..<rank)])
  }

  /// Inserts a size-1 axis at `axis`.
  public func unsqueezed(_ axis: Int) -> Tensor {
    let a = Shape.axis(axis, rank: rank + 1, "unsqueeze")
    var s = shape
    s.insert(1, at: a)
    return reshaped(s)
  }

  /// Removes size-1 axes (all of them, or only `axis`).
  public func squeezed(_ axis: Int? = nil) -> Tensor {
    if let axis {
      let a = Shape.axis(axis, rank: rank, "squeeze")
      guard shape[a] == 1 else { return self }
      var s = shape
      s.remove(at: a)
      return reshaped(s)
    }
    return reshaped(shape.filter { $0 != 1 })
  }

  /// Reorders axes: `out.shape[i] == shape[order[i]]` (as `torch.permute`), copying.
  public func permuted(_ order: [Int]) -> Tensor {
    precondition(order.count == rank && Set(order) == Set(0..<rank), "permute: order \(order) for shape \(shape)")
    if order == Array(0..<rank) { return self }
    let outShape = order.map { shape[$0] }
    let out = Tensor(uninitializedShape: outShape)
    let inStrides = Shape.strides(shape)
    let src = order.map { inStrides[$0] }  // input stride of each output axis
    Kernels.stridedCopy(out.data, data, shape: outShape, sourceStrides: src)
    if Tensor.needsGradient(self) {
      var inverse = [Int](repeating: 0, count: rank)
      for (i, o) in order.enumerated() { inverse[o] = i }
      out.record("permute", [self]) { g in [g.permuted(inverse)] }
    }
    return out
  }

  /// Swaps two axes.
  public func transposed(_ a0: Int = -2, _ a1: Int = -1) -> Tensor {
    var order = Array(0..<rank)
    order.swapAt(Shape.axis(a0, rank: rank, "transpose"), Shape.axis(a1, rank: rank, "transpose"))
    return permuted(order)
  }

  /// `count` entries starting at `start` along `axis` (as `torch.narrow`), copying.
  public func slice(axis: Int, start: Int, count length: Int) -> Tensor {
    let a = Shape.axis(axis, rank: rank, "slice")
    precondition(start >= 0 && length >= 0 && start + length <= shape[a],
                 "slice: \(start)..<\(start + length) out of range for axis \(a) of \(shape)")
    let (outer, n, inner) = axisView(a)
    var s = shape
    s[a] = length
    let out = Tensor(uninitializedShape: s)
    for o in 0..<outer {
      (out.data + o * length * inner).update(from: data + (o * n + start) * inner, count: length * inner)
    }
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("slice", [self]) { g in
        let gx = Tensor.zeros(inShape)
        for o in 0..<outer {
          (gx.data + (o * n + start) * inner).update(from: g.data + o * length * inner, count: length * inner)
        }
        return [gx]
      }
    }
    return out
  }

  /// Joins tensors along `axis`; all other dimensions must agree.
  public static func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat: no tensors")
    let first = tensors[0]
    let a = Shape.axis(axis, rank: first.rank, "concat")
    for t in tensors {
      var s1 = t.shape, s0 = first.shape
      precondition(s1.count == s0.count, "concat: shapes \(tensors.map(\.shape)) along axis \(a)")
      s1[a] = 0; s0[a] = 0
      precondition(s1 == s0, "concat: shapes \(tensors.map(\.shape)) along axis \(a)")
    }
    let sizes = tensors.map { $0.shape[a] }
    var outShape = first.shape
    outShape[a] = sizes.reduce(0, +)
    let outer = Shape.product(first.shape, 0..<a)
    let inner = Shape.product(first.shape, (a + 1)..<first.rank)
    let total = outShape[a]
    let out = Tensor(uninitializedShape: outShape)
    var offset = 0
    for (t, n) in zip(tensors, sizes) {
      for o in 0..<outer {
        (out.data + (o * total + offset) * inner).update(from: t.data + o * n * inner, count: n * inner)
      }
      offset += n
    }
    if Tensor.needsGradient(tensors) {
      out.record("concat", tensors) { g in
        var start = 0
        return zip(tensors, sizes).map { t, n in
          defer { start += n }
          return t.requiresGrad ? g.slice(axis: a, start: start, count: n) : nil
        }
      }
    }
    return out
  }

  /// Stacks equal-shaped tensors along a new axis.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    precondition(!tensors.isEmpty, "stack: no tensors")
    precondition(tensors.allSatisfy { $0.shape == tensors[0].shape }, "stack: shapes \(tensors.map(\.shape))")
    return concat(tensors.map { $0.unsqueezed(axis) }, axis: axis)
  }

  /// Rows `indices` along `axis` (as `torch.index_select`): an embedding lookup
  /// is `weight.indexSelect(axis: 0, indices)`. The backward scatter-adds.
  public func indexSelect(axis: Int = 0, _ indices: [Int]) -> Tensor {
    let a = Shape.axis(axis, rank: rank, "indexSelect")
    let (outer, n, inner) = axisView(a)
    for i in indices {
      precondition(i >= 0 && i < n, "indexSelect: index \(i) out of range for axis \(a) of \(shape)")
    }
    var s = shape
    s[a] = indices.count
    let out = Tensor(uninitializedShape: s)
    let m = indices.count
    for o in 0..<outer {
      for (j, i) in indices.enumerated() {
        (out.data + (o * m + j) * inner).update(from: data + (o * n + i) * inner, count: inner)
      }
    }
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("indexSelect", [self]) { g in
        let gx = Tensor.zeros(inShape)
        for o in 0..<outer {
          for (j, i) in indices.enumerated() {
            let dst = gx.data + (o * n + i) * inner, src = g.data + (o * m + j) * inner
            for e in 0..<inner { dst[e] += src[e] }
          }
        }
        return [gx]
      }
    }
    return out
  }

  /// Pads the last `padding.count` axes with `value`: `padding[i]` is
  /// (before, after) for axis `rank - padding.count + i` (as `F.pad`, but
  /// listed outermost first). Negative amounts are not supported.
  public func padded(_ padding: [(Int, Int)], value: Float = 0) -> Tensor {
    precondition(padding.count <= rank, "pad: \(padding.count) axes for shape \(shape)")
    precondition(padding.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "pad: negative padding \(padding)")
    let first = rank - padding.count
    var outShape = shape
    var offsets = [Int](repeating: 0, count: rank)
    for (i, p) in padding.enumerated() {
      outShape[first + i] += p.0 + p.1
      offsets[first + i] = p.0
    }
    let out = Tensor.full(outShape, value)
    // Copy row by row over the input's innermost axis.
    let outStrides = Shape.strides(outShape)
    let base = zip(offsets, outStrides).reduce(0) { $0 + $1.0 * $1.1 }
    Kernels.stridedCopy(out.data + base, data, shape: shape, sourceStrides: Shape.strides(shape),
                        destinationStrides: outStrides)
    if Tensor.needsGradient(self) {
      let inShape = shape
      out.record("pad", [self]) { g in
        let gx = Tensor(uninitializedShape: inShape)
        Kernels.stridedCopy(gx.data, g.data + base, shape: inShape, sourceStrides: outStrides)
        return [gx]
      }
    }
    return out
  }
}
