import GraftCore

/// EfficientAT's `MN` (Schmid, Koutini, Widmer, "Efficient large-scale audio tagging via
/// Transformer-to-CNN knowledge distillation", ICASSP 2023; https://github.com/fschmid56/EfficientAT,
/// `models/mn/model.py`, `block_types.py`): torchvision's MobileNetV3-Large adapted to one-channel
/// log-mel input `[N, 1, 128, T]` (mel bands × frames, any T), with EfficientAT's exact modules and
/// `state_dict` keys, so its released checkpoints (`mn04_as_mAP_432.pt`: `widthMultiplier` 0.4,
/// 527 AudioSet classes) load strictly.
///
/// * `features.0`: 3×3 stride-2 convolution 1 → 16·w, BatchNorm, Hardswish (`ConvNormActivation`,
///   keys `features.0.0` conv, `features.0.1` BatchNorm).
/// * `features.1` … `features.15`: the inverted residuals of the MobileNetV3-Large table
///   (`InvertedResidual`, keys `features.K.block.I`), squeeze-and-excitation over channels where
///   the table says so (`features.K.block.2.conc_se_layers.0.fc1`).
/// * `features.16`: 1×1 convolution to 6× the last block's channels, BatchNorm, Hardswish.
/// * `classifier` (the "mlp" head): AdaptiveAvgPool2d(1), Flatten, Linear → `lastChannel`,
///   Hardswish, Dropout(0.2), Linear → classes (keys `classifier.2`, `classifier.5`).
///
/// Every BatchNorm has ε = 0.001 and momentum 0.01 (EfficientAT's `norm_layer`). Channel counts are
/// `makeDivisible(c · w, 8)`. Squeeze-and-excitation is EfficientAT's default `se_dims='c'`,
/// `se_r=4`, `se_agg='max'`: one channel SE layer (sigmoid gate, squeeze width
/// `makeDivisible(C / 4, 8)`) whose output the max over one layer leaves unchanged.
///
/// As a `FeatureExtractor` its features are EfficientAT's second output: the global average pool of
/// `features.16`, `[N, 6 · makeDivisible(160 · w, 8)]` (384 for mn04). Its blocks are the stages of
/// the table: `features.0`, `features.1`, `features.2–3`, `features.4–6`, `features.7–10`,
/// `features.11–12`, `features.13–15`, `features.16`. The classifier is not part of the features
/// (nor of any block); `logits(_:)` runs it.
///
/// `inputLayout` says which way the input's last two axes run: EfficientAT's mel bands × frames
/// (the default), or frames × mel bands, the layout of every other audio base and of `Patches`,
/// which `SoundClassifier` feeds it (the network then transposes its input first). Bundles record
/// it as the hyperparameter `"input": "frames_mels"`.
public final class MN: Layer, FeatureExtractor {
  /// The order of the input's last two axes.
  public enum InputLayout: String, Sendable {
    /// `[N, 1, mel bands, frames]`: EfficientAT's own.
    case melsByFrames = "mels_frames"
    /// `[N, 1, frames, mel bands]`: `Patches`' (transposed before the first convolution).
    case framesByMels = "frames_mels"
  }

  public var inputLayout: InputLayout = .melsByFrames

  /// One row of MobileNetV3-Large's table (channels before the width multiplier).
  struct Row {
    let input: Int, kernel: Int, expanded: Int, output: Int, se: Bool, hardswish: Bool, stride: Int
  }

  /// `_mobilenet_v3_conf` with strides (2, 2, 2, 2), no reduced tail, no dilation.
  static let table: [Row] = [
    Row(input: 16, kernel: 3, expanded: 16, output: 16, se: false, hardswish: false, stride: 1),
    Row(input: 16, kernel: 3, expanded: 64, output: 24, se: false, hardswish: false, stride: 2),
    Row(input: 24, kernel: 3, expanded: 72, output: 24, se: false, hardswish: false, stride: 1),
    Row(input: 24, kernel: 5, expanded: 72, output: 40, se: true, hardswish: false, stride: 2),
    Row(input: 40, kernel: 5, expanded: 120, output: 40, se: true, hardswish: false, stride: 1),
    Row(input: 40, kernel: 5, expanded: 120, output: 40, se: true, hardswish: false, stride: 1),
    Row(input: 40, kernel: 3, expanded: 240, output: 80, se: false, hardswish: true, stride: 2),
    Row(input: 80, kernel: 3, expanded: 200, output: 80, se: false, hardswish: true, stride: 1),
    Row(input: 80, kernel: 3, expanded: 184, output: 80, se: false, hardswish: true, stride: 1),
    Row(input: 80, kernel: 3, expanded: 184, output: 80, se: false, hardswish: true, stride: 1),
    Row(input: 80, kernel: 3, expanded: 480, output: 112, se: true, hardswish: true, stride: 1),
    Row(input: 112, kernel: 3, expanded: 672, output: 112, se: true, hardswish: true, stride: 1),
    Row(input: 112, kernel: 5, expanded: 672, output: 160, se: true, hardswish: true, stride: 2),
    Row(input: 160, kernel: 5, expanded: 960, output: 160, se: true, hardswish: true, stride: 1),
    Row(input: 160, kernel: 5, expanded: 960, output: 160, se: true, hardswish: true, stride: 1),
  ]

