import GraftCore

/// torchvision's MobileNetV2 with its exact modules and `state_dict` keys: `features.0.0.weight`
/// (stem conv), `features.1.conv.0.0.weight` (first inverted residual), …, `features.18.1.running_var`
/// (last 1×1 conv block), `classifier.1.weight`.
/// https://pytorch.org/vision/stable/models/mobilenetv2.html
/// (source: `torchvision/models/mobilenetv2.py`).
///
/// As a `FeatureExtractor` its features are the global-average-pooled output of `features`
/// (`featureCount` = 1280 for `widthMultiplier` ≤ 1) and its blocks are the stages of the
/// inverted-residual table: `features.0`, `features.1`, `features.2–3`, `features.4–6`,
/// `features.7–10`, `features.11–13`, `features.14–16`, `features.17`, `features.18`.
/// With `classCount` it also has `classifier` (Dropout(0.2), Linear) and `logits(_:)` is
/// torchvision's `forward`.
///
/// `padding: .same` pads every convolution as TensorFlow's SAME (`ConvPadding.same`), the
/// convention of the TF-slim / Keras MobileNetV2 files: the five stride-2 3×3 convolutions on
/// even inputs then pad 0 rows/columns above/left and 1 below/right instead of torchvision's 1 and
/// 1; every other convolution pads the same either way.
public final class MobileNetV2: Layer, FeatureExtractor {
  /// How the convolutions pad: torchvision's symmetric (kernel − 1) / 2, or TensorFlow's SAME.
  /// The raw value is the `padding` hyper-parameter of the architecture spec.
  public enum Padding: String, Sendable, CaseIterable {
    case symmetric, same

    func convPadding(kernel: Int) -> ConvPadding {
      self == .same ? .same : .symmetric((kernel - 1) / 2, (kernel - 1) / 2)
    }
  }

  /// torchvision's `Conv2dNormActivation`: conv (no bias) → BatchNorm → ReLU6 as a Sequential
  /// keyed `0`, `1`, `2`.
  static func convBNReLU6(_ cin: Int, _ cout: Int, kernel: Int = 3, stride: Int = 1, groups: Int = 1,
                          padding: Padding, using g: inout Generator) -> Sequential {
    Sequential(Conv2d(cin, cout, kernelSize: kernel, stride: stride, padding: padding.convPadding(kernel: kernel),
                      groups: groups, bias: false, using: &g),
               BatchNorm2d(cout), ReLU6())
  }

  /// torchvision's `InvertedResidual`: optional 1×1 expansion (ReLU6), 3×3 depthwise conv
  /// (stride, ReLU6), 1×1 linear projection + BatchNorm, all in `conv`; a residual connection
  /// when the stride is 1 and the channels are unchanged.
  public final class InvertedResidual: Layer {
    public let conv: Sequential
    public let useResidual: Bool

    init(_ inp: Int, _ oup: Int, stride: Int, expandRatio: Int, padding: Padding, using g: inout Generator) {
      precondition(stride == 1 || stride == 2, "InvertedResidual: stride \(stride)")
      let hidden = Int((Double(inp) * Double(expandRatio)).rounded())
      var layers: [Layer] = []
      if expandRatio != 1 { layers.append(MobileNetV2.convBNReLU6(inp, hidden, kernel: 1, padding: padding, using: &g)) }
      layers.append(MobileNetV2.convBNReLU6(hidden, hidden, stride: stride, groups: hidden, padding: padding, using: &g))
      layers.append(Conv2d(hidden, oup, kernelSize: 1, padding: padding.convPadding(kernel: 1), bias: false, using: &g))
      layers.append(BatchNorm2d(oup))
      conv = Sequential(layers)
      useResidual = stride == 1 && inp == oup
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { useResidual ? x + conv(x) : conv(x) }
  }

  /// The inverted-residual table of the paper (expand ratio t, channels c, repeats n, stride s).
  static let settings: [(t: Int, c: Int, n: Int, s: Int)] = [
    (1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1),
  ]

  /// torchvision's `_make_divisible`: round to the nearest multiple of `divisor`, never below
  /// `divisor` nor more than 10 % below `v`.
  static func makeDivisible(_ v: Double, _ divisor: Int = 8) -> Int {
    var new = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(new) < 0.9 * v { new += divisor }
    return new
  }

