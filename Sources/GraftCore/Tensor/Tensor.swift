/// An n-dimensional array of `Float32`: contiguous, row-major, on 64-byte-aligned storage.
///
/// Tensors are reference types, as in PyTorch. Operations return new tensors; a
/// tensor produced by an operation on an input that `requiresGrad` records how to
/// propagate its gradient (see `backward()`), so define-by-run code builds the tape.
///
/// Images are NCHW, so torchvision weights load without transposes.
public final class Tensor: CustomStringConvertible {
  /// Dimensions, outermost first. `[]` is a scalar.
  public let shape: [Int]
  /// The owned (or shared, for views produced by `reshaped`) element buffer.
  public let storage: Storage
  /// Whether gradients flow to this tensor. Set it on leaves (parameters);
  /// results of recorded operations have it set automatically.
  public var requiresGrad: Bool
  /// The accumulated gradient of a leaf after `backward()`; nil until then.
  public var grad: Tensor?
  /// The recorded operation that produced this tensor, if any.
  public internal(set) var gradFn: BackwardNode?

  /// Wraps existing storage. `storage.count` must equal the element count.
  public init(shape: [Int], storage: Storage, requiresGrad: Bool = false) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
    precondition(Shape.count(shape) == storage.count,
                 "Tensor: shape \(shape) needs \(Shape.count(shape)) elements, storage has \(storage.count)")
    self.shape = shape
    self.storage = storage
    self.requiresGrad = requiresGrad
  }

  /// Allocates an uninitialised tensor; the caller writes every element.
  public convenience init(uninitializedShape shape: [Int]) {
    self.init(shape: shape, storage: Storage(uninitializedCount: Shape.count(shape)))
  }

  /// A tensor holding `values` in row-major order.
  public convenience init(shape: [Int], _ values: [Float], requiresGrad: Bool = false) {
    precondition(values.count == Shape.count(shape),
                 "Tensor: \(values.count) values for shape \(shape)")
    let storage = Storage(uninitializedCount: values.count)
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { storage.pointer.initialize(from: base, count: values.count) }
    }
    self.init(shape: shape, storage: storage, requiresGrad: requiresGrad)
  }

  /// A scalar (`shape == []`).
  public convenience init(_ scalar: Float, requiresGrad: Bool = false) {
    self.init(shape: [], [scalar], requiresGrad: requiresGrad)
  }

  /// Number of elements.
  @inlinable public var count: Int { storage.count }
  @inlinable public var rank: Int { shape.count }
  /// Raw element pointer, for kernels. Writing through it bypasses autodiff.
  @inlinable public var data: UnsafeMutablePointer<Float> { storage.pointer }
  /// True when no recorded operation produced this tensor.
  public var isLeaf: Bool { gradFn == nil }

  /// The elements, row-major.
  public var scalars: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

  /// The only element of a one-element tensor.
  public var item: Float {
    precondition(count == 1, "item: tensor of shape \(shape) has \(count) elements")
    return data[0]
  }

  /// Size of a dimension; negative axes count from the end.
  public func size(_ axis: Int) -> Int { shape[Shape.axis(axis, rank: rank, "size")] }

  /// A tensor sharing this storage that is cut off from the tape.
  public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

  /// A deep copy, cut off from the tape.
  public func copy() -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    out.data.update(from: data, count: count)
    return out
  }

  /// Overwrites the elements with those of `other` (same shape), bypassing autodiff.
  public func assign(_ other: Tensor) {
    precondition(other.shape == shape, "assign: \(other.shape) into \(shape)")
    if other.storage !== storage { data.update(from: other.data, count: count) }
  }

  public var description: String {
    let shown = count <= 8 ? scalars.map { "\($0)" }.joined(separator: ", ")
      : scalars.prefix(6).map { "\($0)" }.joined(separator: ", ") + ", …"
    return "Tensor(shape: \(shape), [\(shown)]\(requiresGrad ? ", requiresGrad" : ""))"
  }
}
