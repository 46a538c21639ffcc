import GraftCore

/// Decoded audio: interleaved Float32 samples, `[frames, channels]` row-major.
public struct AudioBuffer: Equatable, Sendable {
  /// `frames × channels` samples, frame after frame.
  public var samples: [Float]
  public let channels: Int
  /// Frames per second.
  public let sampleRate: Int

  /// `samples.count` must be a multiple of `channels`.
  public init(samples: [Float], channels: Int, sampleRate: Int) {
    precondition(channels >= 1, "AudioBuffer: \(channels) channels")
    precondition(samples.count % channels == 0, "AudioBuffer: \(samples.count) samples for \(channels) channels")
    self.samples = samples
    self.channels = channels
    self.sampleRate = sampleRate
  }

  /// Samples per channel.
  public var frames: Int { samples.count / channels }

  /// Seconds.
  public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }

  /// One channel's samples.
  public func channel(_ index: Int) -> [Float] {
    precondition((0..<channels).contains(index), "AudioBuffer.channel: \(index) of \(channels)")
    return stride(from: index, to: samples.count, by: channels).map { samples[$0] }
  }

  /// The mean of the channels in each frame, as `librosa.to_mono` (one channel stays as it is).
  public func mono() -> AudioBuffer {
    guard channels > 1 else { return self }
    var out = [Float](repeating: 0, count: frames)
    let count = Float(channels)
    samples.withUnsafeBufferPointer { src in
      for f in 0..<out.count {
        var sum: Float = 0
        for c in 0..<channels { sum += src[f * channels + c] }
        out[f] = sum / count
      }
    }
    return AudioBuffer(samples: out, channels: 1, sampleRate: sampleRate)
  }

  /// The samples as a `[frames, channels]` tensor.
  public func toTensor() -> Tensor {
    Tensor(shape: [frames, channels], samples)
  }
}

/// Decodes the whole audio file at `path` (any format libsndfile reads: WAV, FLAC, OGG/Vorbis,
/// AIFF, …), optionally averaged to mono. Reads block by block, so a header that lies about the
/// length costs no memory.
public func decodeAudio(at path: String, mono: Bool = false) throws(AudioError) -> AudioBuffer {
  let audio = try AudioStream(path: path).readAll()
  return mono ? audio.mono() : audio
}
