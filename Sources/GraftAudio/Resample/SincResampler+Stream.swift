extension SincResampler {
  /// `SincResampler` fed block by block: the same output samples, bit for bit, as resampling the
  /// whole signal at once, while memory holds one block and the filter's span (`taps` samples).
  ///
  /// Output frame j (`phases` samples) reads padded input `[j · inputStep, j · inputStep + taps)`
  /// (the signal after `width` zeros); `process` emits every frame whose input has arrived,
  /// `finish` appends the right padding (`width + inputStep` zeros) and emits the rest up to
  /// `outputCount(samples)`.
  public final class Stream {
    public let resampler: SincResampler
    /// Padded input from frame `framesDone`'s first sample on.
    private var pending: [Float]
    private var framesDone = 0
    private var samplesIn = 0
    private var finished = false

    public init(_ resampler: SincResampler) {
      self.resampler = resampler
      pending = [Float](repeating: 0, count: resampler.width)
    }

    /// Input samples seen so far.
    public var samples: Int { samplesIn }

    /// Adds the next input samples; returns the output samples now complete.
    public func process(_ x: [Float]) -> [Float] {
      precondition(!finished, "SincResampler.Stream.process after finish")
      pending.append(contentsOf: x)
      samplesIn += x.count
      guard pending.count >= resampler.taps else { return [] }
      return emit(frames: (pending.count - resampler.taps) / resampler.inputStep + 1)
    }

    /// Pads the end and returns the last output samples.
    public func finish() -> [Float] {
      precondition(!finished, "SincResampler.Stream.finish called twice")
      finished = true
      guard samplesIn > 0 else { return [] }
      pending.append(contentsOf: repeatElement(0, count: resampler.width + resampler.inputStep))
      let remaining = resampler.outputCount(samplesIn) - framesDone * resampler.phases
      guard remaining > 0 else { return [] }
      return emit(frames: (remaining + resampler.phases - 1) / resampler.phases, outputs: remaining)
    }

    private func emit(frames: Int, outputs: Int? = nil) -> [Float] {
      let count = outputs ?? frames * resampler.phases
      var out = [Float](repeating: 0, count: count)
      pending.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { resampler.apply(src.baseAddress!, outputs: count, into: $0.baseAddress!) }
      }
      framesDone += frames
      pending.removeFirst(min(frames * resampler.inputStep, pending.count))
      return out
    }
  }
}
