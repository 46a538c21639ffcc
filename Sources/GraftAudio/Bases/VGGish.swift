import GraftCore

/// A VGGish-style CNN for log-mel patches `[N, 1, H, W]` (96 frames × 64 mel bands by default):
/// the network of Hershey et al., "CNN architectures for large-scale audio classification"
/// (ICASSP 2017) as released in AudioSet's VGGish
/// (https://github.com/tensorflow/models/tree/master/research/audioset/vggish).
///
/// Four convolution blocks (3×3, stride 1, padding 1, ReLU; 64, 128, 2×256, 2×512 channels) each
/// followed by a 2×2 max-pool, then the channels-last flattened map `[N, H/16 · W/16 · C]` through
/// Linear → ReLU → Linear → ReLU → Linear → ReLU (4096, 4096, 128): the features are the 128-value
/// embedding. `widthMultiplier` scales every channel count and the hidden size (1/16 gives a base
/// small enough for tests and demos).
///
/// Keys are those of torchvggish (https://github.com/harritaylor/torchvggish, `vggish.py`):
/// `features.0.weight` … `features.13.bias` (the six convolutions at indices 0, 3, 6, 8, 11, 13 of
/// one `Sequential`) and `embeddings.0`, `.2`, `.4`. Its flatten order is the same too (channels
/// last, as TensorFlow), so converted torchvggish weights load with `widthMultiplier` 1.
///
/// Blocks, bottom to top: conv1, conv2, conv3 (two layers), conv4 (two layers), the embedding layers.
public final class VGGish: Layer, FeatureExtractor {
  public let widthMultiplier: Double
  public let inputHeight: Int
  public let inputWidth: Int
  /// Channels of the four convolution blocks.
  public let widths: [Int]
  public let hiddenSize: Int
  public let embeddingSize: Int
  /// The convolution stack, key `features` (torchvggish's name).
  public let convolutions: Sequential
  public let embeddings: Sequential
  private let groups: [BlockGroup]

  /// Channel counts for a width multiplier: `max(1, round(c · m))` of 64, 128, 256, 512 and 4096.
  public static func scaled(_ channels: Int, _ multiplier: Double) -> Int {
    max(1, Int((Double(channels) * multiplier).rounded()))
  }

  public init(widthMultiplier: Double = 1, inputHeight: Int = 96, inputWidth: Int = 64, embeddingSize: Int = 128,
              using g: inout Generator) {
    precondition(widthMultiplier > 0, "VGGish: width multiplier \(widthMultiplier)")
    precondition(inputHeight >= 16 && inputWidth >= 16, "VGGish: input \(inputHeight)×\(inputWidth) is smaller than 16×16")
    precondition(embeddingSize >= 1, "VGGish: embedding size \(embeddingSize)")
    self.widthMultiplier = widthMultiplier
    self.inputHeight = inputHeight
    self.inputWidth = inputWidth
    self.embeddingSize = embeddingSize
    let widths = [64, 128, 256, 512].map { Self.scaled($0, widthMultiplier) }
    self.widths = widths
    hiddenSize = Self.scaled(4096, widthMultiplier)
    func conv(_ cin: Int, _ cout: Int) -> Conv2d { Conv2d(cin, cout, kernelSize: 3, padding: 1, using: &g) }
    let convs = [conv(1, widths[0]), conv(widths[0], widths[1]), conv(widths[1], widths[2]), conv(widths[2], widths[2]),
                 conv(widths[2], widths[3]), conv(widths[3], widths[3])]
    convolutions = Sequential(
      convs[0], ReLU(), MaxPool2d(kernelSize: 2),
      convs[1], ReLU(), MaxPool2d(kernelSize: 2),
      convs[2], ReLU(), convs[3], ReLU(), MaxPool2d(kernelSize: 2),
      convs[4], ReLU(), convs[5], ReLU(), MaxPool2d(kernelSize: 2))
    let flat = widths[3] * (inputHeight / 16) * (inputWidth / 16)
    embeddings = Sequential(Linear(flat, hiddenSize, using: &g), ReLU(), Linear(hiddenSize, hiddenSize, using: &g), ReLU(),
                            Linear(hiddenSize, embeddingSize, using: &g), ReLU())
    groups = [BlockGroup([convs[0]]), BlockGroup([convs[1]]), BlockGroup([convs[2], convs[3]]),
              BlockGroup([convs[4], convs[5]]), BlockGroup([embeddings])]
    super.init()
  }

  public override func namedChildren() -> [(String, Module)] { [("features", convolutions), ("embeddings", embeddings)] }

  public var featureCount: Int { embeddingSize }

  public var architecture: ArchitectureSpec {
    ArchitectureSpec(name: "vggish", hyperparameters: [
      "width_multiplier": .number(widthMultiplier), "input_height": .number(Double(inputHeight)),
      "input_width": .number(Double(inputWidth)), "embedding_size": .number(Double(embeddingSize)),
    ])
  }

  public var blocks: [Module] { groups }

  /// `[N, 1, inputHeight, inputWidth]` → `[N, embeddingSize]`.
  public func features(_ x: Tensor) -> Tensor {
    precondition(x.rank == 4 && x.shape[1] == 1 && x.shape[2] == inputHeight && x.shape[3] == inputWidth,
                 "VGGish: input \(x.shape), expected [N, 1, \(inputHeight), \(inputWidth)]")
    let map = convolutions(x)                    // [N, C, H/16, W/16]
    let channelsLast = map.permuted([0, 2, 3, 1]) // [N, H/16, W/16, C], TensorFlow's flatten order
    return embeddings(channelsLast.flattened())
  }

  public override func forward(_ x: Tensor) -> Tensor { features(x) }

  /// `{"name": "vggish", "hyperparameters": {"width_multiplier": m, "input_height": H, "input_width": W, "embedding_size": E}}`;
  /// missing entries take the defaults (1, 96, 64, 128).
  @Sendable static func build(_ spec: ArchitectureSpec) throws(ArchitectureError) -> any FeatureExtractor {
    let h = spec.hyperparameters
    let multiplier = h["width_multiplier"].map { $0.double } ?? 1
    guard let multiplier, multiplier > 0, multiplier <= 16 else {
      throw ArchitectureError(.invalidHyperparameter("vggish width_multiplier must be a number in (0, 16]"))
    }
    func size(_ key: String, _ fallback: Int, minimum: Int) throws(ArchitectureError) -> Int {
      guard let value = h[key] else { return fallback }
      guard let n = value.int, n >= minimum, n <= 1 << 16 else {
        throw ArchitectureError(.invalidHyperparameter("vggish \(key) must be an integer ≥ \(minimum)"))
      }
      return n
    }
    var g = Generator(seed: 0)
    return VGGish(widthMultiplier: multiplier, inputHeight: try size("input_height", 96, minimum: 16),
                  inputWidth: try size("input_width", 64, minimum: 16),
                  embeddingSize: try size("embedding_size", 128, minimum: 1), using: &g)
  }
}
