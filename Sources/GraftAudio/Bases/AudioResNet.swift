import GraftCore

/// A small ResNet for spectrogram patches `[N, C, H, W]` (any size of at least 2^stages):
/// torchvision's ResNet with basic blocks (He et al. 2016), cut down for 96 × 64 log-mel inputs.
/// The stem is a 3×3 stride-1 convolution (not 7×7 stride 2: a patch is small), BatchNorm, ReLU and
/// a 2×2 max-pool; then one stage per entry of `layers`, stage i holding `layers[i]` basic blocks
/// of `baseWidth · 2^i` channels, every stage after the first starting with stride 2; then global
/// average pooling. The features are the last stage's channels.
///
/// Keys follow torchvision's `resnet.py`: `conv1.weight`, `bn1.running_mean`,
/// `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, `layer2.0.downsample.1.running_var`, …
///
/// Blocks, bottom to top: the stem (conv1 + bn1), then each stage.
public final class AudioResNet: Layer, FeatureExtractor {
  /// Two 3×3 convolutions with BatchNorm and an identity (or 1×1 projection) shortcut.
  public final class BasicBlock: Layer {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let downsample: Sequential?

    public init(_ cin: Int, _ cout: Int, stride: Int, using g: inout Generator) {
      conv1 = Conv2d(cin, cout, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &g)
      bn1 = BatchNorm2d(cout)
      conv2 = Conv2d(cout, cout, kernelSize: 3, padding: 1, bias: false, using: &g)
      bn2 = BatchNorm2d(cout)
      downsample = stride != 1 || cin != cout
        ? Sequential(Conv2d(cin, cout, kernelSize: 1, stride: stride, bias: false, using: &g), BatchNorm2d(cout)) : nil
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
      let y = bn2(conv2(bn1(conv1(x)).relu()))
      return (y + (downsample.map { $0(x) } ?? x)).relu()
    }
  }

  public let inputChannels: Int
  public let baseWidth: Int
  /// Basic blocks per stage.
  public let layers: [Int]
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  let stages: [Sequential]
  private let stem: BlockGroup

  public init(inputChannels: Int = 1, baseWidth: Int = 16, layers: [Int] = [1, 1, 1, 1], using g: inout Generator) {
    precondition(inputChannels >= 1 && baseWidth >= 1, "AudioResNet: \(inputChannels) input channels, base width \(baseWidth)")
    precondition(!layers.isEmpty && layers.allSatisfy { $0 >= 1 }, "AudioResNet: layers \(layers)")
    self.inputChannels = inputChannels
    self.baseWidth = baseWidth
    self.layers = layers
    conv1 = Conv2d(inputChannels, baseWidth, kernelSize: 3, padding: 1, bias: false, using: &g)
    bn1 = BatchNorm2d(baseWidth)
    var cin = baseWidth
    var stages: [Sequential] = []
    for (i, count) in layers.enumerated() {
      let cout = baseWidth << i
      var blocks: [Layer] = []
      for b in 0..<count {
        blocks.append(BasicBlock(cin, cout, stride: i > 0 && b == 0 ? 2 : 1, using: &g))
        cin = cout
      }
      stages.append(Sequential(blocks))
    }
    self.stages = stages
    stem = BlockGroup([conv1, bn1])
    super.init()
  }

  public override func namedChildren() -> [(String, Module)] {
    [("conv1", conv1), ("bn1", bn1)] + stages.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
  }

  public var featureCount: Int { baseWidth << (layers.count - 1) }

  public var architecture: ArchitectureSpec {
    ArchitectureSpec(name: "audio_resnet", hyperparameters: [
      "input_channels": .number(Double(inputChannels)), "base_width": .number(Double(baseWidth)),
      "layers": .array(layers.map { .number(Double($0)) }),
    ])
  }

  public var blocks: [Module] { [stem] + stages }

  /// `[N, inputChannels, H, W]` → `[N, featureCount]`.
  public func features(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == inputChannels, "AudioResNet(\(inputChannels) channels): input \(x.shape)")
    precondition(x.shape[2] >= 2 << (layers.count - 1) && x.shape[3] >= 2 << (layers.count - 1),
                 "AudioResNet: input \(x.shape) is too small for \(layers.count) stages")
    let stemmed = maxPool2d(bn1(conv1(x)).relu(), kernel: (2, 2))
    return globalAveragePool2d(stages.reduce(stemmed) { $1($0) }).flattened()
  }

  public override func forward(_ x: Tensor) -> Tensor { features(x) }

  /// `{"name": "audio_resnet", "hyperparameters": {"input_channels": 1, "base_width": 16, "layers": [1, 1, 1, 1]}}`;
  /// missing entries take these defaults.
  @Sendable static func build(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    let h = spec.hyperparameters
    func positive(_ key: String, _ fallback: Int) throws(ArchitectureError) -> Int {
      guard let value = h[key] else { return fallback }
      guard let n = value.int, n >= 1, n <= 4096 else {
        throw ArchitectureError(.invalidHyperparameter("audio_resnet \(key) must be a positive integer"))
      }
      return n
    }
    var layers = [1, 1, 1, 1]
    if let value = h["layers"] {
      guard let list = value.array?.compactMap(\.int), list.count == value.array?.count, !list.isEmpty, list.count <= 8,
            list.allSatisfy({ $0 >= 1 && $0 <= 64 }) else {
        throw ArchitectureError(.invalidHyperparameter("audio_resnet layers must be 1 to 8 positive integers"))
      }
      layers = list
    }
    var g = Generator(seed: 0)
    return AudioResNet(inputChannels: try positive("input_channels", 1), baseWidth: try positive("base_width", 16),
                       layers: layers, using: &g)
  }
}