  /// EfficientAT's `make_divisible` (from the TensorFlow MobileNet code): round to the nearest
  /// multiple of `divisor`, never below `divisor` nor more than 10 % below `v`.
  static func makeDivisible(_ v: Double, _ divisor: Int = 8) -> Int {
    var new = max(divisor, Int(v + Double(divisor) / 2) / divisor * divisor)
    if Double(new) < 0.9 * v { new += divisor }
    return new
  }

  /// `ConvNormActivation`: convolution (no bias, padding (k − 1) / 2), BatchNorm(ε 0.001,
  /// momentum 0.01), then the activation when given, as a Sequential keyed `0`, `1`, `2`.
  static func convNormActivation(_ cin: Int, _ cout: Int, kernel: Int, stride: Int = 1, groups: Int = 1,
                                 activation: Layer?, using g: inout Generator) -> Sequential {
    let conv = Conv2d(cin, cout, kernelSize: kernel, stride: stride, padding: (kernel - 1) / 2, groups: groups,
                      bias: false, using: &g)
    let norm = BatchNorm2d(cout, momentum: 0.01, epsilon: 0.001)
    return Sequential(activation.map { [conv, norm, $0] } ?? [conv, norm])
  }

  /// EfficientAT's `ConcurrentSEBlock` with channel squeeze-and-excitation only (`se_dims='c'`):
  /// its SE layers (`conc_se_layers.0`, …) run side by side on the input and the block returns
  /// their elementwise maximum (`se_agg='max'`).
  public final class ConcurrentSEBlock: Layer {
    public let layers: [SqueezeExcitation]

    init(channels: Int, reduction: Int = 4, using g: inout Generator) {
      layers = [SqueezeExcitation(channels: channels, squeezeChannels: MN.makeDivisible(Double(channels / reduction)),
                                  gate: Sigmoid(), using: &g)]
      super.init()
    }

    public override func namedChildren() -> [(String, Module)] {
      layers.enumerated().map { ("conc_se_layers.\($0.offset)", $0.element) }
    }

    public override func forward(_ x: Tensor) -> Tensor {
      layers.dropFirst().reduce(layers[0](x)) { $0.maximum($1(x)) }
    }
  }

  /// EfficientAT's `InvertedResidual`: optional 1×1 expansion, k×k depthwise convolution (stride),
  /// optional squeeze-and-excitation, 1×1 linear projection, all in `block`; ReLU or Hardswish after
  /// the expansion and the depthwise convolution; a residual connection when the stride is 1 and
  /// the channels are unchanged.
  public final class InvertedResidual: Layer {
    public let block: Sequential
    public let useResidual: Bool

    init(_ row: Row, widthMultiplier w: Double, using g: inout Generator) {
      let input = MN.makeDivisible(Double(row.input) * w), expanded = MN.makeDivisible(Double(row.expanded) * w)
      let output = MN.makeDivisible(Double(row.output) * w)
      func activation() -> Layer { row.hardswish ? Hardswish() : ReLU() }
      var layers: [Layer] = []
      if expanded != input {
        layers.append(MN.convNormActivation(input, expanded, kernel: 1, activation: activation(), using: &g))
      }
      layers.append(MN.convNormActivation(expanded, expanded, kernel: row.kernel, stride: row.stride, groups: expanded,
                                          activation: activation(), using: &g))
      if row.se { layers.append(ConcurrentSEBlock(channels: expanded, using: &g)) }
      layers.append(MN.convNormActivation(expanded, output, kernel: 1, activation: nil, using: &g))
      block = Sequential(layers)
      useResidual = row.stride == 1 && input == output
      super.init()
    }

    public override func forward(_ x: Tensor) -> Tensor { useResidual ? block(x) + x : block(x) }
  }

  public let widthMultiplier: Double
  public let features: Sequential
  /// EfficientAT's "mlp" head, when built with a class count.
  public let classifier: Sequential?
  public let classCount: Int?
  /// Channels of `features.16` (the embedding size).
  public let embeddingSize: Int
  /// Width of the classifier's hidden layer, `makeDivisible(1280 · w, 8)`.
  public let lastChannel: Int
  private var stages: [BlockGroup] = []

