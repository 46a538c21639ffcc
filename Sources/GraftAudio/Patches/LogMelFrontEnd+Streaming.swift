import GraftCore

extension LogMelFrontEnd {
  /// `logMel(file:)` computed by streaming: the file is decoded, averaged to mono, resampled and
  /// transformed block by block (`StreamingSpectrogram.feed`), so memory holds one block of audio
  /// and the `[nMels, T]` output, not the signal (a 1-hour 44.1 kHz stereo file is 635 MB as
  /// PCM-16 and 1.27 GB decoded; its 16 kHz log-mel is 92 MB). The values equal `logMel(file:)`'s.
  /// With `tensorflow` framing (YAMNet's), the zeros `framed(_:)` adds go in before the first
  /// samples and after the last (`paddedToPatches` too when `padToPatches`).
  public func logMel(streamingFile path: String, blockFrames: Int = 65_536) throws(PreprocessingError) -> Tensor {
    // The whole output is wanted anyway; EfficientAT's front end makes it in one pass.
    if efficientAT != nil { return try logMel(file: path) }
    let spectrogram = StreamingSpectrogram(stft: stft, filterbank: filterbank, power: power, output: .log(offset: logOffset))
    _ = try feed(path, blockFrames: blockFrames, into: spectrogram)
    do {
      return try spectrogram.finish()
    } catch {
      throw PreprocessingError(path: path, reason: .spectrogram(error))
    }
  }

  /// The log-mel of the audio file at `path`, streamed: blocks of frames `[nMels, n]`, equal bit
  /// for bit to the columns of `logMel(file:)`, go to `onBlock` in order while memory holds one
  /// block of audio and one of frames, however long the file. Every front end streams, mn04's
  /// included (`EfficientATFrontEnd.Stream`). Returns the number of frames and the file's duration
  /// in seconds.
  public func logMelBlocks(streamingFile path: String, blockFrames: Int = 65_536, onBlock: @escaping (Tensor) -> Void)
    throws(PreprocessingError) -> (frames: Int, duration: Double) {
    if let e = efficientAT {
      var stream: EfficientATFrontEnd.Stream? = nil
      let fed = try StreamingSpectrogram.feed(path, blockFrames: blockFrames) { rate throws(PreprocessingError) in
        do throws(ResampleError) {
          let made = try EfficientATFrontEnd.Stream(e, inputRate: rate, onBlock: onBlock)
          stream = made
          return made.append
        } catch {
          throw PreprocessingError(path: path, reason: .resample(error))
        }
      }
      do throws(SpectrogramError) {
        return (try stream!.finish(), fed.duration)
      } catch {
        throw PreprocessingError(path: path, reason: .spectrogram(error))
      }
    }
    let spectrogram = StreamingSpectrogram(stft: stft, filterbank: filterbank, power: power, output: .log(offset: logOffset),
                                           onBlock: onBlock)
    let duration = try feed(path, blockFrames: blockFrames, into: spectrogram)
    do {
      return (try spectrogram.close(), duration)
    } catch {
      throw PreprocessingError(path: path, reason: .spectrogram(error))
    }
  }

  /// Feeds the file at `path`, mono at `sampleRate`, into `spectrogram` with this front end's
  /// framing: TensorFlow's (YAMNet's) zeros before the first samples and after the last, and the
  /// padding to whole patches when `padToPatches`. Returns the file's duration in seconds.
  private func feed(_ path: String, blockFrames: Int, into spectrogram: StreamingSpectrogram) throws(PreprocessingError)
    -> Double {
    let before = framing == .tensorflow ? (nFFT - winLength) / 2 : 0
    if before > 0 { spectrogram.append([Float](repeating: 0, count: before)) }
    let fed = try StreamingSpectrogram.feed(path, sampleRate: sampleRate, quality: resampleQuality,
                                            blockFrames: blockFrames) { _ in spectrogram.append }
    if framing == .tensorflow {
      let after = nFFT - winLength - before
      let zeros = (padToPatches ? paddedLength(fed.samples) - fed.samples : 0) + after
      if zeros > 0 { spectrogram.append([Float](repeating: 0, count: zeros)) }
    }
    return fed.duration
  }
}
