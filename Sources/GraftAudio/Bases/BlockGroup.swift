import GraftCore

/// Layers that form one block of a base without sharing a parent in its module tree (VGGish's
/// two `conv3` layers are items 6 and 8 of `features`). It exists so that `FeatureExtractor.blocks`
/// can name them together; `freeze()`/`unfreeze()` on it reach its members. It is never part of the
/// base's own tree, so it adds no state-dict keys.
final class BlockGroup: Module {
  let members: [Module]

  init(_ members: [Module]) {
    self.members = members
    super.init()
  }
}
