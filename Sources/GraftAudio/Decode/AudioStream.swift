#if canImport(Glibc)
import Glibc
#endif

/// Reads an audio file block by block: each `next()` returns at most `blockFrames` frames, so
/// memory stays bounded by one block however long the file is.
///
/// Samples are libsndfile's floats (`sf_readf_float`): integer encodings scaled to [-1, 1) by
/// 1/2^(bits-1), float encodings as stored. python-soundfile's `sf.read(dtype='float32')`
/// returns the same values.
///
/// A file that ends before the audio its header declares throws `.truncated`: for WAV and AIFF
/// at open (libsndfile logs a data chunk longer than the file), for other formats when the
/// decoder runs dry before the declared frame count.
public final class AudioStream {
  public let path: String
  /// The header; `info.frames` is what the header declares.
  public let info: AudioInfo
  /// The most frames one `next()` returns.
  public let blockFrames: Int
  /// Frames returned so far.
  public private(set) var framesRead = 0

  private var handle: SndFile.Handle?
  /// The header's frame count, nil where libsndfile does not know it (`SF_COUNT_MAX`).
  private let declaredFrames: Int?
  private var buffer: [Float]

  /// Opens `path`. `blockFrames` must be positive.
  public init(path: String, blockFrames: Int = 65_536) throws(AudioError) {
    precondition(blockFrames > 0, "AudioStream: blockFrames \(blockFrames)")
    self.path = path
    self.blockFrames = blockFrames
    func fail(_ reason: AudioError.Reason) -> AudioError { AudioError(path: path, reason: reason) }

    var status = stat()
    if stat(path, &status) != 0 {
      let code = errno
      throw fail(code == ENOENT || code == ENOTDIR ? .missing : .cannotOpen(String(cString: strerror(code))))
    }
    guard status.st_mode & S_IFMT == S_IFREG else { throw fail(.cannotOpen("not a regular file")) }
    guard status.st_size > 0 else { throw fail(.empty) }

    let raw: SndFile.Opened
    switch SndFile.openForReading(path) {
    case .success(let opened): raw = opened
    case .failure(let f): throw fail(AudioStream.reason(forOpenError: f.code, message: f.message))
    }
    let handle = raw.handle
    guard raw.channels >= 1, raw.channels <= 1024, raw.sampleRate >= 1 else {
      SndFile.close(handle)
      throw fail(.malformed("\(raw.channels) channels at \(raw.sampleRate) Hz"))
    }
    if let shortfall = AudioStream.dataShortfall(inLog: SndFile.log(handle)) {
      SndFile.close(handle)
      throw fail(.truncated(shortfall))
    }
    self.handle = handle
    self.declaredFrames = raw.frames >= 0 && raw.frames < Int.max / 2 ? raw.frames : nil
    self.info = AudioInfo(raw.format, frames: max(0, raw.frames), channels: raw.channels, sampleRate: raw.sampleRate)
    self.buffer = [Float](repeating: 0, count: blockFrames * raw.channels)
  }

  deinit {
    if let handle { SndFile.close(handle) }
  }

  /// The next block of up to `blockFrames` frames, or nil after the last.
  public func next() throws(AudioError) -> AudioBuffer? {
    guard let handle else { return nil }
    let got = buffer.withUnsafeMutableBufferPointer { SndFile.readFrames(handle, into: $0.baseAddress!, frames: blockFrames) }
    if got < blockFrames {
      // The last block: query the handle's error, then close it.
      let (code, message) = SndFile.error(handle)
      SndFile.close(handle)
      self.handle = nil
      // Fewer frames than the header declares: the file ends early (a FLAC decoder also
      // reports lost sync there). An error with every frame read is corrupt data.
      if let declared = declaredFrames, framesRead + got < declared {
        let detail = code != 0 ? " (\(message))" : ""
        throw AudioError(path: path, reason: .truncated(
          "header declares \(declared) frames, file holds \(framesRead + got)\(detail)"))
      }
      if code != 0 { throw AudioError(path: path, reason: .malformed(message)) }
    }
    guard got > 0 else { return nil }
    framesRead += got
    return AudioBuffer(samples: Array(buffer.prefix(got * info.channels)), channels: info.channels, sampleRate: info.sampleRate)
  }

  /// Reads the remaining blocks into one buffer.
  public func readAll() throws(AudioError) -> AudioBuffer {
    var samples: [Float] = []
    // The header's frame count only sizes the first allocation, bounded so a lying header costs nothing.
    samples.reserveCapacity(min(max(0, info.frames - framesRead), (1 << 24) / info.channels) * info.channels)
    while let block = try next() { samples += block.samples }
    return AudioBuffer(samples: samples, channels: info.channels, sampleRate: info.sampleRate)
  }

  static func reason(forOpenError code: Int32, message: String) -> AudioError.Reason {
    switch code {
    case SndFile.errorUnrecognisedFormat: .notAudio(message)
    case SndFile.errorUnsupportedEncoding: .unsupported(message)
    case SndFile.errorSystem: .cannotOpen(message)
    default: .malformed(message)
    }
  }

  /// libsndfile shortens a WAV `data` or AIFF `SSND` chunk that claims more bytes than the file
  /// holds and logs `data : 16000 (should be 14999)`. A claim beyond the file is a truncated file;
  /// the placeholder sizes streaming writers leave (0, 0xFFFFFFFF, 0x7FFFFFFF) are not.
  static func dataShortfall(inLog log: String) -> String? {
    for line in log.split(separator: "\n") {
      let text = line.trimmingPrefix(while: { $0 == " " })
      guard text.hasPrefix("data :") || text.hasPrefix("SSND :") else { continue }
      let numbers = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
      guard text.contains("should be"), numbers.count >= 2 else { continue }
      let (declared, actual) = (numbers[0], numbers[1])
      if declared > actual, declared < 0x7FFF_FFFF {
        return "data chunk declares \(declared) bytes, file holds \(actual)"
      }
    }
    return nil
  }
}
