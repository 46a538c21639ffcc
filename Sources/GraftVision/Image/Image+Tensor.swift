import GraftCore

extension Image {
  /// The image as a Float32 `[C, H, W]` tensor: each sample divided by the largest sample value
  /// (255, or 65535 for 16 bits), then `(x − mean[c]) / std[c]`.
  ///
  /// `normalization` must have at least `channels` entries (`.unit` leaves values in [0, 1];
  /// `.imageNet` needs an RGB image).
  public func toTensor(normalization: Normalization = .unit) -> Tensor {
    precondition(normalization.mean.count >= channels,
                 "toTensor: \(normalization.mean.count)-channel normalization for a \(channels)-channel image")
    let plane = width * height
    let out = Tensor(uninitializedShape: [channels, height, width])
    let dst = out.data
    func fill<T: BinaryInteger>(_ src: [T], maxValue: Float) {
      src.withUnsafeBufferPointer { s in
        for c in 0..<channels {
          let mean = normalization.mean[c], std = normalization.std[c]
          let o = dst + c * plane
          // The same two roundings as torchvision: x / 255, then (x − mean) / std.
          for i in 0..<plane { o[i] = (Float(s[i * channels + c]) / maxValue - mean) / std }
        }
      }
    }
    switch pixels {
    case .uint8(let p): fill(p, maxValue: 255)
    case .uint16(let p): fill(p, maxValue: 65535)
    }
    return out
  }
}
