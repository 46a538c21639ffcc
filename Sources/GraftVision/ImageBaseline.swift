import GraftCore

/// The raw-input baseline of vision training (`RawInputBaseline`): logistic regression on the
/// pixels of each image downsampled to `side`×`side` (bilinear, in the channels the model sees,
/// scaled to [0, 1]), on the run's own training and validation files.
public enum ImageBaseline {
  /// 16×16: 768 features for RGB — small enough for an exact fit in a second, large enough to
  /// keep colour layout (a 32×32 grayscale digit set reaches 0.97 this way).
  public static let defaultSide = 16

  /// The baseline on `train` and `validation` (labels index `labels`); nil without a validation
  /// split. Files that fail to decode are left out (the transfer run reports them).
  public static func compare(train: [ImageFolder.Item], validation: [ImageFolder.Item], labels: [String],
                             layout: Image.ChannelLayout = .rgb, side: Int = defaultSide) -> BaselineComparison? {
    guard !train.isEmpty, !validation.isEmpty else { return nil }
    let preprocessing = ImageFolder.Preprocessing(width: side, height: side, layout: layout, normalization: .unit)
    let (x, y) = pixels(train, preprocessing), (vx, vy) = pixels(validation, preprocessing)
    return RawInputBaseline.fit(name: "logistic regression on \(side)×\(side) pixels", train: x, trainLabels: y,
                                validation: vx, validationLabels: vy, classCount: labels.count, labels: labels)
  }

  /// [n, C·side·side] pixel vectors of the files that decode, decoded across threads, and their labels.
  static func pixels(_ items: [ImageFolder.Item], _ preprocessing: ImageFolder.Preprocessing) -> (Tensor, [Int]) {
    let width = preprocessing.layout.rawValue * preprocessing.width * preprocessing.height
    let out = Tensor.zeros([items.count, width])
    let ok = UnsafeMutableBufferPointer<Bool>.allocate(capacity: items.count)
    ok.initialize(repeating: false)
    defer { ok.deallocate() }
    let data = out.data
    Kernels.parallelRanges(items.count, grain: 8) { range in
      for i in range {
        guard let image = try? PNGDecoder.decode(at: items[i].path) else { continue }
        let t = preprocessing.apply(to: image)
        (data + i * width).update(from: t.data, count: width)
        ok[i] = true
      }
    }
    let kept = items.indices.filter { ok[$0] }
    if kept.count == items.count { return (out, items.map(\.label)) }
    return (RawInputBaseline.rows(out, kept), kept.map { items[$0].label })
  }
}
