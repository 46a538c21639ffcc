import GraftCore

/// A contact sheet of augmented samples (`graft vision preview`): look at what an `Augmentation`
/// does to a folder's images before training on them.
public struct AugmentationPreview: Sendable {
  /// Pixels between cells and around the sheet.
  public static let gap = 2
  /// The sheet's background (light gray), so zero-filled crop and rotation borders stay visible.
  public static let background: UInt8 = 224

  /// The sheet: `columns × rows` cells of `size × size` RGB pixels, row-major.
  public var image: Image
  /// Each cell's source file, in cell order.
  public var sources: [String]
  /// Files that could not be decoded (skipped; the next file was used).
  public var skipped: [PNGError]

  /// Columns of a sheet of `count` cells: the smallest `c` with `c × c ≥ count`.
  public static func columns(for count: Int) -> Int {
    var c = 1
    while c * c < count { c += 1 }
    return c
  }

  /// The sheet's width and height for `count` cells of `size` pixels.
  public static func sheetSize(count: Int, size: Int) -> (width: Int, height: Int) {
    let columns = columns(for: count)
    let rows = (count + columns - 1) / columns
    return (columns * size + (columns + 1) * gap, rows * size + (rows + 1) * gap)
  }

  /// `count` samples of `folder`, augmented with `augmentation` and resized to `size × size`.
  ///
  /// Files are taken in a seeded shuffle of the folder (a folder smaller than `count` is cycled,
  /// each pass drawing new augmentations). Each sample's draws come from its own generator seeded
  /// by `(seed, item, pass)`, the same scheme `AugmentedImageFolder` uses in training, so a seed
  /// gives the same sheet on every run. Throws the first `PNGError` when no file decodes.
  public init(folder: ImageFolder, augmentation: Augmentation, count: Int, size: Int, seed: UInt64) throws(PNGError) {
    precondition(count >= 1 && size >= 1, "AugmentationPreview: \(count) samples of \(size) px")
    var g = Generator(seed: seed)
    let order = g.permutation(folder.items.count)
    var decoded: [(item: Int, image: Image)] = []
    var skipped: [PNGError] = []
    for item in order where decoded.count < count {
      do throws(PNGError) {
        let image = try PNGDecoder.decode(at: folder.items[item].path).to8Bit().converted(to: .rgb)
        decoded.append((item, image))
      } catch {
        skipped.append(error)
      }
    }
    guard !decoded.isEmpty else {
      throw skipped.first ?? PNGError(path: folder.root, reason: .unsupported("no images"))
    }
    let (width, height) = Self.sheetSize(count: count, size: size)
    var sheet = [UInt8](repeating: Self.background, count: width * height * 3)
    let columns = Self.columns(for: count)
    var sources: [String] = []
    for k in 0..<count {
      let (item, image) = decoded[k % decoded.count]
      var cellGenerator = Generator(seed: seed, item: item, draw: k / decoded.count)
      var cell = augmentation.apply(to: image, using: &cellGenerator)
      if cell.width != size || cell.height != size { cell = cell.resized(width: size, height: size) }
      let pixels = cell.converted(to: .rgb).samples8
      let x0 = Self.gap + (k % columns) * (size + Self.gap), y0 = Self.gap + (k / columns) * (size + Self.gap)
      for row in 0..<size {
        let to = ((y0 + row) * width + x0) * 3, from = row * size * 3
        sheet.replaceSubrange(to..<(to + size * 3), with: pixels[from..<(from + size * 3)])
      }
      sources.append(folder.items[item].path)
    }
    image = Image(width: width, height: height, channels: 3, samples: sheet)
    self.sources = sources
    self.skipped = skipped
  }
}
