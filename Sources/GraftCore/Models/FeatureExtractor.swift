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

  /// `features(x)` computed `chunk` rows of `x` at a time, without gradients: the same rows
  /// (a frozen base in evaluation mode treats each example alone), with the base's activation
  /// memory bounded by `chunk` examples instead of the batch. MobileNetV2 at 224×224: 1,000
  /// images in batches of 32 peaked at 1.47 GB, in chunks of 8 at 459 MB, of 4 at 299 MB, at the
  /// same 104 images/s (docs/BENCHMARKS.md): on a CPU the convolutions' matrices are spatial, so
  /// a few images per pass keep it busy.
  public func features(_ x: Tensor, chunk: Int) -> Tensor {
    precondition(chunk >= 1 && x.rank >= 1, "features(chunk:): chunk \(chunk), input \(x.shape)")
    let n = x.shape[0]
    if n <= chunk { return withoutGradients { features(x) } }
    var out: Tensor? = nil
    var row = 0
    for start in stride(from: 0, to: n, by: chunk) {
      let count = min(chunk, n - start)
      let f = withoutGradients { features(x.slice(axis: 0, start: start, count: count)) }
      let width = f.count / count
      if out == nil { out = Tensor(uninitializedShape: [n] + Array(f.shape.dropFirst())) }
      (out!.data + row * width).update(from: f.data, count: f.count)
      row += count
    }
    return out!
  }
}
