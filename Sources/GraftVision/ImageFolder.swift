import Foundation
import GraftCore

/// A class-per-folder image dataset, as torchvision's `ImageFolder`
/// (https://pytorch.org/vision/stable/generated/torchvision.datasets.ImageFolder.html):
/// `root/<class>/**/*.png`, classes sorted by name and labelled 0, 1, …, items sorted by path.
///
/// Scanning checks each file (its PNG header by default, or a full decode) and keeps the ones
/// that fail out of `items`, naming each with its `PNGError` in `skipped`, so a bad file is
/// reported, never silently dropped. `example(at:)` decodes and preprocesses one item into a
/// `[C, H, W]` `LabeledTensor`; a file that breaks after the scan throws its `PNGError`, which
/// `DataLoader` records as a `SkippedItem`.
public struct ImageFolder: Dataset {
  /// One image: its file and class index.
  public struct Item: Equatable, Sendable {
    public let path: String
    public let label: Int

    public init(path: String, label: Int) {
      self.path = path
      self.label = label
    }
  }

  /// How much of each file the scan reads.
  public enum Verification: Sendable {
    /// Do not open the files.
    case none
    /// Read and check the signature and the header chunks (fast).
    case header
    /// Decode every file completely (catches damaged pixel data and checksums).
    case decode
  }

  /// What `example(at:)` does to a decoded image.
  public struct Preprocessing: Equatable, Sendable {
    /// Output width and height.
    public var width: Int
    public var height: Int
    /// Channels of the tensor (`.rgb` by default: gray is replicated, alpha dropped).
    public var layout: Image.ChannelLayout
    public var normalization: Normalization
    public var filter: Image.ResampleFilter
    /// Resize the shorter side to `resizeShorterSide` and centre-crop to `width × height`
    /// (torchvision's `Resize(256)` + `CenterCrop(224)`) instead of resizing straight to the size.
    public var resizeShorterSide: Int?

    public init(width: Int, height: Int, layout: Image.ChannelLayout = .rgb,
                normalization: Normalization = .imageNet, filter: Image.ResampleFilter = .bilinear,
                resizeShorterSide: Int? = nil) {
      precondition(width > 0 && height > 0, "Preprocessing: size \(width)×\(height)")
      precondition(normalization.mean.count >= layout.rawValue,
                   "Preprocessing: \(normalization.mean.count)-channel normalization for \(layout.rawValue) channels")
      self.width = width
      self.height = height
      self.layout = layout
      self.normalization = normalization
      self.filter = filter
      self.resizeShorterSide = resizeShorterSide
    }

    /// Decoded image → `[C, height, width]` tensor.
    public func apply(to image: Image) -> Tensor {
      var x = image.to8Bit().converted(to: layout)
      if let short = resizeShorterSide {
        x = x.resizedShorterSide(to: short, filter: filter).centerCropped(width: width, height: height)
      } else {
        x = x.resized(width: width, height: height, filter: filter)
      }
      return x.toTensor(normalization: normalization)
    }
  }

  /// Class balance and scan problems, for the run report.
  public struct Report: Equatable, Sendable, CustomStringConvertible {
    /// Items per class, in label order.
    public let classCounts: [(name: String, count: Int)]
    /// Files that failed the scan, each with the reason.
    public let skipped: [PNGError]
    /// Files without a `.png` extension, ignored (relative to the root).
    public let ignored: [String]

    public var total: Int { classCounts.reduce(0) { $0 + $1.count } }
    /// Largest class size over the smallest (1 for a balanced set).
    public var imbalanceRatio: Double {
      let counts = classCounts.map(\.count)
      guard let lo = counts.min(), let hi = counts.max(), lo > 0 else { return .infinity }
      return Double(hi) / Double(lo)
    }

    public static func == (a: Report, b: Report) -> Bool {
      a.classCounts.elementsEqual(b.classCounts) { $0.name == $1.name && $0.count == $1.count }
        && a.skipped == b.skipped && a.ignored == b.ignored
    }

