import GraftCore

extension ImageFolder.Preprocessing {
  /// Every parameter, as a bundle's `preprocessing` object:
  /// `{"width": 224, "height": 224, "channels": 3, "mean": [...], "std": [...],
  ///   "filter": "bilinear", "resize_shorter_side": 256 | null}`.
  public var json: [String: JSONValue] {
    [
      "width": .number(Double(width)), "height": .number(Double(height)),
      "channels": .number(Double(layout.rawValue)),
      "mean": .array(normalization.mean.map { .number(Double($0)) }),
      "std": .array(normalization.std.map { .number(Double($0)) }),
      "filter": .string(filter.rawValue),
      "resize_shorter_side": resizeShorterSide.map { .number(Double($0)) } ?? .null,
    ]
  }

  /// Reads what `json` wrote; throws naming the first bad field.
  public init(json: [String: JSONValue]) throws(SettingsError) {
    try self.init(settings: SettingsDecoder(json))
  }

  /// Reads what `json` wrote from a `SettingsDecoder`.
  public init(settings s: SettingsDecoder) throws(SettingsError) {
    // Sizes are bounded (a side of at most 2^14, as `PNGDecoder.defaultMaxPixels` allows) so a
    // damaged config.json cannot make preprocessing allocate without limit.
    let side = 1...(1 << 14)
    let width = try s.int("width", in: side), height = try s.int("height", in: side)
    guard let layout = Image.ChannelLayout(rawValue: try s.int("channels", in: 1...4)) else {
      throw s.error("channels", "1, 2, 3 or 4")
    }
    let mean = try s.floats("mean"), std = try s.floats("std")
    guard mean.count == std.count, mean.count >= layout.rawValue, std.allSatisfy({ $0 > 0 }) else {
      throw .rule("mean and std need one entry per channel (std > 0)")
    }
    let filter = try s.choice("filter", Image.ResampleFilter.self)
    let shorter = s.contains("resize_shorter_side") ? try s.int("resize_shorter_side", in: side) : nil
    self.init(width: width, height: height, layout: layout, normalization: Normalization(mean: mean, std: std),
              filter: filter, resizeShorterSide: shorter)
  }
}
