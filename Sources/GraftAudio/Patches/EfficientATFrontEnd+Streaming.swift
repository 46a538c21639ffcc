import GraftCore

extension EfficientATFrontEnd {
  /// EfficientAT's log-mel of a signal that arrives in blocks: the same values, bit for bit, as
  /// `melInput` of the whole signal, handed over a block of frames at a time while memory holds
  /// one block (a 1-hour file's mn04 input is 184 MB; its blocks here are 1 MB).
  ///
  /// The whole-signal steps, each streamed: torchaudio's sinc resampling (`SincResampler.Stream`),
  /// pre-emphasis (carrying the previous sample), and `torch.stft(center=True)`'s reflect padding:
  /// the first `nFFT / 2 + 1` samples are held until the left padding (their mirror image) can be
  /// written, the last ones are kept for the right padding, and the padded signal goes through an
  /// uncentred `StreamingSpectrogram`. A signal too short for reflect padding (at most
  /// `nFFT / 2` samples after pre-emphasis, where `torch.stft` itself fails) takes the whole-signal
  /// path, which reflects repeatedly.
  public final class Stream {
    public let frontEnd: EfficientATFrontEnd
    private let resampler: SincResampler.Stream?
    private let spectrogram: StreamingSpectrogram
    private let onBlock: (Tensor) -> Void
    private let pad: Int
    /// The last sample before pre-emphasis (pre-emphasis reads it with the next one).
    private var previous: Float? = nil
    /// Pre-emphasized samples held until the left padding can be written.
    private var head: [Float] = []
    private var started = false
    /// At least the last `pad + 1` pre-emphasized samples (the right padding's source).
    private var tail: [Float] = []
    private var finished = false

    /// Blocks of `[nMels, n]` frames (normalised log-mel) go to `onBlock` in order. Throws when
    /// `inputRate` cannot be resampled to `frontEnd.sampleRate` (`SincResampler`).
    public init(_ frontEnd: EfficientATFrontEnd, inputRate: Int, blockFrames: Int = 2048,
                onBlock: @escaping (Tensor) -> Void) throws(ResampleError) {
      self.frontEnd = frontEnd
      resampler = inputRate == frontEnd.sampleRate
        ? nil : SincResampler.Stream(try SincResampler(from: inputRate, to: frontEnd.sampleRate))
      pad = frontEnd.nFFT / 2
      let uncentred = STFT(nFFT: frontEnd.nFFT, hopLength: frontEnd.hopLength, winLength: frontEnd.winLength,
                           window: .hann, center: false, periodicWindow: false)
      self.onBlock = onBlock
      spectrogram = StreamingSpectrogram(stft: uncentred, filterbank: frontEnd.filterbank, power: 2,
                                         output: .log(offset: frontEnd.logOffset), blockFrames: blockFrames) {
        frontEnd.normalize($0)
        onBlock($0)
      }
    }

    /// Adds the next mono samples at the input rate.
    public func append(_ samples: [Float]) {
      precondition(!finished, "EfficientATFrontEnd.Stream.append after finish")
      emphasize(resampler?.process(samples) ?? samples)
    }

    /// Hands over the last frames and returns the number of frames; throws for a signal of fewer
    /// than two samples.
    @discardableResult
    public func finish() throws(SpectrogramError) -> Int {
      precondition(!finished, "EfficientATFrontEnd.Stream.finish called twice")
      finished = true
      if let resampler { emphasize(resampler.finish()) }
      guard started else {
        guard !head.isEmpty else { throw .signalTooShort(samples: previous == nil ? 0 : 1, needed: 2) }
        let mel = try frontEnd.stft.melSpectrogram(head, power: 2, filterbank: frontEnd.filterbank)
        Kernels.logOffset(mel.data, mel.data, count: mel.count, offset: frontEnd.logOffset)
        frontEnd.normalize(mel)
        onBlock(mel)
        return mel.shape[1]
      }
      let n = tail.count
      spectrogram.append((1...pad).map { tail[n - 1 - $0] })  // x[N − 2], x[N − 3], …: reflect
      return try spectrogram.close()
    }

    /// `x[n + 1] − preemphasis · x[n]` across block boundaries, then on to the spectrogram.
    private func emphasize(_ x: [Float]) {
      guard !x.isEmpty else { return }
      let a = -frontEnd.preemphasis
      var out: [Float] = []
      out.reserveCapacity(x.count)
      if let previous { out.append(a * previous + x[0]) }
      for i in 0..<(x.count - 1) { out.append(a * x[i] + x[i + 1]) }
      previous = x[x.count - 1]
      feed(out)
    }

    private func feed(_ e: [Float]) {
      guard !e.isEmpty else { return }
      tail.append(contentsOf: e)
      if tail.count > 4 * (pad + 1) { tail.removeFirst(tail.count - (pad + 1)) }
      if started {
        spectrogram.append(e)
        return
      }
      head.append(contentsOf: e)
      guard head.count > pad else { return }
      // torch.stft's reflect padding: x[pad], x[pad − 1], …, x[1], then the signal.
      spectrogram.append((1...pad).reversed().map { head[$0] } + head)
      head = []
      started = true
    }
  }
}
