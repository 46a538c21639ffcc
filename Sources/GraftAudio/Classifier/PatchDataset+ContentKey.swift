import GraftCore

/// Patches named by their clip's bytes and their place in it, so a frozen base's features for
/// them can be kept on disk across runs (`FeatureStore`).
extension PatchDataset: ContentKeyedDataset {
  /// `<SHA-256 of the clip's file>#<patch index>`; nil with SpecAugment (random masks), without a
  /// known front end, or when the file cannot be read any more.
  func contentKey(at index: Int) -> String? {
    guard augment == nil, !frontEndKey.isEmpty else { return nil }
    let (c, p) = items[index]
    guard let digest = try? ContentHashes.shared.digest(of: clips[c].path) else { return nil }
    return "\(digest.hex)#\(p)"
  }

  var preprocessingKey: String { "audio " + frontEndKey }

  /// The front end's every setting, as a stable string; empty when it cannot be encoded.
  static func key(_ frontEnd: LogMelFrontEnd) -> String {
    (try? JSONValue(encoding: frontEnd))?.description ?? ""
  }
}
