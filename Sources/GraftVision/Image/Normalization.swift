/// Per-channel normalisation `(x − mean) / std` applied after scaling samples to [0, 1], as
/// torchvision's `ToTensor()` followed by `Normalize(mean, std)`
/// (https://pytorch.org/vision/stable/generated/torchvision.transforms.Normalize.html).
public struct Normalization: Equatable, Sendable, Codable {
  public let mean: [Float]
  public let std: [Float]

  public init(mean: [Float], std: [Float]) {
    precondition(mean.count == std.count, "Normalization: \(mean.count) means, \(std.count) stds")
    precondition(std.allSatisfy { $0 > 0 }, "Normalization: std \(std) must be positive")
    self.mean = mean
    self.std = std
  }

  /// torchvision's ImageNet statistics (RGB).
  public static let imageNet = Normalization(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
  /// No change beyond scaling to [0, 1] (mean 0, std 1 for up to four channels).
  public static let unit = Normalization(mean: [0, 0, 0, 0], std: [1, 1, 1, 1])
}
