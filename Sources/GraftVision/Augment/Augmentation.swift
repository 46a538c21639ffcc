import Foundation
import GraftCore

/// A seeded, composable image pipeline in the manner of `torchvision.transforms.Compose`
/// (https://pytorch.org/vision/stable/transforms.html): steps run in order on an 8-bit `Image`,
/// and every random choice is drawn from the caller's `Generator`, so the same seed gives the
/// same images on every run and machine.
///
/// ```swift
/// let train = Augmentation([.randomResizedCrop(width: 224, height: 224), .horizontalFlip(),
///                           .colorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4)])
/// var generator = Generator(seed: 42)
/// let x = train.apply(to: image, using: &generator).toTensor(normalization: .imageNet)
/// ```
public struct Augmentation: Equatable, Sendable {
  /// One transform.
  public enum Step: Equatable, Sendable {
    /// Resize to exactly `width × height` (`Resize((h, w))`).
    case resize(width: Int, height: Int, filter: Image.ResampleFilter = .bilinear)
    /// Resize the shorter side to `size`, keeping the aspect (`Resize(size)`).
    case resizeShorterSide(Int, filter: Image.ResampleFilter = .bilinear)
    /// The central window (`CenterCrop`).
    case centerCrop(width: Int, height: Int)
    /// A uniformly placed window, zero-padded where the image is smaller (`RandomCrop`).
    case randomCrop(width: Int, height: Int)
    /// A random area fraction in `scale` and log-uniform aspect ratio in `ratio`, resized to
    /// `width × height` (`RandomResizedCrop`, same sampling and central fallback).
    case randomResizedCrop(width: Int, height: Int, scale: ClosedRange<Double> = 0.08...1.0,
                           ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0),
                           filter: Image.ResampleFilter = .bilinear)
    /// Mirror left to right with probability `p` (`RandomHorizontalFlip`).
    case horizontalFlip(probability: Double = 0.5)
    /// Rotate by an angle uniform in `[-maxDegrees, maxDegrees]`, bilinear, zero fill
    /// (`RandomRotation`).
    case rotation(maxDegrees: Double)
    /// Brightness, contrast and saturation factors uniform in `[max(0, 1 − x), 1 + x]`, applied in
    /// a random order (`ColorJitter` without hue).
    case colorJitter(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0)

    /// Whether the step draws from the generator.
    public var isRandom: Bool {
      switch self {
      case .resize, .resizeShorterSide, .centerCrop: false
      default: true
      }
    }
  }

  public var steps: [Step]

  public init(_ steps: [Step] = []) {
    self.steps = steps
  }

  /// This pipeline followed by `other`.
  public func then(_ other: Augmentation) -> Augmentation { Augmentation(steps + other.steps) }

  /// This pipeline followed by `step`.
  public func then(_ step: Step) -> Augmentation { Augmentation(steps + [step]) }

  /// True when no step is random: the output depends on the image only, so features computed
  /// from it can be cached.
  public var isDeterministic: Bool { !steps.contains { $0.isRandom } }

  /// Runs every step on `image` (8-bit; call `to8Bit()` first for 16-bit images).
  public func apply(to image: Image, using generator: inout Generator) -> Image {
    steps.reduce(image) { Augmentation.apply($1, to: $0, using: &generator) }
  }

  static func apply(_ step: Step, to image: Image, using g: inout Generator) -> Image {
    switch step {
    case let .resize(w, h, filter):
      return image.resized(width: w, height: h, filter: filter)
    case let .resizeShorterSide(size, filter):
      return image.resizedShorterSide(to: size, filter: filter)
    case let .centerCrop(w, h):
      return image.centerCropped(width: w, height: h)
    case let .randomCrop(w, h):
      let top = image.height > h ? g.int(below: image.height - h + 1) : (image.height - h) / 2
      let left = image.width > w ? g.int(below: image.width - w + 1) : (image.width - w) / 2
      return image.cropped(x: left, y: top, width: w, height: h)
    case let .randomResizedCrop(w, h, scale, ratio, filter):
      let box = randomResizedCropBox(width: image.width, height: image.height, scale: scale, ratio: ratio, using: &g)
      return image.cropped(x: box.x, y: box.y, width: box.width, height: box.height)
        .resized(width: w, height: h, filter: filter)
    case let .horizontalFlip(p):
      return g.nextUnit() < p ? image.flippedHorizontally() : image
    case let .rotation(maxDegrees):
      let angle = -maxDegrees + g.nextUnit() * 2 * maxDegrees
      return image.rotated(degrees: angle)
    case let .colorJitter(brightness, contrast, saturation):
      func factor(_ x: Double) -> Double? {
        x > 0 ? max(0, 1 - x) + g.nextUnit() * (1 + x - max(0, 1 - x)) : nil
      }
      var out = image
      for op in g.permutation(3) {
        switch op {
        case 0: if let f = factor(brightness) { out = out.adjustingBrightness(f) }
        case 1: if let f = factor(contrast) { out = out.adjustingContrast(f) }
        default: if let f = factor(saturation) { out = out.adjustingSaturation(f) }
        }
      }
      return out
    }
  }

  /// torchvision's `RandomResizedCrop.get_params`: up to ten tries of an area fraction uniform in
  /// `scale` and an aspect ratio log-uniform in `ratio`; the central crop clamped to `ratio` when
  /// every try falls outside the image.
  public static func randomResizedCropBox(
    width: Int, height: Int, scale: ClosedRange<Double>, ratio: ClosedRange<Double>, using g: inout Generator
  ) -> (x: Int, y: Int, width: Int, height: Int) {
    precondition(scale.lowerBound > 0 && ratio.lowerBound > 0, "randomResizedCrop: scale \(scale), ratio \(ratio)")
    let area = Double(width * height)
    let logRatio = (log(ratio.lowerBound), log(ratio.upperBound))
    for _ in 0..<10 {
      let target = area * (scale.lowerBound + g.nextUnit() * (scale.upperBound - scale.lowerBound))
      let aspect = exp(logRatio.0 + g.nextUnit() * (logRatio.1 - logRatio.0))
      let w = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
      let h = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
      if w > 0 && w <= width && h > 0 && h <= height {
        let y = g.int(below: height - h + 1), x = g.int(below: width - w + 1)
        return (x, y, w, h)
      }
    }
    let inRatio = Double(width) / Double(height)
    var (w, h) = (width, height)
    if inRatio < ratio.lowerBound {
      h = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
    } else if inRatio > ratio.upperBound {
      w = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
    }
    return ((width - w) / 2, (height - h) / 2, w, h)
  }
}
