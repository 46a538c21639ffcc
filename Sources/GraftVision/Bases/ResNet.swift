import GraftCore

/// torchvision's ResNet-18/34/50 (v1.5: in a `Bottleneck` the stride sits on the 3×3 conv), with
/// its exact modules and `state_dict` keys: `conv1.weight`, `bn1.running_mean`,
/// `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, `fc.weight`, …
/// https://pytorch.org/vision/stable/models/resnet.html
/// (source: `torchvision/models/resnet.py`).
///
/// As a `FeatureExtractor` its features are the global-average-pooled output of `layer4`
/// (`featureCount` = 512 for ResNet-18/34, 2048 for ResNet-50) and its blocks are
/// `[stem, layer1, layer2, layer3, layer4]`. With `classCount` it also has torchvision's `fc`,
/// and `logits(_:)` is torchvision's `forward`. `width` (64 in torchvision) sets the stage
/// widths `width, 2·width, 4·width, 8·width`; narrower networks run the same code.
public final class ResNet: Layer, FeatureExtractor {
  /// The depths torchvision ships.
  public enum Depth: String, CaseIterable, Sendable {
    case resnet18, resnet34, resnet50

    /// Blocks per stage.
    public var layers: [Int] {
      switch self {
      case .resnet18: [2, 2, 2, 2]
      case .resnet34: [3, 4, 6, 3]
      case .resnet50: [3, 4, 6, 3]
      }
    }
    public var usesBottleneck: Bool { self == .resnet50 }
    /// Output channels of a block over its `planes` (torchvision's `expansion`).
    public var expansion: Int { usesBottleneck ? 4 : 1 }
  }

  /// torchvision's `BasicBlock`: 3×3 conv (stride) → BN → ReLU → 3×3 conv → BN, plus the
  /// shortcut (`downsample` = 1×1 conv + BN when the shape changes), then ReLU.
  public final class BasicBlock: Layer {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let downsample: Sequential?

    init(_ inplanes: Int, _ planes: Int, stride: Int, downsample: Sequential?, using g: inout Generator) {
      conv1 = Conv2d(inplanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &g)
      bn1 = BatchNorm2d(planes)
      conv2 = Conv2d(planes, planes, kernelSize: 3, padding: 1, bias: false, using: &g)
      bn2 = BatchNorm2d(planes)
      self.downsample = downsample
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
      let out = bn2(conv2(bn1(conv1(x), then: .relu)))
      let identity = downsample.map { $0(x) } ?? x
      return (out + identity).relu()
    }
  }

  /// torchvision's `Bottleneck` (ResNet v1.5): 1×1 conv → BN → ReLU → 3×3 conv (stride) → BN →
  /// ReLU → 1×1 conv to 4·planes → BN, plus the shortcut, then ReLU.
  public final class Bottleneck: Layer {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d
    public let bn3: BatchNorm2d
    public let downsample: Sequential?

    init(_ inplanes: Int, _ planes: Int, stride: Int, downsample: Sequential?, using g: inout Generator) {
      conv1 = Conv2d(inplanes, planes, kernelSize: 1, bias: false, using: &g)
      bn1 = BatchNorm2d(planes)
      conv2 = Conv2d(planes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false, using: &g)
      bn2 = BatchNorm2d(planes)
      conv3 = Conv2d(planes, planes * 4, kernelSize: 1, bias: false, using: &g)
      bn3 = BatchNorm2d(planes * 4)
      self.downsample = downsample
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor {
      var out = bn1(conv1(x), then: .relu)
      out = bn2(conv2(out), then: .relu)
      out = bn3(conv3(out))
      let identity = downsample.map { $0(x) } ?? x
      return (out + identity).relu()
    }
  }

  /// `conv1 → bn1 → relu → maxpool`. Not a module of the state dict (its members are the
  /// network's own `conv1` and `bn1`); it exists so the stem can be frozen as one block.
  final class Stem: Layer {
    unowned let net: ResNet
    init(_ net: ResNet) {
      self.net = net
      super.init()
    }
    override func namedChildren() -> [(String, Module)] { [("conv1", net.conv1), ("bn1", net.bn1)] }
    override func forward(_ x: Tensor) -> Tensor {
      maxPool2d(net.bn1(net.conv1(x), then: .relu), kernel: (3, 3), stride: (2, 2), padding: (1, 1))
    }
  }

