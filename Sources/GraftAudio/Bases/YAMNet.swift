import GraftCore

/// Google's YAMNet (https://github.com/tensorflow/models/tree/master/research/audioset/yamnet,
/// `yamnet.py`): a MobileNetV1 over 96 × 64 log-mel patches (`LogMelFrontEnd.yamnet`) that scores
/// the 521 AudioSet classes of `yamnet_class_map.csv`.
///
/// * `layer1`: a 3×3 stride-2 convolution 1 → 32 (`layer1.conv`), ReLU.
/// * `layer2` … `layer14`: depthwise-separable blocks — a 3×3 depthwise convolution
///   (`layerN.depthwise`, the block's stride), ReLU, a 1×1 pointwise convolution
///   (`layerN.pointwise`), ReLU — with yamnet.py's strides 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1
///   and widths 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024.
/// * The embedding: the mean of `layer14`'s map over time and frequency, `[N, 1024]` (a 96 × 64
///   patch ends as a 3 × 2 map).
/// * `logits`: Linear 1024 → classes; YAMNet's scores are their sigmoid (AudioSet is multi-label).
///
/// Every convolution pads as TensorFlow's SAME (`ConvPadding.same`): a stride-2 layer on an even
/// size pads 0 before and 1 after. yamnet.py's BatchNorms (`scale=False`, ε 10⁻⁴) are folded into
/// the convolutions' weights and biases, as the released `yamnet.tflite` stores them
/// (`tfliteWeights(path:)`), so every convolution has a bias and there is no BatchNorm. The keys
/// are those of the conversion in `../shared/pretrained/make_refs.py`: `layer1.conv.weight`,
/// `layer2.depthwise.bias`, …, `logits.weight`.
///
/// As a `FeatureExtractor` its features are the 1024-d embedding and its blocks the stages
/// between strides: `layer1`, `layer2`, `layer3–4`, `layer5–6`, `layer7–12`, `layer13–14`. The
/// classifier is not part of the features (nor of any block); `logitsAndFeatures(_:)` runs it.
public final class YAMNet: Layer, FeatureExtractor {
  /// yamnet.py's `_YAMNET_LAYER_DEFS` after the first convolution: (stride, output channels).
  public static let separableLayers: [(stride: Int, channels: Int)] = [
    (1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512), (1, 512), (1, 512), (1, 512), (1, 512), (1, 512),
    (2, 1024), (1, 1024),
  ]
  /// Channels of the first convolution.
  public static let stemChannels = 32
  /// AudioSet classes of the released model.
  public static let audioSetClasses = 521

  /// `layer1`: the first convolution, keyed `conv`.
  public final class Stem: Layer {
    public let conv: Conv2d

    init(_ channels: Int, using g: inout Generator) {
      conv = Conv2d(1, channels, kernelSize: 3, stride: 2, padding: .same, using: &g)
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { conv.rectified(x) }
  }

  /// `layerN`: 3×3 depthwise convolution (stride), ReLU, 1×1 pointwise convolution, ReLU.
  public final class SeparableBlock: Layer {
    public let depthwise: Conv2d
    public let pointwise: Conv2d

    init(_ input: Int, _ output: Int, stride: Int, using g: inout Generator) {
      depthwise = Conv2d(input, input, kernelSize: 3, stride: stride, padding: .same, groups: input, using: &g)
      pointwise = Conv2d(input, output, kernelSize: 1, padding: .same, using: &g)
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { pointwise.rectified(depthwise.rectified(x)) }
  }

  public let stem: Stem
  /// `layer2` … `layer14`.
  public let layers: [SeparableBlock]
  /// The Linear 1024 → classes, when built with a class count.
  public let classifier: Linear?
  public let classCount: Int?
  private var stages: [BlockGroup] = []

