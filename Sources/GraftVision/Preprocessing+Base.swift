import GraftCore

/// How a vision classifier normalizes its input (`graft vision train --normalize`).
public enum NormalizationChoice: String, CaseIterable, Sendable {
  /// The base's own when it states one (the ImageNet MobileNetV2 `.tflite`: (u8 − 128)/128),
  /// else torchvision's ImageNet statistics.
  case base
  /// torchvision's ImageNet mean and std (`Normalization.imageNet`), whatever the base states.
  case imagenet
  /// Samples scaled to [0, 1], nothing more (`Normalization.unit`).
  case none
}

extension ImageFolder.Preprocessing {
  /// The preprocessing of a classifier on a base that states `stated` (`LoadedBase.preprocessing`
  /// in a bundle's `preprocessing` vocabulary: `width`, `height`, `mean`, `std`, and from a
  /// bundle base also `channels`, `filter`, `resize_shorter_side`; each optional).
  ///
  /// - The side: `size` when given, else the base's stated width and height, else 224. Images
  ///   of any size are resized to it (a 32×32 CIFAR image is upscaled bilinearly to 224×224), or
  ///   with `resizeShorterSide` resized on the shorter side and centre-cropped (with neither
  ///   `size` nor `resizeShorterSide` given, the stated `resize_shorter_side`).
  /// - The normalization: `normalization`'s choice (`.base`: the stated mean/std, else ImageNet's).
  /// - Channels and filter: the stated ones, else RGB and bilinear.
  ///
  /// Throws a `SettingsError` naming the stated field that is not a size or a per-channel
  /// mean/std (std > 0) — the base file is damaged, or not a vision base.
  public static func forBase(_ stated: [String: JSONValue], size: Int? = nil, resizeShorterSide: Int? = nil,
                             normalization: NormalizationChoice = .base) throws(SettingsError) -> Self
  {
    let s = SettingsDecoder(stated)
    let side = 1...(1 << 14)
    var width = 224, height = 224
    if let size {
      width = size
      height = size
    } else if s.contains("width") || s.contains("height") {
      width = try s.int("width", in: side)
      height = try s.int("height", in: side)
    }
    var layout = Image.ChannelLayout.rgb
    if s.contains("channels") {
      guard let stated = Image.ChannelLayout(rawValue: try s.int("channels", in: 1...4)) else {
        throw s.error("channels", "1, 2, 3 or 4")
      }
      layout = stated
    }
    let filter = s.contains("filter") ? try s.choice("filter", Image.ResampleFilter.self) : .bilinear
    var shorter = resizeShorterSide
    if size == nil, shorter == nil, s.contains("resize_shorter_side") {
      shorter = try s.int("resize_shorter_side", in: side)
    }
    // ImageNet's statistics and `unit` have enough entries for any layout (3 and 4; RGBA's alpha
    // is dropped by the RGB layout, and `unit` has 4).
    var chosen = layout.rawValue == 4 ? Normalization.unit : Normalization.imageNet
    switch normalization {
    case .imagenet: chosen = layout.rawValue == 4 ? .unit : .imageNet
    case .none: chosen = .unit
    case .base:
      if s.contains("mean") || s.contains("std") {
        let mean = try s.floats("mean"), std = try s.floats("std")
        guard mean.count == std.count, mean.count >= layout.rawValue,
              mean.allSatisfy(\.isFinite), std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
          throw .rule("the base's mean and std need one finite entry per channel (std > 0)")
        }
        chosen = Normalization(mean: mean, std: std)
      }
    }
    if let shorter, shorter < min(width, height) {
      throw .rule("resize_shorter_side \(shorter) is smaller than the \(width)×\(height) input")
    }
    return Self(width: width, height: height, layout: layout, normalization: chosen, filter: filter,
                resizeShorterSide: shorter)
  }
}
