/// matplotlib's `viridis` colormap (perceptually uniform, readable in grey and by colour-blind
/// readers), as 8-bit RGB.
///
/// The anchors are viridis at 0, 0.1, …, 1 — the 11 colours `viridisLite::viridis(11)` and
/// `matplotlib.colormaps['viridis'](np.linspace(0, 1, 11))` give (#440154 … #FDE725); values in
/// between are interpolated linearly, which stays within 3 levels of matplotlib's 256-entry table.
public enum Viridis {
  static let anchors: [(UInt8, UInt8, UInt8)] = [
    (0x44, 0x01, 0x54), (0x48, 0x25, 0x76), (0x41, 0x44, 0x87), (0x35, 0x60, 0x8D), (0x2A, 0x78, 0x8E),
    (0x21, 0x90, 0x8C), (0x22, 0xA8, 0x84), (0x43, 0xBF, 0x71), (0x7A, 0xD1, 0x51), (0xBB, 0xDF, 0x27),
    (0xFD, 0xE7, 0x25),
  ]

  /// 256 colours, index 0 = dark violet (low), 255 = yellow (high).
  public static let table: [(r: UInt8, g: UInt8, b: UInt8)] = (0..<256).map { i in
    let x = Double(i) / 255 * Double(anchors.count - 1)
    let k = min(Int(x), anchors.count - 2)
    let f = x - Double(k)
    let (a, b) = (anchors[k], anchors[k + 1])
    func mix(_ p: UInt8, _ q: UInt8) -> UInt8 { UInt8((Double(p) * (1 - f) + Double(q) * f).rounded()) }
    return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
  }

  /// The colour of `value` in [0, 1] (clamped; NaN counts as 0).
  public static func color(_ value: Float) -> (r: UInt8, g: UInt8, b: UInt8) {
    let v = value.isNaN ? 0 : min(max(value, 0), 1)
    return table[Int((v * 255).rounded())]
  }
}