    public var description: String {
      var lines = ["\(total) images in \(classCounts.count) classes (imbalance \(String(format: "%.2f", imbalanceRatio))×)"]
      let width = classCounts.map(\.name.count).max() ?? 0
      for (name, count) in classCounts {
        lines.append("  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(count)")
      }
      if !skipped.isEmpty {
        lines.append("skipped \(skipped.count) unreadable file(s):")
        lines += skipped.map { "  \($0)" }
      }
      if !ignored.isEmpty { lines.append("ignored \(ignored.count) non-PNG file(s)") }
      return lines.joined(separator: "\n")
    }
  }

  public let root: String
  /// Class names, sorted; the label of `classes[i]` is `i`.
  public let classes: [String]
  public let items: [Item]
  public let report: Report
  public var preprocessing: Preprocessing

  /// Scans `root`. Throws when the root is missing or unreadable, holds no class folders, or a
  /// class folder has no readable PNG; unreadable files are skipped and listed in `report`.
  public init(root: String, preprocessing: Preprocessing, verify: Verification = .header)
    throws(ImageFolderError)
  {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: root, isDirectory: &isDirectory) else {
      throw ImageFolderError(path: root, reason: .notFound)
    }
    guard isDirectory.boolValue else { throw ImageFolderError(path: root, reason: .notADirectory) }
    let entries: [String]
    do {
      entries = try fm.contentsOfDirectory(atPath: root)
    } catch {
      throw ImageFolderError(path: root, reason: .unreadable(ImageFolder.message(error)))
    }
    let base = root.hasSuffix("/") ? String(root.dropLast()) : root
    let classes = entries.filter { name in
      var dir: ObjCBool = false
      return !name.hasPrefix(".") && fm.fileExists(atPath: base + "/" + name, isDirectory: &dir) && dir.boolValue
    }.sortedByBytes()  // code-point order, as torchvision's ImageFolder
    guard !classes.isEmpty else { throw ImageFolderError(path: root, reason: .noClasses) }
    if let (a, b) = classes.firstEquivalentPair() { throw ImageFolderError(path: root, reason: .equivalentClasses(a, b)) }

    var items: [Item] = [], skipped: [PNGError] = [], ignored: [String] = []
    var counts: [(name: String, count: Int)] = []
    for (label, name) in classes.enumerated() {
      let classPath = base + "/" + name
      let files: [String]
      do {
        files = try ImageFolder.files(under: classPath)
      } catch {
        throw ImageFolderError(path: classPath, reason: .unreadable(ImageFolder.message(error)))
      }
      var count = 0
      for relative in files {
        let path = classPath + "/" + relative
        guard relative.lowercased().hasSuffix(".png") else {
          ignored.append(name + "/" + relative)
          continue
        }
        do throws(PNGError) {
          switch verify {
          case .none: break
          case .header: _ = try PNGDecoder.info(at: path)
          case .decode: _ = try PNGDecoder.decode(at: path)
          }
          items.append(Item(path: path, label: label))
          count += 1
        } catch {
          skipped.append(error)
        }
      }
      guard count > 0 else { throw ImageFolderError(path: classPath, reason: .emptyClass) }
      counts.append((name, count))
    }
    self.root = root
    self.classes = classes
    self.items = items
    self.preprocessing = preprocessing
    self.report = Report(classCounts: counts, skipped: skipped, ignored: ignored)
  }

  /// Regular files below `directory` (recursively, hidden names skipped), as sorted relative paths.
  static func files(under directory: String) throws -> [String] {
    let fm = FileManager.default
    var out: [String] = []
    var pending = [""]
    while let relative = pending.popLast() {
      let dir = relative.isEmpty ? directory : directory + "/" + relative
      for name in try fm.contentsOfDirectory(atPath: dir) where !name.hasPrefix(".") {
        let child = relative.isEmpty ? name : relative + "/" + name
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory + "/" + child, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue { pending.append(child) } else { out.append(child) }
      }
    }
    return out.sortedByBytes()
  }

  static func message(_ error: any Error) -> String {
    (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
  }

  // MARK: Dataset

  public var count: Int { items.count }

  public func label(at index: Int) -> Int? { items[index].label }

  /// Decodes and preprocesses item `index`; throws its `PNGError` when the file cannot be read.
  public func example(at index: Int) throws -> LabeledTensor {
    let item = items[index]
    let image = try PNGDecoder.decode(at: item.path)
    return LabeledTensor(input: preprocessing.apply(to: image), label: item.label)
  }
}
