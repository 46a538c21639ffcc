/// A labelled collection that can produce its examples by index.
///
/// Decoding may fail for one item (a corrupt file): `example(at:)` throws and
/// the loader reports and skips that item instead of stopping the run.
public protocol Dataset {
  associatedtype Element
  var count: Int { get }
  func example(at index: Int) throws -> Element
  /// The class of item `index`, when known without decoding (for class-balanced
  /// sampling and stratified splits).
  func label(at index: Int) -> Int?
}

extension Dataset {
  public func label(at index: Int) -> Int? { nil }
}

/// One labelled example of a classification task: an input tensor (any shape
/// the model expects, without the batch axis) and a class index.
public struct LabeledTensor {
  public var input: Tensor
  public var label: Int
  public init(input: Tensor, label: Int) {
    self.input = input
    self.label = label
  }
}

/// Examples held in memory: row `i` of `inputs` [N, ...] with `labels[i]`.
public struct TensorDataset: Dataset {
  public let inputs: Tensor
  public let labels: [Int]

  public init(inputs: Tensor, labels: [Int]) {
    precondition(inputs.rank >= 1 && inputs.shape[0] == labels.count,
                 "TensorDataset: inputs \(inputs.shape) for \(labels.count) labels")
    self.inputs = inputs
    self.labels = labels
  }

  public var count: Int { labels.count }
  public func label(at index: Int) -> Int? { labels[index] }
  public func example(at index: Int) throws -> LabeledTensor {
    LabeledTensor(input: inputs.slice(axis: 0, start: index, count: 1).squeezed(0), label: labels[index])
  }
}

/// A view of some items of another dataset (a split), in the given order.
public struct Subset<Base: Dataset>: Dataset {
  public let base: Base
  public let indices: [Int]
  public init(_ base: Base, indices: [Int]) {
    self.base = base
    self.indices = indices
  }
  public var count: Int { indices.count }
  public func example(at index: Int) throws -> Base.Element { try base.example(at: indices[index]) }
  public func label(at index: Int) -> Int? { base.label(at: indices[index]) }
}

/// Seeded train/validation split. Stratified by label when every label is
/// known, so each class keeps its proportion in both parts (at least one
/// validation item per class that has two or more items).
public func trainValidationSplit<D: Dataset>(_ dataset: D, validationFraction: Double, seed: UInt64)
  -> (train: Subset<D>, validation: Subset<D>) {
  precondition(validationFraction >= 0 && validationFraction < 1, "split: validation fraction \(validationFraction)")
  var g = Generator(seed: seed)
  let labels = (0..<dataset.count).map { dataset.label(at: $0) }
  var train: [Int] = [], validation: [Int] = []
  if validationFraction > 0, labels.allSatisfy({ $0 != nil }) {
    var byClass: [Int: [Int]] = [:]
    for (i, l) in labels.enumerated() { byClass[l!, default: []].append(i) }
    for c in byClass.keys.sorted() {
      let items = byClass[c]!
      let order = g.permutation(items.count).map { items[$0] }
      var n = Int((Double(items.count) * validationFraction).rounded())
      if items.count >= 2 { n = min(max(n, 1), items.count - 1) }
      validation += order.prefix(n)
      train += order.dropFirst(n)
    }
    train.sort(); validation.sort()
  } else {
    let order = g.permutation(dataset.count)
    let n = Int((Double(dataset.count) * validationFraction).rounded())
    validation = Array(order.prefix(n)).sorted()
    train = Array(order.dropFirst(n)).sorted()
  }
  return (Subset(dataset, indices: train), Subset(dataset, indices: validation))
}