  public let depth: Depth
  public let width: Int
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  public let layer1: Sequential
  public let layer2: Sequential
  public let layer3: Sequential
  public let layer4: Sequential
  /// torchvision's classifier, present when built with a class count.
  public let fc: Linear?
  private var stem: Stem!

  /// The layer names `featureMap(_:upTo:)` accepts, bottom to top.
  public static let layerNames = ["stem", "layer1", "layer2", "layer3", "layer4"]

  /// A ResNet with PyTorch's default initialisation for convs and `fc` (BatchNorm weight 1, bias 0).
  public init(_ depth: Depth, width: Int = 64, classCount: Int? = nil, using g: inout Generator) {
    precondition(width >= 1, "ResNet: width \(width)")
    precondition(classCount.map { $0 >= 1 } ?? true, "ResNet: \(classCount ?? 0) classes")
    self.depth = depth
    self.width = width
    conv1 = Conv2d(3, width, kernelSize: 7, stride: 2, padding: 3, bias: false, using: &g)
    bn1 = BatchNorm2d(width)
    var inplanes = width
    func makeLayer(_ planes: Int, _ blocks: Int, stride: Int, _ g: inout Generator) -> Sequential {
      let out = planes * depth.expansion
      var downsample: Sequential? = nil
      if stride != 1 || inplanes != out {
        downsample = Sequential(Conv2d(inplanes, out, kernelSize: 1, stride: stride, bias: false, using: &g),
                                BatchNorm2d(out))
      }
      var layers: [Layer] = []
      for i in 0..<blocks {
        let s = i == 0 ? stride : 1, ds = i == 0 ? downsample : nil
        layers.append(depth.usesBottleneck
          ? Bottleneck(inplanes, planes, stride: s, downsample: ds, using: &g)
          : BasicBlock(inplanes, planes, stride: s, downsample: ds, using: &g))
        inplanes = out
      }
      return Sequential(layers)
    }
    layer1 = makeLayer(width, depth.layers[0], stride: 1, &g)
    layer2 = makeLayer(width * 2, depth.layers[1], stride: 2, &g)
    layer3 = makeLayer(width * 4, depth.layers[2], stride: 2, &g)
    layer4 = makeLayer(width * 8, depth.layers[3], stride: 2, &g)
    fc = classCount.map { Linear(width * 8 * depth.expansion, $0, using: &g) }
    super.init()
    stem = Stem(self)
  }

  public override func namedChildren() -> [(String, Module)] {
    var out: [(String, Module)] = [("conv1", conv1), ("bn1", bn1), ("layer1", layer1), ("layer2", layer2),
                                   ("layer3", layer3), ("layer4", layer4)]
    if let fc { out.append(("fc", fc)) }
    return out
  }

  public var featureCount: Int { width * 8 * depth.expansion }

  public var architecture: ArchitectureSpec {
    var hyperparameters: [String: JSONValue] = ["width": .number(Double(width))]
    if let fc { hyperparameters["classes"] = .number(Double(fc.weight.shape[0])) }
    return ArchitectureSpec(name: depth.rawValue, hyperparameters: hyperparameters)
  }

  public var blocks: [Module] { [stem, layer1, layer2, layer3, layer4] }

  /// The feature map [N, C, H, W] after the named layer (`ResNet.layerNames`).
  public func featureMap(_ x: Tensor, upTo name: String) -> Tensor {
    guard let last = ResNet.layerNames.firstIndex(of: name) else {
      preconditionFailure("ResNet.featureMap: no layer \"\(name)\" (one of \(ResNet.layerNames))")
    }
    precondition(x.rank == 4 && x.shape[1] == 3, "ResNet: input \(x.shape), expected [N, 3, H, W]")
    let stages: [Layer] = [stem, layer1, layer2, layer3, layer4]
    return stages[...last].reduce(x) { $1($0) }
  }

  /// [N, 3, H, W] → [N, featureCount]: the pooled output of `layer4` (torchvision's input to `fc`).
  public func features(_ x: Tensor) -> Tensor {
    globalAveragePool2d(featureMap(x, upTo: "layer4")).flattened()
  }

  /// torchvision's `forward`: `fc(features(x))`. Needs a network built with `classCount`.
  public func logits(_ x: Tensor) -> Tensor {
    guard let fc else { preconditionFailure("ResNet.logits: built without a classifier (classCount: nil)") }
    return fc(features(x))
  }

  public override func forward(_ x: Tensor) -> Tensor { fc == nil ? features(x) : logits(x) }
}
