import GraftCore

/// Image items named by their file's bytes, so a frozen base's features for them can be kept on
/// disk across runs (`FeatureStore`).
extension ImageFolder: ContentKeyedDataset {
  /// The SHA-256 of the item's PNG file (nil when it cannot be read: the item is then decoded,
  /// fails and is reported as usual).
  public func contentKey(at index: Int) -> String? {
    try? ContentHashes.shared.digest(of: items[index].path).hex
  }

  /// The preprocessing's every parameter (`Preprocessing.json`).
  public var preprocessingKey: String { "vision " + JSONValue.object(preprocessing.json).description }
}

extension AugmentedImageFolder: ContentKeyedDataset {
  /// The file's SHA-256 when the augmentation is deterministic (its steps are in
  /// `preprocessingKey`); nil for a random one, whose inputs change every epoch.
  public func contentKey(at index: Int) -> String? {
    augmentation.isDeterministic ? folder.contentKey(at: indices[index]) : nil
  }

  public var preprocessingKey: String {
    folder.preprocessingKey + (augmentation.steps.isEmpty ? "" : " then " + augmentation.steps.map { "\($0)" }.joined(separator: ","))
  }
}