  public let widthMultiplier: Double
  public let padding: Padding
  public let features: Sequential
  /// torchvision's classifier (`classifier.0` Dropout, `classifier.1` Linear), when built with a class count.
  public let classifier: Sequential?
  /// The number of classes of `classifier` (nil without one).
  public let classCount: Int?
  public let lastChannel: Int
  private var stages: [Module] = []

  /// A MobileNetV2 with PyTorch's default initialisation (torchvision re-initialises with Kaiming;
  /// weights are expected to be loaded).
  public init(widthMultiplier: Double = 1.0, classCount: Int? = nil, dropout: Float = 0.2,
              padding: Padding = .symmetric, using g: inout Generator) {
    precondition(widthMultiplier > 0, "MobileNetV2: width multiplier \(widthMultiplier)")
    precondition(classCount.map { $0 >= 1 } ?? true, "MobileNetV2: \(classCount ?? 0) classes")
    self.widthMultiplier = widthMultiplier
    self.padding = padding
    self.classCount = classCount
    var input = MobileNetV2.makeDivisible(32 * widthMultiplier)
    lastChannel = MobileNetV2.makeDivisible(1280 * max(1.0, widthMultiplier))
    var layers: [Layer] = [MobileNetV2.convBNReLU6(3, input, stride: 2, padding: padding, using: &g)]
    var groups: [[Int]] = [[0]]
    for (t, c, n, s) in MobileNetV2.settings {
      let output = MobileNetV2.makeDivisible(Double(c) * widthMultiplier)
      var group: [Int] = []
      for i in 0..<n {
        group.append(layers.count)
        layers.append(InvertedResidual(input, output, stride: i == 0 ? s : 1, expandRatio: t, padding: padding,
                                       using: &g))
        input = output
      }
      groups.append(group)
    }
    groups.append([layers.count])
    layers.append(MobileNetV2.convBNReLU6(input, lastChannel, kernel: 1, padding: padding, using: &g))
    features = Sequential(layers)
    let last = lastChannel
    classifier = classCount.map { Sequential(Dropout(dropout), Linear(last, $0, using: &g)) }
    super.init()
    stages = groups.map { ModuleGroup($0.map { features[$0] }) }
  }

  public override func namedChildren() -> [(String, Module)] {
    classifier.map { [("features", features), ("classifier", $0)] } ?? [("features", features)]
  }

  public var featureCount: Int { lastChannel }


  /// `{"width_mult": m}`, plus `"padding": "same"` and `"classes": N` when they are not the defaults
  /// (symmetric padding, no classifier), so a bundle rebuilds exactly this network.
  public var architecture: ArchitectureSpec {
    var hyperparameters: [String: JSONValue] = ["width_mult": .number(widthMultiplier)]
    if padding != .symmetric { hyperparameters["padding"] = .string(padding.rawValue) }
    if let classCount { hyperparameters["classes"] = .number(Double(classCount)) }
    return ArchitectureSpec(name: "mobilenet_v2", hyperparameters: hyperparameters)
  }

  public var blocks: [Module] { stages }

  /// Names `featureMap(_:upTo:)` accepts: `features.0` … `features.18`.
  public var layerNames: [String] { (0..<features.count).map { "features.\($0)" } }

  /// The feature map [N, C, H, W] after `features.K`.
  public func featureMap(_ x: Tensor, upTo name: String) -> Tensor {
    guard let last = layerNames.firstIndex(of: name) else {
      preconditionFailure("MobileNetV2.featureMap: no layer \"\(name)\" (features.0 … features.\(features.count - 1))")
    }
    precondition(x.rank == 4 && x.shape[1] == 3, "MobileNetV2: input \(x.shape), expected [N, 3, H, W]")
    return features.layers[...last].reduce(x) { $1($0) }
  }

  /// [N, 3, H, W] → [N, featureCount]: the pooled output of `features`.
  public func features(_ x: Tensor) -> Tensor {
    globalAveragePool2d(featureMap(x, upTo: "features.\(features.count - 1)")).flattened()
  }

  /// torchvision's `forward`: `classifier(features(x))`. Needs a network built with `classCount`.
  public func logits(_ x: Tensor) -> Tensor {
    guard let classifier else { preconditionFailure("MobileNetV2.logits: built without a classifier (classCount: nil)") }
    return classifier(features(x))
  }

  public override func forward(_ x: Tensor) -> Tensor { classifier == nil ? features(x) : logits(x) }
}
