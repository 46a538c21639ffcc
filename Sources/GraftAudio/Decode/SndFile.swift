import CSndFile
import Synchronization

/// Every libsndfile call GraftAudio makes, and nothing else. libsndfile returns codes and
/// messages; the callers turn them into `AudioError`.
///
/// `sf_open` reports a failed open through process-global state (`sf_error(NULL)`,
/// `sf_strerror(NULL)`), so opening and reading that state happen under one lock. Calls on an
/// open `SNDFILE` touch only that handle and need no lock, provided one thread uses it at a time.
enum SndFile {
  /// An open libsndfile handle (`SNDFILE *`).
  typealias Handle = OpaquePointer

  private static let openLock = Mutex(())

  /// Opens `path` for reading and returns the handle and the fields of its `SF_INFO`, or
  /// libsndfile's error code (`SF_ERR_*` or an internal code) and message.
  /// The corresponding C functions are `sf_open` with `SFM_READ`, then `sf_error(NULL)` and
  /// `sf_strerror(NULL)` on failure.
  static func openForReading(_ path: String) -> Result<Opened, OpenFailure> {
    openLock.withLock { _ in
      var info = SF_INFO()
      if let handle = sf_open(path, Int32(SFM_READ), &info) {
        return .success(Opened(handle: handle, frames: Int(info.frames), channels: Int(info.channels),
                               sampleRate: Int(info.samplerate), format: info.format))
      }
      let code = sf_error(nil)
      return .failure(OpenFailure(code: code, message: message(sf_strerror(nil))))
    }
  }

  /// An open handle and its `SF_INFO` fields.
  struct Opened {
    let handle: Handle
    let frames: Int
    let channels: Int
    let sampleRate: Int
    /// Major format | subtype (`SF_INFO.format`).
    let format: Int32
  }

  struct OpenFailure: Error {
    let code: Int32
    let message: String
  }

  /// Reads up to `frames` frames, interleaved, as floats scaled to [-1, 1) for integer
  /// encodings (libsndfile's default `SFC_SET_NORM_FLOAT` on, as python-soundfile reads).
  /// Returns the number of frames read. The corresponding C function is `sf_readf_float`.
  static func readFrames(_ handle: Handle, into buffer: UnsafeMutablePointer<Float>, frames: Int) -> Int {
    Int(sf_readf_float(handle, buffer, sf_count_t(frames)))
  }

  /// The handle's error code and message; code 0 means no error.
  /// The corresponding C functions are `sf_error` and `sf_strerror`.
  static func error(_ handle: Handle) -> (code: Int32, message: String) {
    (sf_error(handle), message(sf_strerror(handle)))
  }

  /// The log libsndfile wrote while parsing the header (chunk sizes, "should be" corrections).
  /// The corresponding C function is `sf_command` with `SFC_GET_LOG_INFO`.
  static func log(_ handle: Handle) -> String {
    var buffer = [CChar](repeating: 0, count: 8192)
    let count = buffer.withUnsafeMutableBufferPointer { raw in
      Int(sf_command(handle, Int32(SFC_GET_LOG_INFO), raw.baseAddress, Int32(raw.count)))
    }
    let bytes = buffer.prefix(max(0, min(count, buffer.count - 1))).map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Opens `path` for writing `channels` channels at `sampleRate` Hz in `format` (major format |
  /// subtype), or libsndfile's error message. The corresponding C functions are `sf_open` with
  /// `SFM_WRITE`, then `sf_strerror(NULL)` on failure.
  static func openForWriting(_ path: String, sampleRate: Int, channels: Int, format: Int32) -> Result<Handle, OpenFailure> {
    openLock.withLock { _ in
      var info = SF_INFO()
      info.samplerate = Int32(sampleRate)
      info.channels = Int32(channels)
      info.format = format
      if let handle = sf_open(path, Int32(SFM_WRITE), &info) { return .success(handle) }
      return .failure(OpenFailure(code: sf_error(nil), message: message(sf_strerror(nil))))
    }
  }

  /// Writes `frames` interleaved frames of floats in [-1, 1]; returns the number written.
  /// The corresponding C function is `sf_writef_float`.
  static func writeFrames(_ handle: Handle, from buffer: UnsafePointer<Float>, frames: Int) -> Int {
    Int(sf_writef_float(handle, buffer, sf_count_t(frames)))
  }

  /// `SF_FORMAT_FLAC | SF_FORMAT_PCM_16` and `SF_FORMAT_WAV | SF_FORMAT_FLOAT`.
  static let flac16 = Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16)
  static let wavFloat = Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT)

  /// Closes the handle. The corresponding C function is `sf_close`.
  static func close(_ handle: Handle) {
    sf_close(handle)
  }

  /// libsndfile's name for a major format or subtype code (`"WAV (Microsoft)"`,
  /// `"Signed 16 bit PCM"`), or nil for a code it does not know.
  /// The corresponding C function is `sf_command(NULL, SFC_GET_FORMAT_INFO, ...)`.
  static func formatName(_ code: Int32) -> String? {
    var info = SF_FORMAT_INFO()
    info.format = code
    let status = sf_command(nil, Int32(SFC_GET_FORMAT_INFO), &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
    guard status == 0, let name = info.name else { return nil }
    return String(cString: name)
  }

  /// Masks of `SF_INFO.format`.
  static let typeMask = Int32(SF_FORMAT_TYPEMASK)
  static let subMask = Int32(SF_FORMAT_SUBMASK)

  /// The `SF_ERR_*` codes of the public API.
  static let errorUnrecognisedFormat = Int32(SF_ERR_UNRECOGNISED_FORMAT)
  static let errorSystem = Int32(SF_ERR_SYSTEM)
  static let errorMalformedFile = Int32(SF_ERR_MALFORMED_FILE)
  static let errorUnsupportedEncoding = Int32(SF_ERR_UNSUPPORTED_ENCODING)

  private static func message(_ text: UnsafePointer<CChar>?) -> String {
    guard let text else { return "unknown libsndfile error" }
    return String(cString: text)
  }
}
