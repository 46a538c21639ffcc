/// A base network for transfer learning: maps a batch of inputs to feature
/// vectors [N, featureCount] and declares its blocks, bottom to top, so the
/// top N can be unfrozen for fine-tuning.
public protocol FeatureExtractor: Module {
  var featureCount: Int { get }
  /// How to rebuild this base (`ArchitectureRegistry.makeBase`).
  var architecture: ArchitectureSpec { get }
  /// Blocks in forward order (the last is closest to the head).
  var blocks: [Module] { get }
  func features(_ x: Tensor) -> Tensor
}

extension FeatureExtractor {
  /// Unfreezes the top `count` blocks (and keeps the rest frozen).
  public func unfreezeTop(_ count: Int) {
    precondition(count >= 0 && count <= blocks.count, "unfreezeTop: \(count) of \(blocks.count) blocks")
    freeze()
    for block in blocks.suffix(count) { block.unfreeze() }
  }
}
