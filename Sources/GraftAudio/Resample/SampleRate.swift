import CSampleRate

/// Every libsamplerate call GraftAudio makes. The converter keeps no global state, so calls
/// from several threads are safe.
enum SampleRate {
  /// Converts `frames` interleaved frames of `channels` channels by `ratio` (output rate /
  /// input rate) into `output` (capacity `capacity` frames) in one call, flushing the filter at
  /// the end of the input. Returns the frames written, or libsamplerate's error message.
  /// The corresponding C functions are `src_simple` and `src_strerror`.
  static func convert(
    _ input: UnsafePointer<Float>, frames: Int, into output: UnsafeMutablePointer<Float>, capacity: Int,
    ratio: Double, channels: Int, converter: Int32
  ) -> Result<Int, ConversionFailure> {
    var data = SRC_DATA()
    data.data_in = input
    data.data_out = output
    data.input_frames = frames
    data.output_frames = capacity
    data.src_ratio = ratio
    data.end_of_input = 1
    let code = src_simple(&data, converter, Int32(channels))
    guard code == 0 else {
      return .failure(ConversionFailure(message: src_strerror(code).map { String(cString: $0) } ?? "error \(code)"))
    }
    return .success(Int(data.output_frames_gen))
  }

  struct ConversionFailure: Error {
    let message: String
  }

  /// Whether libsamplerate supports `ratio`. The corresponding C function is `src_is_valid_ratio`.
  static func isValidRatio(_ ratio: Double) -> Bool { src_is_valid_ratio(ratio) != 0 }

  static let sincBest = Int32(SRC_SINC_BEST_QUALITY)
  static let sincMedium = Int32(SRC_SINC_MEDIUM_QUALITY)
  static let sincFastest = Int32(SRC_SINC_FASTEST)
}
