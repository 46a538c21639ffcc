/// A small convolutional base: blocks of 3×3 conv (no bias) → BatchNorm → ReLU →
/// 2×2 max-pool, then global average pooling. With widths [32, 64, 128] and a
/// Linear(128, 10) head it is the network of `graft bench core`'s
/// `smallcnn_*` figures; it also serves as the project's own pretrained base
/// for small images and spectrogram patches.
///
/// Keys: `blocks.0.conv.weight`, `blocks.0.bn.running_mean`, …
public final class SmallCNN: Layer, FeatureExtractor {
  public final class Block: Layer {
    public let conv: Conv2d
    public let bn: BatchNorm2d
    public init(_ cin: Int, _ cout: Int, using g: inout Generator) {
      conv = Conv2d(cin, cout, kernelSize: 3, padding: 1, bias: false, using: &g)
      bn = BatchNorm2d(cout)
      super.init()
    }
    public override func forward(_ x: Tensor) -> Tensor {
      maxPool2d(bn(conv(x)).relu(), kernel: (2, 2))
    }
  }

  public let inputChannels: Int
  public let widths: [Int]
  let stages: [Block]

  public init(inputChannels: Int = 3, widths: [Int] = [32, 64, 128], using g: inout Generator) {
    precondition(!widths.isEmpty, "SmallCNN: no blocks")
    self.inputChannels = inputChannels
    self.widths = widths
    var cin = inputChannels
    var made: [Block] = []
    for w in widths {
      made.append(Block(cin, w, using: &g))
      cin = w
    }
    stages = made
    super.init()
  }

  public override func namedChildren() -> [(String, Module)] {
    stages.enumerated().map { ("blocks.\($0.offset)", $0.element) }
  }

  public var featureCount: Int { widths.last! }
  public var architecture: ArchitectureSpec {
    ArchitectureSpec(name: "smallcnn", hyperparameters: [
      "input_channels": .number(Double(inputChannels)), "widths": .array(widths.map { .number(Double($0)) }),
    ])
  }
  public var blocks: [Module] { stages }

  /// [N, C, H, W] → [N, featureCount]
  public func features(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == inputChannels, "SmallCNN(\(inputChannels) channels): input \(x.shape)")
    let y = stages.reduce(x) { $1($0) }
    return globalAveragePool2d(y).flattened()
  }

  public override func forward(_ x: Tensor) -> Tensor { features(x) }
}
