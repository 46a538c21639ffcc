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
  /// Whether libsndfile reported the length as unknown (`SF_COUNT_MAX`).
  private let lengthUnknown: Bool
  private var buffer: [Float]
  /// Size of the file in bytes (bounds what a header may make us reserve).
  private var fileBytes = 0

  /// Opens `path`. `blockFrames` must be positive.
  public init(path: String, blockFrames: Int = 65_536) throws(AudioError) {
    precondition(blockFrames > 0 && blockFrames <= 1 << 24, "AudioStream: blockFrames \(blockFrames) outside 1...2^24")
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
    fileBytes = Int(status.st_size)

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
    self.lengthUnknown = raw.frames == Int(Int64.max)
    self.info = AudioInfo(raw.format, frames: max(0, raw.frames), channels: raw.channels, sampleRate: raw.sampleRate)
    self.buffer = [Float](repeating: 0, count: blockFrames * raw.channels)
  }

  deinit {
    if let handle { SndFile.close(handle) }
  }

  /// The next block of up to `blockFrames` frames, or nil after the last.
  public func next() throws(AudioError) -> AudioBuffer? {
    let got = try buffer.withUnsafeMutableBufferPointer { (b) throws(AudioError) -> Int in try readBlock(into: b.baseAddress!) }
    guard got > 0 else { return nil }
    return AudioBuffer(samples: Array(buffer.prefix(got * info.channels)), channels: info.channels, sampleRate: info.sampleRate)
  }

  /// Reads up to `blockFrames` frames into `destination` (room for `blockFrames × channels`
  /// floats) and returns how many; 0 after the last. Checks for truncation at the end.
  func readBlock(into destination: UnsafeMutablePointer<Float>) throws(AudioError) -> Int {
    guard let handle else { return 0 }
    let got = SndFile.readFrames(handle, into: destination, frames: blockFrames)
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
      // libsndfile could not find the stream's length (`SF_COUNT_MAX`: an Ogg file without its
      // last page) and then decoded nothing: say so rather than return empty audio.
      if lengthUnknown && framesRead + got <= 0 {
        throw AudioError(path: path, reason: .malformed("stream length unknown and no audio decoded (a cut or damaged file)"))
      }
    }
    framesRead += max(0, got)
    return max(0, got)
  }

  /// The most samples reserved up front on a header's word: four per byte of the file (beyond
  /// any codec's ratio here) and at most 2^28 (1 GiB). Longer audio is not refused: the buffer
  /// grows as blocks are decoded, so memory follows what the file holds, not what it claims.
  var upFrontSampleLimit: Int { min(fileBytes.multipliedReportingOverflow(by: 4).partialValue, 1 << 28) }

  /// Samples (frames × channels) the header declares beyond those read so far; nil where it
  /// declares no length or the product does not fit in `Int` (a damaged header or an Ogg file
  /// whose length libsndfile cannot find reports `SF_COUNT_MAX` frames).
  var declaredRemainingSamples: Int? {
    guard let declared = declaredFrames else { return nil }
    let (samples, overflow) = max(0, declared - framesRead).multipliedReportingOverflow(by: info.channels)
    return overflow ? nil : samples
  }

  /// Reads the remaining blocks into one buffer, decoding straight into it (no per-block copies).
  /// Reads until libsndfile stops, whatever the header declared.
  public func readAll() throws(AudioError) -> AudioBuffer {
    let channels = info.channels
    let room = blockFrames * channels  // ≤ 2^24 × 1024, checked at init
    if let declared = declaredRemainingSamples, declared > 0, declared <= upFrontSampleLimit {
      // The usual case: the header's length is plausible; decode into exactly that much
      // uninitialised memory (one block of slack for the final short read).
      var failure: AudioError?
      let samples = [Float](unsafeUninitializedCapacity: declared + room) { buffer, count in
        count = 0
        AudioStream.adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
        while handle != nil {
          if buffer.count - count < room { break }
          do {
            count += try readBlock(into: buffer.baseAddress! + count) * channels
          } catch let error as AudioError { failure = error; break } catch { break }
        }
      }
      if let failure { throw failure }
      if handle == nil { return AudioBuffer(samples: samples, channels: channels, sampleRate: info.sampleRate) }
      // More audio than declared: continue with the growing path below.
      return try continueReading(samples)
    }
    return try continueReading([])
  }

  /// Asks the kernel to back a large, not yet touched buffer with transparent huge pages
  /// (`madvise(MADV_HUGEPAGE)`, as NumPy does for large arrays): decoding a long file into
  /// fresh memory otherwise spends much of its time in page faults, one per 4 KiB.
  static func adviseHugePages(_ buffer: UnsafeMutableRawBufferPointer) {
    let huge = 2 << 20
    guard let base = buffer.baseAddress, buffer.count >= 2 * huge else { return }
    let start = (Int(bitPattern: base) + huge - 1) & ~(huge - 1)
    let end = (Int(bitPattern: base) + buffer.count) & ~(huge - 1)
    guard end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(pointer, end - start, MADV_HUGEPAGE)
  }

  /// Appends the remaining blocks to `samples`, growing as needed.
  private func continueReading(_ initial: [Float]) throws(AudioError) -> AudioBuffer {
    let channels = info.channels
    let room = blockFrames * channels
    var samples = initial
    samples.reserveCapacity(samples.count + min(declaredRemainingSamples ?? 0, upFrontSampleLimit) + room)
    while handle != nil {
      let start = samples.count
      if samples.capacity - start < room { samples.reserveCapacity(max(samples.capacity * 2, start + room)) }
      var got = 0
      var failure: AudioError?
      samples.append(contentsOf: repeatElement(0, count: room))
      samples.withUnsafeMutableBufferPointer { all in
        do { got = try readBlock(into: all.baseAddress! + start) } catch let error as AudioError { failure = error } catch {}
      }
      samples.removeLast(room - got * channels)
      if let failure { throw failure }
    }
    return AudioBuffer(samples: samples, channels: channels, sampleRate: info.sampleRate)
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
