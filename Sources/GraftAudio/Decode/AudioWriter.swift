import Foundation
import GraftCore

/// The file formats `writeAudio` produces.
public enum AudioFileFormat: String, Sendable, CaseIterable {
  /// FLAC, 16-bit samples (lossless for 16-bit sources; samples are clipped to [-1, 1]).
  case flac16
  /// WAV, 32-bit float samples.
  case wavFloat

  var code: Int32 {
    switch self {
    case .flac16: SndFile.flac16
    case .wavFloat: SndFile.wavFloat
    }
  }
}

/// Writes interleaved float samples (nominally in [-1, 1]) to `path` with libsndfile. The file is
/// written beside the target under a temporary name and renamed into place, so readers never see
/// a partial file.
public func writeAudio(_ samples: [Float], sampleRate: Int, channels: Int = 1, format: AudioFileFormat = .flac16,
                       to path: String) throws(FileWriteError) {
  precondition(channels >= 1 && samples.count % channels == 0, "writeAudio: \(samples.count) samples for \(channels) channels")
  precondition(sampleRate >= 1, "writeAudio: sample rate \(sampleRate)")
  let url = URL(fileURLWithPath: path)
  let temp = url.deletingLastPathComponent()
    .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  let handle: SndFile.Handle
  switch SndFile.openForWriting(temp, sampleRate: sampleRate, channels: channels, format: format.code) {
  case .success(let h): handle = h
  case .failure(let failure): throw FileWriteError(path: path, reason: .cannotCreate(failure.message))
  }
  let frames = samples.count / channels
  let clipped = format == .flac16 ? samples.map { max(-1, min(1, $0)) } : samples
  let written = clipped.withUnsafeBufferPointer { buffer in
    buffer.baseAddress.map { SndFile.writeFrames(handle, from: $0, frames: frames) } ?? 0
  }
  let error = SndFile.error(handle)
  SndFile.close(handle)
  guard written == frames, error.code == 0 else {
    unlink(temp)
    throw FileWriteError(path: path, reason: .writeFailed(error.code != 0 ? error.message : "wrote \(written) of \(frames) frames"))
  }
  guard rename(temp, path) == 0 else {
    let why = String(cString: strerror(errno))
    unlink(temp)
    throw FileWriteError(path: path, reason: .renameFailed(why))
  }
}
