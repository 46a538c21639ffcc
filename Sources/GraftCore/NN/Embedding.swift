/// A lookup table of `count` vectors of size `dimension`, as `torch.nn.Embedding`.
/// https://pytorch.org/docs/stable/generated/torch.nn.Embedding.html
///
/// The row at `paddingIndex` starts at zero and never receives a gradient.
/// Load pretrained vectors with `load(_:)` or by assigning `weight`, and
/// `freeze()` to keep them fixed.
public final class Embedding: Module {
  @Param public var weight: Tensor  // [count, dimension]
  public let paddingIndex: Int?

  /// N(0, 1) initialisation, as PyTorch.
  public init(_ count: Int, _ dimension: Int, paddingIndex: Int? = nil, using generator: inout Generator) {
    if let p = paddingIndex { precondition(p >= 0 && p < count, "Embedding: padding index \(p) outside 0..<\(count)") }
    weight = Tensor.randomNormal([count, dimension], using: &generator)
    self.paddingIndex = paddingIndex
    super.init()
    if let p = paddingIndex { (weight.data + p * dimension).update(repeating: 0, count: dimension) }
  }

  /// Wraps pretrained vectors [count, dimension].
  public init(pretrained: Tensor, paddingIndex: Int? = nil) {
    precondition(pretrained.rank == 2, "Embedding: pretrained weights \(pretrained.shape) must be [count, dimension]")
    weight = pretrained
    self.paddingIndex = paddingIndex
    super.init()
  }

  public var count: Int { weight.shape[0] }
  public var dimension: Int { weight.shape[1] }

  /// Vectors for `indices` (any shape [*]) → [*, dimension].
  public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor {
    for i in indices { precondition(i >= 0 && i < count, "Embedding(\(count)): index \(i) out of range") }
    var rows = weight.indexSelect(axis: 0, indices)
    if let p = paddingIndex, weight.requiresGrad, indices.contains(p) {
      // Block the padding row's gradient: multiply its rows by a constant 0 mask.
      let mask = Tensor(shape: [indices.count, 1], indices.map { $0 == p ? 0 : 1 })
      rows = rows * mask
    }
    let outShape = (shape ?? [indices.count]) + [dimension]
    let y = rows.reshaped(outShape)
    ShapeTrace.report(self, y)
    return y
  }
}
