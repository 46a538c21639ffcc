extension Augmentation.Step {
  /// The names of `named(_:size:)`, in the order `graft vision train --augment` lists them.
  public static let names = ["flip", "crop", "rotate", "jitter"]

  /// GraftVision's standard random steps by name, for inputs of `size` pixels: `flip` (horizontal,
  /// p = 0.5), `crop` (random resized crop to `size`, 50–100 % of the area), `rotate` (±15°),
  /// `jitter` (brightness, contrast and saturation ±20 %); nil for another name.
  public static func named(_ name: String, size: Int) -> Augmentation.Step? {
    switch name {
    case "flip": .horizontalFlip()
    case "crop": .randomResizedCrop(width: size, height: size, scale: 0.5...1.0)
    case "rotate": .rotation(maxDegrees: 15)
    case "jitter": .colorJitter(brightness: 0.2, contrast: 0.2, saturation: 0.2)
    default: nil
    }
  }
}
