extension Generator {
  /// The generator of `item`'s `draw`-th use of a stream seeded by `seed`: a pure function of the
  /// three numbers (SplitMix64's finalizer over `seed + item·φ + draw·c`), so a dataset that
  /// augments item by item draws the same values whatever order or thread the loader asks in,
  /// and new values on each visit (`draw` counts visits: see `DrawCounter`).
  public init(seed: UInt64, item: Int, draw: Int) {
    var z = seed &+ UInt64(truncatingIfNeeded: item) &* 0x9E37_79B9_7F4A_7C15
      &+ UInt64(truncatingIfNeeded: draw) &* 0xD1B5_4A32_D192_ED03
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    self.init(seed: z ^ (z >> 31))
  }
}
