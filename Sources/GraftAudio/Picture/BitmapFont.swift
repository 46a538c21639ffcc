/// A 5 × 7 pixel font for axis labels: digits, `.`, `-`, `k`, `H`, `z`, `s` and space. Each glyph
/// is seven rows of five columns (`#` = ink); characters outside the set draw nothing.
enum BitmapFont {
  static let glyphWidth = 5
  static let glyphHeight = 7
  /// Pixels between glyphs.
  static let spacing = 1

  static let glyphs: [Character: [String]] = [
    "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
    "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
    "k": ["#....", "#....", "#..#.", "#.#..", "##...", "#.#..", "#..#."],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "z": [".....", ".....", "#####", "...#.", "..#..", ".#...", "#####"],
    "s": [".....", ".....", ".####", "#....", ".###.", "....#", "####."],
    " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
  ]

  /// Width in pixels of `text` drawn at `scale`.
  static func width(of text: String, scale: Int = 1) -> Int {
    text.isEmpty ? 0 : (text.count * (glyphWidth + spacing) - spacing) * scale
  }

  /// Draws `text` with its top-left corner at (`x`, `y`), each font pixel a `scale × scale` square.
  static func draw(_ text: String, into picture: inout RGBPicture, x: Int, y: Int, scale: Int = 1,
                   color: (UInt8, UInt8, UInt8)) {
    var left = x
    for character in text {
      if let rows = glyphs[character] {
        for (r, row) in rows.enumerated() {
          for (c, ink) in row.enumerated() where ink == "#" {
            picture.fill(x: left + c * scale, y: y + r * scale, width: scale, height: scale, color: color)
          }
        }
      }
      left += (glyphWidth + spacing) * scale
    }
  }
}
