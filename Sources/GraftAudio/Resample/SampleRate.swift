import CSampleRate

/// Every libsamplerate call GraftAudio makes. The converter keeps no global state, so calls
/// from several threads are safe.
enum SampleRate {
  /// Converts `frames` interleaved frames of `channels` channels by `ratio` (output rate /
  /// input rate) into `output` (capacity `capacity` frames) in one call, flushing the filter at
  /// the end of the input. Returns the frames written, or libsamplerate's error message.
  /// Not used by `resample` (see its note on the length); the tests compare with it.
  /// The corresponding C functions are `src_simple` and `src_strerror`.
  static func convert(
    _ input: UnsafePointer<Float>, frames: Int, into output: UnsafeMutablePointer<Float>, capacity: Int,
    ratio: Double, channels: Int, converter: Int32
  ) -> Result<Int, ConversionFailure> {
    var data = request(input, frames: frames, into: output, capacity: capacity, ratio: ratio, endOfInput: true)
    let code = src_simple(&data, converter, Int32(channels))
    guard code == 0 else { return .failure(ConversionFailure(message: message(code))) }
    return .success(Int(data.output_frames_gen))
  }

  /// The `SRC_DATA` of one call: input and output buffers, ratio, whether the input ends here.
  private static func request(
    _ input: UnsafePointer<Float>?, frames: Int, into output: UnsafeMutablePointer<Float>, capacity: Int,
    ratio: Double, endOfInput: Bool
  ) -> SRC_DATA {
    var data = SRC_DATA()
    data.data_in = input
    data.data_out = output
    data.input_frames = frames
    data.output_frames = capacity
    data.src_ratio = ratio
    data.end_of_input = endOfInput ? 1 : 0
    return data
  }

  /// A converter that keeps its filter state between calls (`src_new`), for streams.
  static func makeState(converter: Int32, channels: Int) -> Result<OpaquePointer, ConversionFailure> {
    var code: Int32 = 0
    guard let state = src_new(converter, Int32(channels), &code) else {
      return .failure(ConversionFailure(message: message(code)))
    }
    return .success(state)
  }

  /// Converts up to `frames` frames into `output` (capacity `capacity` frames) with the stream's
  /// state; returns (input frames used, output frames written). `endOfInput` flushes the filter.
  /// The corresponding C function is `src_process`.
  static func process(
    _ state: OpaquePointer, _ input: UnsafePointer<Float>?, frames: Int, into output: UnsafeMutablePointer<Float>,
    capacity: Int, ratio: Double, endOfInput: Bool
  ) -> Result<(used: Int, written: Int), ConversionFailure> {
    var data = request(input, frames: frames, into: output, capacity: capacity, ratio: ratio, endOfInput: endOfInput)
    let code = src_process(state, &data)
    guard code == 0 else { return .failure(ConversionFailure(message: message(code))) }
    return .success((Int(data.input_frames_used), Int(data.output_frames_gen)))
  }

  /// Frees a stream's converter. The corresponding C function is `src_delete`.
  static func deleteState(_ state: OpaquePointer) { _ = src_delete(state) }

  static func message(_ code: Int32) -> String { src_strerror(code).map { String(cString: $0) } ?? "error \(code)" }

  struct ConversionFailure: Error {
    let message: String
  }

  /// Whether libsamplerate supports `ratio`. The corresponding C function is `src_is_valid_ratio`.
  static func isValidRatio(_ ratio: Double) -> Bool { src_is_valid_ratio(ratio) != 0 }

  static let sincBest = Int32(SRC_SINC_BEST_QUALITY)
  static let sincMedium = Int32(SRC_SINC_MEDIUM_QUALITY)
  static let sincFastest = Int32(SRC_SINC_FASTEST)
}
