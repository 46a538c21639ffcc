#if canImport(Glibc)
import Glibc
#endif
import GraftCore

/// What `StreamingSpectrogram` applies to each (mel) value.
public enum SpectrogramOutput: Equatable, Sendable {
  /// The values as they are.
  case linear
  /// `log(v + offset)` (the `LogMelFrontEnd`'s log).
  case log(offset: Float)
  /// `powerToDB` (power 2) or `amplitudeToDB` (power 1) with ref 1.0, floored at the global
  /// maximum minus `topDB` when it is given. The floor needs the maximum of the whole output, so
  /// it is applied once all frames are in, while they are gathered into the result.
  case decibels(topDB: Float?)
}

/// A spectrogram computed from a signal that arrives in blocks: the same frames, bit for bit, as
/// `STFT.spectrogram` (then `MelFilterbank` and the `output` transform) of the whole signal, while
/// memory holds one block of samples, one block of frames and the (mel) output itself.
///
/// Frame t covers samples `[t·hop − nFFT/2, t·hop + nFFT/2)` of the signal zero-padded on both
/// sides (`center` with constant padding, as `STFT`'s default) or `[t·hop, t·hop + nFFT)` without
/// centring. `append` keeps the samples not yet framed (fewer than `nFFT + hop · blockFrames`);
/// whole blocks of `blockFrames` frames are transformed at once (threads split each block).
/// Glossary: B = nFFT / 2 + 1 bins, M = mel bands (B without a filterbank), T = frames.
public final class StreamingSpectrogram {
  public let stft: STFT
  public let filterbank: MelFilterbank?
  public let power: Float
  public let output: SpectrogramOutput
  /// Frames transformed per block.
  public let blockFrames: Int
  /// Rows of the output: mel bands, or STFT bins without a filterbank.
  public var rows: Int { filterbank?.nMels ?? stft.bins }

  /// Signal samples (after the leading padding) not yet dropped; `pending[0]` is padded-signal
  /// sample `offset`.
  private var pending: [Float] = []
  private var offset = 0
  private var samplesSeen = 0
  private var framesDone = 0
  /// One growing buffer per output row, each its own memory mapping (`RowBuffer`), so growing
  /// copies one row at a time and `finish` gives each row back to the system as soon as it is copied.
  private var rowBuffers: [RowBuffer]
  private var rowCapacity = 0
  private var peak = -Float.infinity
  private var finished = false

  /// Where transformed blocks go instead of the output rows (`init(…, onBlock:)`), or nil.
  private let onBlock: ((Tensor) -> Void)?

  public convenience init(stft: STFT, filterbank: MelFilterbank? = nil, power: Float = 2, output: SpectrogramOutput = .linear,
                          blockFrames: Int = 2048) {
    self.init(stft: stft, filterbank: filterbank, power: power, output: output, blockFrames: blockFrames, sink: nil)
  }

  /// A spectrogram that keeps nothing: each block of frames, `[M, n]` after `output` (`.linear`
  /// or `.log`: decibels with a floor need every frame), goes to `onBlock` as soon as it is
  /// transformed, in order; `close()` ends it. Memory holds one block whatever the length.
  public convenience init(stft: STFT, filterbank: MelFilterbank? = nil, power: Float = 2,
                          output: SpectrogramOutput = .linear, blockFrames: Int = 2048,
                          onBlock: @escaping (Tensor) -> Void) {
    if case .decibels = output { preconditionFailure("StreamingSpectrogram: decibels need the whole output; stream .linear or .log") }
    self.init(stft: stft, filterbank: filterbank, power: power, output: output, blockFrames: blockFrames, sink: onBlock)
  }

  private init(stft: STFT, filterbank: MelFilterbank?, power: Float, output: SpectrogramOutput, blockFrames: Int,
               sink: ((Tensor) -> Void)?) {
    onBlock = sink
    precondition(stft.padMode == .constant, "StreamingSpectrogram: only constant (zero) padding streams")
    precondition(power > 0 && blockFrames >= 1, "StreamingSpectrogram: power \(power), blockFrames \(blockFrames)")
    if let filterbank { precondition(filterbank.nFFT == stft.nFFT, "StreamingSpectrogram: filterbank nFFT \(filterbank.nFFT) ≠ \(stft.nFFT)") }
    self.stft = stft
    self.filterbank = filterbank
    self.power = power
    self.output = output
    self.blockFrames = blockFrames
    rowBuffers = sink != nil ? [] : (0..<(filterbank?.nMels ?? stft.bins)).map { _ in RowBuffer() }
    if stft.center { pending = [Float](repeating: 0, count: stft.nFFT / 2) }
  }

  /// Frames produced so far.
  public var frames: Int { framesDone }

  /// Adds the next samples of the (mono) signal and transforms every whole block of frames.
  public func append(_ samples: [Float]) {
    precondition(!finished, "StreamingSpectrogram.append after finish")
    pending.append(contentsOf: samples)
    samplesSeen += samples.count
    transformReadyFrames(final: false)
  }

