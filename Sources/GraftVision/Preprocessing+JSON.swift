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

  /// Why a preprocessing object could not be read.
  public struct JSONError: Error, Equatable {
    public let message: String
  }

  /// Reads what `json` wrote; throws naming the first bad field.
  public init(json: [String: JSONValue]) throws(JSONError) {
    // Sizes are bounded (a side of at most 2^14, as `PNGDecoder.defaultMaxPixels` allows) so a
    // damaged config.json cannot make preprocessing allocate without limit.
    func int(_ key: String, upTo limit: Int = 1 << 14) throws(JSONError) -> Int {
      guard let v = json[key]?.int, v >= 1, v <= limit else {
        throw JSONError(message: "\(key) must be an integer in 1...\(limit)")
      }
      return v
    }
    func floats(_ key: String) throws(JSONError) -> [Float] {
      guard let a = json[key]?.array, !a.isEmpty else { throw JSONError(message: "\(key) must be a list of numbers") }
      let values = a.compactMap(\.double).map(Float.init)
      guard values.count == a.count else { throw JSONError(message: "\(key) must be a list of numbers") }
      return values
    }
    let width = try int("width"), height = try int("height")
    guard let layout = Image.ChannelLayout(rawValue: try int("channels")) else {
      throw JSONError(message: "channels must be 1, 2, 3 or 4")
    }
    let mean = try floats("mean"), std = try floats("std")
    guard mean.count == std.count, mean.count >= layout.rawValue, std.allSatisfy({ $0 > 0 }) else {
      throw JSONError(message: "mean and std need one entry per channel (std > 0)")
    }
    guard let name = json["filter"]?.string, let filter = Image.ResampleFilter(rawValue: name) else {
      throw JSONError(message: "filter must be one of \(Image.ResampleFilter.allCases.map(\.rawValue))")
    }
    var shorter: Int? = nil
    if let value = json["resize_shorter_side"], value != .null { shorter = try int("resize_shorter_side") }
    self.init(width: width, height: height, layout: layout, normalization: Normalization(mean: mean, std: std),
              filter: filter, resizeShorterSide: shorter)
  }
}
