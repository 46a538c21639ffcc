import Foundation

/// Rotation as Pillow's `Image.rotate(angle, BILINEAR)` (expand false, centre of the image, fill 0;
/// Pillow 13.0.0 `Image.py` and `src/libImaging/Geometry.c`): each output pixel centre is mapped
/// back by the inverse affine matrix and sampled bilinearly with edge clamping; points outside the
/// source are 0. Images with alpha are rotated premultiplied, as Pillow does for `RGBA`.
extension Image {
  /// The image rotated `degrees` counter-clockwise about its centre (8-bit only).
  public func rotated(degrees: Double) -> Image {
    precondition(bitDepth == 8, "rotated: \(bitDepth)-bit image; call to8Bit() first")
    let angle = degrees.truncatingRemainder(dividingBy: 360) + (degrees < 0 ? 360 : 0)
    if angle == 0 || angle == 360 { return self }
    let source = hasAlpha ? premultiplied() : self
    // Pillow's matrix: cos and sin of −angle rounded to 15 decimals, about the centre.
    let radians = -angle * Double.pi / 180
    func round15(_ v: Double) -> Double { (v * 1e15).rounded(.toNearestOrEven) / 1e15 }
    let (a, b) = (round15(cos(radians)), round15(sin(radians)))
    let (d, e) = (round15(-sin(radians)), round15(cos(radians)))
    let (cx, cy) = (Double(width) / 2, Double(height) / 2)
    let c = a * -cx + b * -cy + cx
    let f = d * -cx + e * -cy + cy
    let ch = channels, w = width, h = height
    let src = source.samples8
    var out = [UInt8](repeating: 0, count: w * h * ch)
    for y in 0..<h {
      for x in 0..<w {
        let (xo, yo) = (Double(x) + 0.5, Double(y) + 0.5)
        var xin = a * xo + b * yo + c
        var yin = d * xo + e * yo + f
        guard xin >= 0, xin < Double(w), yin >= 0, yin < Double(h) else { continue }
        xin -= 0.5
        yin -= 0.5
        let x0 = Int(floor(xin)), y0 = Int(floor(yin))
        let dx = xin - Double(x0), dy = yin - Double(y0)
        let xa = min(max(x0, 0), w - 1), xb = min(max(x0 + 1, 0), w - 1)
        let ya = min(max(y0, 0), h - 1)
        let hasNextRow = y0 + 1 >= 0 && y0 + 1 < h
        for k in 0..<ch {
          let p0 = Double(src[(ya * w + xa) * ch + k]), p1 = Double(src[(ya * w + xb) * ch + k])
          let top = p0 + (p1 - p0) * dx
          var bottom = top
          if hasNextRow {
            let q0 = Double(src[((y0 + 1) * w + xa) * ch + k]), q1 = Double(src[((y0 + 1) * w + xb) * ch + k])
            bottom = q0 + (q1 - q0) * dx
          }
          let v = top + (bottom - top) * dy
          out[(y * w + x) * ch + k] = UInt8(min(max(v, 0), 255))  // (UINT8)v truncates
        }
      }
    }
    let rotated = Image(width: w, height: h, channels: ch, samples: out)
    return hasAlpha ? rotated.unpremultiplied() : rotated
  }
}