  /// An MN with PyTorch's default initialisation (EfficientAT re-initialises; weights are
  /// expected to be loaded). `classCount` nil leaves out the classifier.
  public init(widthMultiplier: Double = 0.4, classCount: Int? = 527, dropout: Float = 0.2, using g: inout Generator) {
    precondition(widthMultiplier > 0, "MN: width multiplier \(widthMultiplier)")
    precondition(classCount.map { $0 >= 1 } ?? true, "MN: class count \(classCount ?? 0)")
    self.widthMultiplier = widthMultiplier
    let w = widthMultiplier
    var layers: [Layer] = [
      MN.convNormActivation(1, MN.makeDivisible(16 * w), kernel: 3, stride: 2, activation: Hardswish(), using: &g),
    ]
    var groups: [[Int]] = [[0]]
    for (i, row) in MN.table.enumerated() {
      if i == 0 || row.stride != 1 || row.output != MN.table[i - 1].output { groups.append([]) }
      groups[groups.count - 1].append(layers.count)
      layers.append(InvertedResidual(row, widthMultiplier: w, using: &g))
    }
    let last = MN.makeDivisible(Double(MN.table[MN.table.count - 1].output) * w)
    embeddingSize = 6 * last
    groups.append([layers.count])
    layers.append(MN.convNormActivation(last, embeddingSize, kernel: 1, activation: Hardswish(), using: &g))
    features = Sequential(layers)
    lastChannel = MN.makeDivisible(1280 * w)
    self.classCount = classCount
    let (embedding, hidden) = (embeddingSize, lastChannel)
    classifier = classCount.map {
      Sequential(AdaptiveAvgPool2d(), Flatten(), Linear(embedding, hidden, using: &g), Hardswish(), Dropout(dropout),
                 Linear(hidden, $0, using: &g))
    }
    super.init()
    stages = groups.map { BlockGroup($0.map { features[$0] }) }
  }

  public override func namedChildren() -> [(String, Module)] {
    classifier.map { [("features", features), ("classifier", $0)] } ?? [("features", features)]
  }

  public var featureCount: Int { embeddingSize }

  public var architecture: ArchitectureSpec {
    var h: [String: JSONValue] = ["width_mult": .number(widthMultiplier)]
    // 0: built without the classifier (the builder's default is 527).
    h["num_classes"] = .number(Double(classCount ?? 0))
    if inputLayout != .melsByFrames { h["input"] = .string(inputLayout.rawValue) }
    return ArchitectureSpec(name: widthMultiplier == 0.4 ? "mn04_as" : "mn", hyperparameters: h)
  }

  public var blocks: [Module] { stages }

  /// The last feature map `[N, embeddingSize, H', T']` (the output of `features.16`).
  public func featureMap(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == 1 && x.shape[2] >= 1 && x.shape[3] >= 1,
                 "MN: input \(x.shape), expected [N, 1, \(inputLayout == .melsByFrames ? "mel bands, frames" : "frames, mel bands")]")
    let stack: Sequential = features  // the layers, not `features(_:)`
    return stack(inputLayout == .melsByFrames ? x : x.transposed(2, 3))
  }

  /// `[N, 1, F, T]` → `[N, embeddingSize]`: EfficientAT's `features` output, the mean of the last
  /// feature map over frequency and time.
  public func features(_ x: Tensor) -> Tensor { globalAveragePool2d(featureMap(x)).flattened() }

  /// EfficientAT's `forward`: `(logits [N, classes], features [N, embeddingSize])` from one pass.
  /// The logits are pre-sigmoid (AudioSet is multi-label). Needs a network built with a class count.
  public func logitsAndFeatures(_ x: Tensor) -> (logits: Tensor, features: Tensor) {
    guard let classifier else { preconditionFailure("MN.logits: built without a classifier (classCount: nil)") }
    let pooled = globalAveragePool2d(featureMap(x))  // [N, C, 1, 1]; the classifier's own pool is then the identity
    return (classifier(pooled), pooled.flattened())
  }

  /// The classifier's logits `[N, classes]` (pre-sigmoid).
  public func logits(_ x: Tensor) -> Tensor { logitsAndFeatures(x).logits }

  public override func forward(_ x: Tensor) -> Tensor { classifier == nil ? features(x) : logits(x) }

  /// `{"name": "mn04_as" or "mn", "hyperparameters": {"width_mult": 0.4, "num_classes": 527}}`;
  /// missing entries take these defaults, `num_classes` 0 leaves out the classifier.
  @Sendable static func build(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    let h = spec.hyperparameters
    let width = h["width_mult"].map { $0.double } ?? 0.4
    guard let width, width > 0, width <= 8 else {
      throw ArchitectureError(.invalidHyperparameter("mn width_mult must be a number in (0, 8]"))
    }
    let classes = h["num_classes"].map { $0.int } ?? 527
    guard let classes, classes >= 0, classes <= 1 << 20 else {
      throw ArchitectureError(.invalidHyperparameter("mn num_classes must be an integer ≥ 0"))
    }
    let layout = h["input"].map { $0.string.flatMap(InputLayout.init(rawValue:)) } ?? .melsByFrames
    guard let layout else {
      throw ArchitectureError(.invalidHyperparameter("mn input must be \"mels_frames\" or \"frames_mels\""))
    }
    var g = Generator(seed: 0)
    let network = MN(widthMultiplier: width, classCount: classes == 0 ? nil : classes, using: &g)
    network.inputLayout = layout
    return network
  }
}
