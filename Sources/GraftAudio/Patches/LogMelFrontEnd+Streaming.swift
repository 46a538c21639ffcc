import GraftCore

extension LogMelFrontEnd {
  /// `logMel(file:)` computed by streaming: the file is decoded, averaged to mono, resampled and
  /// transformed block by block (`StreamingSpectrogram.file`), so memory holds one block of audio
  /// and the `[nMels, T]` output, not the signal (a 1-hour 44.1 kHz stereo file is 635 MB as
  /// PCM-16 and 1.27 GB decoded; its 16 kHz log-mel is 92 MB). The values equal `logMel(file:)`'s.
  /// `tensorflow` framing (YAMNet's front end) is not streamed yet: it reads the whole file.
  public func logMel(streamingFile path: String, blockFrames: Int = 65_536) throws(PreprocessingError) -> Tensor {
    if framing == .tensorflow { return try logMel(file: path) }
    let stft = self.stft, filterbank = self.filterbank, power = self.power, offset = logOffset
    return try StreamingSpectrogram.file(path, sampleRate: sampleRate, quality: resampleQuality, blockFrames: blockFrames) { _ in
      StreamingSpectrogram(stft: stft, filterbank: filterbank, power: power, output: .log(offset: offset))
    }.spectrogram
  }
}