  /// Pads the end, transforms the last frames and returns the whole output `[M, T]`, applying the
  /// `top_db` floor. Throws when the signal was too short for one frame.
  public func finish() throws(SpectrogramError) -> Tensor {
    precondition(onBlock == nil, "StreamingSpectrogram.finish: this one streams its blocks; call close()")
    try transformLastFrames()
    var floor = -Float.infinity
    if case .decibels(let topDB?) = output, framesDone > 0 { floor = peak - topDB }
    let out = Tensor(uninitializedShape: [rows, framesDone])  // [M, T]
    for m in 0..<rows {
      let dst = out.data + m * framesDone
      if let src = rowBuffers[m].pointer {
        for t in 0..<framesDone { dst[t] = max(src[t], floor) }
      }
      rowBuffers[m].release()  // give each row back as soon as it is copied
    }
    return out
  }

  /// Ends a spectrogram made with `onBlock`: pads the end, hands over the last frames and returns
  /// the number of frames. Throws when the signal was too short for one frame.
  @discardableResult
  public func close() throws(SpectrogramError) -> Int {
    precondition(onBlock != nil, "StreamingSpectrogram.close: this one keeps its output; call finish()")
    try transformLastFrames()
    return framesDone
  }

  private func transformLastFrames() throws(SpectrogramError) {
    precondition(!finished, "StreamingSpectrogram: finished twice")
    finished = true
    guard let total = stft.frameCount(samples: samplesSeen) else {
      throw .signalTooShort(samples: samplesSeen, needed: stft.center ? 1 : stft.nFFT)
    }
    if stft.center { pending.append(contentsOf: repeatElement(0, count: stft.nFFT / 2)) }
    transformReadyFrames(final: true)
    precondition(framesDone == total, "StreamingSpectrogram: \(framesDone) frames, expected \(total)")
  }

  /// Transforms the frames whose samples are all in `pending`: in whole blocks, and the rest too
  /// when `final`. Then drops the samples no later frame needs.
  private func transformReadyFrames(final: Bool) {
    let (nFFT, hop) = (stft.nFFT, stft.hopLength)
    while true {
      let available = offset + pending.count  // padded samples seen
      guard available >= nFFT else { return }
      let ready = 1 + (available - nFFT) / hop - framesDone
      let count = final ? ready : (ready >= blockFrames ? blockFrames : 0)
      guard count > 0 else { return }
      let start = framesDone * hop - offset
      let slice = Array(pending[start..<(start + (count - 1) * hop + nFFT)])
      let frameSTFT = STFT(nFFT: nFFT, hopLength: hop, winLength: stft.winLength, window: stft.window, center: false,
                           periodicWindow: stft.periodicWindow)
      // `slice` holds at least nFFT samples, so the STFT cannot fail.
      let block: Tensor?  // [M, count] with a filterbank, else [B, count]
      if let filterbank {
        block = try? frameSTFT.melSpectrogram(slice, power: power, filterbank: filterbank)
      } else {
        block = try? frameSTFT.spectrogram(slice, power: power)
      }
      guard let block else { return }
      store(block)
      let keepFrom = framesDone * hop - offset
      pending.removeFirst(min(keepFrom, pending.count))
      offset += keepFrom
    }
  }

  /// Applies `output` to a block `[M, n]` and appends it to the rows.
  private func store(_ block: Tensor) {
    let n = block.shape[1]
    if let onBlock {
      if case .log(let offset) = output { Kernels.logOffset(block.data, block.data, count: block.count, offset: offset) }
      framesDone += n
      onBlock(block)
      return
    }
    if framesDone + n > rowCapacity {
      rowCapacity = max(framesDone + n, rowCapacity * 2, 16_384)
      for m in 0..<rows { rowBuffers[m].grow(to: rowCapacity, keeping: framesDone) }
    }
    // Decibels through the whole-signal functions (ref 1.0, their default amin), with the
    // `top_db` floor left to `finish`, which knows the global maximum.
    var values = block
    if case .decibels = output {
      values = power == 2 ? powerToDB(block, topDB: nil) : amplitudeToDB(block, topDB: nil)
    }
    let src = values.data
    for m in 0..<rows {
      let dst = rowBuffers[m].pointer! + framesDone
      let row = src + m * n
      switch output {
      case .linear:
        dst.update(from: row, count: n)
      case .log(let offset):
        Kernels.logOffset(dst, row, count: n, offset: offset)
      case .decibels:
        for t in 0..<n { peak = max(peak, row[t]) }
        dst.update(from: row, count: n)
      }
    }
    framesDone += n
  }
}

/// Floats in an anonymous memory mapping of their own (`mmap`), unmapped by `release()` or
/// `deinit`. Unlike `malloc`, which keeps freed blocks below its (adaptive) mapping threshold in
/// the heap, unmapping returns the memory to the system at once, so rows copied out of the
/// streaming buffers stop counting in the process's resident size.
final class RowBuffer {
  private(set) var pointer: UnsafeMutablePointer<Float>?
  private var bytes = 0

  /// Moves the first `keeping` floats into a mapping of `count` floats.
  func grow(to count: Int, keeping: Int) {
    let size = count * MemoryLayout<Float>.stride
    guard let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), raw != MAP_FAILED else {
      preconditionFailure("StreamingSpectrogram: cannot map \(size) bytes (\(String(cString: strerror(errno))))")
    }
    let grown = raw.assumingMemoryBound(to: Float.self)
    if let pointer { grown.update(from: pointer, count: keeping) }
    release()
    pointer = grown
    bytes = size
  }

  func release() {
    if let pointer { munmap(pointer, bytes) }
    pointer = nil
    bytes = 0
  }

  deinit { release() }
}
