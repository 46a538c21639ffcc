/// What an audio file holds, from its header: the metadata of `python-soundfile`'s `sf.info`.
public struct AudioInfo: Equatable, Sendable {
  /// Frames (samples per channel) the header declares.
  public let frames: Int
  public let channels: Int
  /// Frames per second.
  public let sampleRate: Int
  /// The container, by python-soundfile's name: `"WAV"`, `"FLAC"`, `"OGG"`, `"AIFF"`, ….
  public let format: String
  /// The encoding, by python-soundfile's name: `"PCM_16"`, `"FLOAT"`, `"VORBIS"`, ….
  public let subtype: String
  /// libsndfile's name for the container (`"WAV (Microsoft)"`).
  public let formatDescription: String
  /// libsndfile's name for the encoding (`"Signed 16 bit PCM"`).
  public let subtypeDescription: String

  public init(frames: Int, channels: Int, sampleRate: Int, format: String, subtype: String,
              formatDescription: String, subtypeDescription: String) {
    self.frames = frames
    self.channels = channels
    self.sampleRate = sampleRate
    self.format = format
    self.subtype = subtype
    self.formatDescription = formatDescription
    self.subtypeDescription = subtypeDescription
  }

  /// Seconds: `frames / sampleRate`.
  public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }

  /// The header of the audio file at `path`, checked as `AudioStream` checks it (a WAV or AIFF
  /// whose data chunk is cut short is `.truncated` here already).
  public static func read(_ path: String) throws(AudioError) -> AudioInfo {
    try AudioStream(path: path, blockFrames: 1).info
  }

  init(_ format: Int32, frames: Int, channels: Int, sampleRate: Int) {
    let major = format & SndFile.typeMask
    let sub = format & SndFile.subMask
    self.init(
      frames: frames, channels: channels, sampleRate: sampleRate,
      format: AudioInfo.majorNames[major] ?? hex(major),
      subtype: AudioInfo.subtypeNames[sub] ?? hex(sub),
      formatDescription: SndFile.formatName(major) ?? hex(major),
      subtypeDescription: SndFile.formatName(sub) ?? hex(sub))
  }

  /// python-soundfile's `_formats` table (libsndfile's `SF_FORMAT_*` major codes).
  static let majorNames: [Int32: String] = [
    0x010000: "WAV", 0x020000: "AIFF", 0x030000: "AU", 0x040000: "RAW", 0x050000: "PAF",
    0x060000: "SVX", 0x070000: "NIST", 0x080000: "VOC", 0x0A0000: "IRCAM", 0x0B0000: "W64",
    0x0C0000: "MAT4", 0x0D0000: "MAT5", 0x0E0000: "PVF", 0x0F0000: "XI", 0x100000: "HTK",
    0x110000: "SDS", 0x120000: "AVR", 0x130000: "WAVEX", 0x160000: "SD2", 0x170000: "FLAC",
    0x180000: "CAF", 0x190000: "WVE", 0x200000: "OGG", 0x210000: "MPC2K", 0x220000: "RF64",
    0x230000: "MP3",
  ]

  /// python-soundfile's `_subtypes` table (libsndfile's `SF_FORMAT_*` subtype codes).
  static let subtypeNames: [Int32: String] = [
    0x0001: "PCM_S8", 0x0002: "PCM_16", 0x0003: "PCM_24", 0x0004: "PCM_32", 0x0005: "PCM_U8",
    0x0006: "FLOAT", 0x0007: "DOUBLE", 0x0010: "ULAW", 0x0011: "ALAW", 0x0012: "IMA_ADPCM",
    0x0013: "MS_ADPCM", 0x0020: "GSM610", 0x0021: "VOX_ADPCM", 0x0022: "NMS_ADPCM_16",
    0x0023: "NMS_ADPCM_24", 0x0024: "NMS_ADPCM_32", 0x0030: "G721_32", 0x0031: "G723_24",
    0x0032: "G723_40", 0x0040: "DWVW_12", 0x0041: "DWVW_16", 0x0042: "DWVW_24", 0x0043: "DWVW_N",
    0x0050: "DPCM_8", 0x0051: "DPCM_16", 0x0060: "VORBIS", 0x0064: "OPUS", 0x0070: "ALAC_16",
    0x0071: "ALAC_20", 0x0072: "ALAC_24", 0x0073: "ALAC_32", 0x0080: "MPEG_LAYER_I",
    0x0081: "MPEG_LAYER_II", 0x0082: "MPEG_LAYER_III",
  ]
}

private func hex(_ code: Int32) -> String { "0x" + String(code, radix: 16) }
