/// libsamplerate's sinc converter fed block by block (`src_process`), keeping its filter state
/// between blocks, so memory stays bounded by one block however long the signal is.
///
/// The output has exactly ⌊frames · to / from⌋ frames: output k sits at input position
/// k · from / to and is produced while that position plus one input step lies within the signal
/// (libsamplerate's end rule). `finish()` flushes the filter by feeding zeros — what libsamplerate
/// pads the end with — rather than `end_of_input`, because libsamplerate applies its end rule in
/// floating point relative to its internal buffer offset, which differs between one call and
/// many: on an exact tie (frames · to divisible by from) it may keep or drop the last frame.
/// The values equal `src_simple`'s on the whole signal; `resample(_:…)` is this converter fed
/// the whole signal at once, so streamed and whole-signal outputs are identical.
public final class StreamingResampler {
  public let from: Int
  public let to: Int
  public let channels: Int
  public let quality: ResampleQuality
  private let ratio: Double
  private var state: OpaquePointer?
  private var output: [Float] = []
  private var framesIn = 0
  private var framesOut = 0

  public init(channels: Int = 1, from: Int, to: Int, quality: ResampleQuality = .best) throws(ResampleError) {
    precondition(channels >= 1, "StreamingResampler: \(channels) channels")
    guard from > 0, to > 0 else { throw ResampleError(from: from, to: to, reason: .invalidRate) }
    self.from = from
    self.to = to
    self.channels = channels
    self.quality = quality
    ratio = Double(to) / Double(from)
    guard SampleRate.isValidRatio(ratio) else { throw ResampleError(from: from, to: to, reason: .ratioOutOfRange) }
    switch SampleRate.makeState(converter: quality.converter, channels: channels) {
    case .success(let s): state = s
    case .failure(let f): throw ResampleError(from: from, to: to, reason: .converter(f.message))
    }
  }

  deinit {
    if let state { SampleRate.deleteState(state) }
  }

  /// The converted frames libsamplerate releases for `samples` (interleaved; it holds back the
  /// filter's delay until `finish()`).
  public func process(_ samples: [Float]) throws(ResampleError) -> [Float] {
    precondition(samples.count % channels == 0, "StreamingResampler: \(samples.count) samples for \(channels) channels")
    precondition(state != nil, "StreamingResampler.process after finish")
    framesIn += samples.count / channels
    let out = try run(samples)
    framesOut += out.count / channels
    return out
  }

  /// Converts the last `samples`, flushes the filter with zeros and returns the remaining frames
  /// up to ⌊frames · to / from⌋ in all. The resampler takes no input afterwards.
  public func finish(_ samples: [Float] = []) throws(ResampleError) -> [Float] {
    var out = try process(samples)
    let total = framesIn * to / from
    let zeros = [Float](repeating: 0, count: 4096 * channels)
    // The filter's delay is a few thousand input frames; bound the flush generously.
    var fed = 0
    while framesOut < total && fed < 64 * from + 1_000_000 {
      let more = try run(zeros)
      out += more
      framesOut += more.count / channels
      fed += 4096
    }
    let extra = max(0, framesOut - total)
    out.removeLast(min(out.count, extra * channels))
    framesOut -= extra
    if let state { SampleRate.deleteState(state) }
    state = nil
    return out
  }

  private func run(_ samples: [Float]) throws(ResampleError) -> [Float] {
    guard let state else { return [] }
    let frames = samples.count / channels
    let capacity = Int((Double(frames) * ratio).rounded(.up)) + 256
    if output.count < capacity * channels { output = [Float](repeating: 0, count: capacity * channels) }
    var result: [Float] = []
    var used = 0
    while used < frames {
      let step: Result<(used: Int, written: Int), SampleRate.ConversionFailure> = samples.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
          SampleRate.process(state, input.baseAddress! + used * channels, frames: frames - used,
                             into: out.baseAddress!, capacity: capacity, ratio: ratio, endOfInput: false)
        }
      }
      switch step {
      case .success(let s):
        used += s.used
        result.append(contentsOf: output.prefix(s.written * channels))
        if s.used == 0 && s.written == 0 { return result }  // nothing moves: stop rather than spin
      case .failure(let f):
        throw ResampleError(from: from, to: to, reason: .converter(f.message))
      }
    }
    return result
  }
}
