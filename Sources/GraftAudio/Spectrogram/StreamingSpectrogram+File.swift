import GraftCore

extension StreamingSpectrogram {
  /// The spectrogram of the audio file at `path`, read block by block (`feed`: decoded, averaged
  /// to mono, resampled to `sampleRate` when given and different) into the spectrogram
  /// `make(rate)` builds for the final rate. The result equals decoding the whole file, `mono()`,
  /// `resampled(to:)` and the whole-signal transform, while memory holds a block, not the signal.
  /// Returns the output `[M, T]` and its sample rate.
  public static func file(_ path: String, sampleRate: Int? = nil, quality: ResampleQuality = .best,
                          blockFrames: Int = 65_536, make: (Int) -> StreamingSpectrogram)
    throws(PreprocessingError) -> (spectrogram: Tensor, sampleRate: Int) {
    var spectrogram: StreamingSpectrogram? = nil
    let fed = try feed(path, sampleRate: sampleRate, quality: quality, blockFrames: blockFrames) { rate in
      let made = make(rate)
      spectrogram = made
      return made.append
    }
    do {
      return (try spectrogram!.finish(), fed.sampleRate)
    } catch {
      throw PreprocessingError(path: path, reason: .spectrogram(error))
    }
  }

  /// Decodes the audio file at `path` block by block (`AudioStream`), averages each block to mono,
  /// resamples it to `sampleRate` when given and different (`StreamingResampler`, libsamplerate
  /// keeping its state between blocks) and hands the samples, in order, to the consumer that
  /// `start(rate)` returns for the final rate. Returns the samples handed over, their rate and the
  /// file's duration in seconds. Errors name the file.
  public static func feed(_ path: String, sampleRate: Int? = nil, quality: ResampleQuality = .best,
                          blockFrames: Int = 65_536, start: (Int) throws(PreprocessingError) -> ([Float]) -> Void)
    throws(PreprocessingError) -> (samples: Int, sampleRate: Int, duration: Double) {
    func fail(_ reason: PreprocessingError.Reason) -> PreprocessingError { PreprocessingError(path: path, reason: reason) }
    let stream: AudioStream
    do {
      stream = try AudioStream(path: path, blockFrames: blockFrames)
    } catch {
      throw fail(.decode(error.reason))
    }
    let rate = sampleRate ?? stream.info.sampleRate
    var resampler: StreamingResampler? = nil
    if rate != stream.info.sampleRate {
      do {
        resampler = try StreamingResampler(from: stream.info.sampleRate, to: rate, quality: quality)
      } catch {
        throw fail(.resample(error))
      }
    }
    let consume = try start(rate)
    var frames = 0
    var samples = 0  // at the final rate
    while true {
      let block: AudioBuffer?
      do {
        block = try stream.next()
      } catch {
        throw fail(.decode(error.reason))
      }
      guard let block else { break }
      frames += block.frames
      let mono = block.mono().samples
      do {
        let chunk = try resampler?.process(mono) ?? mono
        samples += chunk.count
        consume(chunk)
      } catch {
        throw fail(.resample(error))
      }
    }
    guard frames > 0 else { throw fail(.noSamples) }
    if let resampler {
      do {
        let chunk = try resampler.finish()  // flushes the filter's last frames
        samples += chunk.count
        consume(chunk)
      } catch {
        throw fail(.resample(error))
      }
    }
    return (samples, rate, Double(frames) / Double(stream.info.sampleRate))
  }
}
