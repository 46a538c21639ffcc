/// libsamplerate's sinc converter fed block by block (`src_process`), keeping its filter state
/// between blocks: the concatenated outputs equal `resample(_:…)` of the whole signal (same
/// converter, flushed at the end), while memory stays bounded by one block.
public final class StreamingResampler {
  public let from: Int
  public let to: Int
  public let channels: Int
  public let quality: ResampleQuality
  private let ratio: Double
  private var state: OpaquePointer?
  private var output: [Float] = []

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
    return try run(samples, end: false)
  }

  /// Flushes the filter: the last frames. The resampler takes no input afterwards.
  public func finish() throws(ResampleError) -> [Float] {
    try run([], end: true)
  }

  private func run(_ samples: [Float], end: Bool) throws(ResampleError) -> [Float] {
    guard let state else { return [] }
    let frames = samples.count / channels
    let capacity = Int((Double(frames) * ratio).rounded(.up)) + 256
    if output.count < capacity * channels { output = [Float](repeating: 0, count: capacity * channels) }
    var result: [Float] = []
    var used = 0
    while true {
      let step: Result<(used: Int, written: Int), SampleRate.ConversionFailure> = samples.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
          SampleRate.process(state, input.baseAddress.map { $0 + used * channels }, frames: frames - used,
                             into: out.baseAddress!, capacity: capacity, ratio: ratio, endOfInput: end)
        }
      }
      switch step {
      case .success(let s):
        used += s.used
        result.append(contentsOf: output.prefix(s.written * channels))
        if s.used == 0 && s.written == 0 { break }  // nothing moves: stop rather than spin
        // Input left over, or a flush still producing: go again.
        if used < frames || (end && s.written > 0) { continue }
      case .failure(let f):
        throw ResampleError(from: from, to: to, reason: .converter(f.message))
      }
      break
    }
    if end {
      SampleRate.deleteState(state)
      self.state = nil
    }
    return result
  }
}