  /// A YAMNet with PyTorch's default initialisation (weights are expected to be loaded).
  /// `classCount` nil leaves out the classifier.
  public init(classCount: Int? = YAMNet.audioSetClasses, using g: inout Generator) {
    precondition(classCount.map { $0 >= 1 } ?? true, "YAMNet: class count \(classCount ?? 0)")
    stem = Stem(YAMNet.stemChannels, using: &g)
    var input = YAMNet.stemChannels
    var layers: [SeparableBlock] = []
    for (stride, channels) in YAMNet.separableLayers {
      layers.append(SeparableBlock(input, channels, stride: stride, using: &g))
      input = channels
    }
    self.layers = layers
    self.classCount = classCount
    let embedding = input
    classifier = classCount.map { Linear(embedding, $0, using: &g) }
    super.init()
    // Stages end where the next layer downsamples (strides of layer2 … layer14 above).
    var groups: [[Module]] = [[stem]]
    for (i, layer) in layers.enumerated() {
      if i == 0 || YAMNet.separableLayers[i].stride != 1 { groups.append([]) }
      groups[groups.count - 1].append(layer)
    }
    stages = groups.map { BlockGroup($0) }
  }

  public override func namedChildren() -> [(String, Module)] {
    var children: [(String, Module)] = [("layer1", stem)]
    for (i, layer) in layers.enumerated() { children.append(("layer\(i + 2)", layer)) }
    if let classifier { children.append(("logits", classifier)) }
    return children
  }

  /// 1024, the embedding size.
  public var featureCount: Int { YAMNet.separableLayers[YAMNet.separableLayers.count - 1].channels }

  /// `{"name": "yamnet", "hyperparameters": {"classes": N}}` (0 without a classifier).
  public var architecture: ArchitectureSpec {
    ArchitectureSpec(name: "yamnet", hyperparameters: ["classes": .number(Double(classCount ?? 0))])
  }

  public var blocks: [Module] { stages }

  /// `layer14`'s map `[N, 1024, H', W']` of log-mel patches `[N, 1, frames, mel bands]`
  /// (`[N, 1024, 3, 2]` for YAMNet's 96 × 64).
  public func featureMap(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == 1 && x.shape[2] >= 1 && x.shape[3] >= 1,
                 "YAMNet: input \(x.shape), expected [N, 1, frames, mel bands]")
    return layers.reduce(stem(x)) { $1($0) }
  }

  /// `[N, 1, frames, mel bands]` → the embedding `[N, 1024]`.
  public func features(_ x: Tensor) -> Tensor { globalAveragePool2d(featureMap(x)).flattened() }

  /// `(logits [N, classes], embedding [N, 1024])` from one pass; the scores are `logits.sigmoid()`.
  /// Needs a network built with a class count.
  public func logitsAndFeatures(_ x: Tensor) -> (logits: Tensor, features: Tensor) {
    guard let classifier else { preconditionFailure("YAMNet.logits: built without a classifier (classCount: nil)") }
    let embedding = features(x)
    return (classifier(embedding), embedding)
  }

  /// The classifier's logits `[N, classes]` (pre-sigmoid).
  public func logits(_ x: Tensor) -> Tensor { logitsAndFeatures(x).logits }

  /// YAMNet's output: the sigmoid scores `[N, classes]`.
  public func scores(_ x: Tensor) -> Tensor { logits(x).sigmoid() }

  public override func forward(_ x: Tensor) -> Tensor { classifier == nil ? features(x) : logits(x) }

  /// `{"name": "yamnet", "hyperparameters": {"classes": N}}`; `classes` defaults to 521, 0 leaves
  /// out the classifier.
  @Sendable static func build(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    let classes = spec.hyperparameters["classes"].map { $0.int } ?? YAMNet.audioSetClasses
    guard let classes, classes >= 0, classes <= 1 << 20 else {
      throw ArchitectureError(.invalidHyperparameter("yamnet classes must be an integer in 0...1048576"))
    }
    var g = Generator(seed: 0)
    return YAMNet(classCount: classes == 0 ? nil : classes, using: &g)
  }
}
