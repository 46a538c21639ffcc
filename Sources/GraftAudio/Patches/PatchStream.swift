import GraftCore

/// Patches cut from log-mel frames that arrive in blocks (`LogMelFrontEnd.logMelBlocks`): the
/// patches of `Patches.starts(frameCount:frames:hop:)`, in its order and in batches of
/// `batchSize` counted from the first patch, each batch `[n, 1, L, M]` handed to `onBatch` as
/// soon as its frames have arrived. Memory holds the frames from the next patch's start on: about one batch's span and one block.
///
/// While frames arrive, only the regular starts (every `hop` frames) are cut; the last patch,
/// aligned to the end, and a clip shorter than a patch (padded with `floor`) wait for `finish`,
/// which knows the number of frames.
final class PatchStream {
  let mels: Int
  let frames: Int
  let hop: Int
  let batchSize: Int
  let floor: Float
  private let onBatch: (Tensor) -> Void
  /// Frames `[t, M]` (frame-major, as patches are) from frame `base` on.
  private var held: [Float] = []
  private var base = 0
  private var available = 0
  /// Patches handed over so far (a multiple of `batchSize` until `finish`).
  private var done = 0

  init(mels: Int, frames: Int, hop: Int, batchSize: Int, floor: Float, onBatch: @escaping (Tensor) -> Void) {
    precondition(mels >= 1 && frames >= 1 && hop >= 1 && batchSize >= 1,
                 "PatchStream: \(mels) mels, patch \(frames), hop \(hop), batch \(batchSize)")
    (self.mels, self.frames, self.hop, self.batchSize, self.floor) = (mels, frames, hop, batchSize, floor)
    self.onBatch = onBatch
  }

  /// Adds the next frames, `[M, n]`, and hands over every whole batch now complete.
  func append(_ block: Tensor) {
    precondition(block.rank == 2 && block.shape[0] == mels, "PatchStream: block \(block.shape), expected [\(mels), n]")
    let n = block.shape[1]
    let start = held.count
    held.append(contentsOf: repeatElement(0, count: n * mels))
    let src = block.data
    held.withUnsafeMutableBufferPointer { dst in
      for m in 0..<mels {
        let row = src + m * n
        for t in 0..<n { dst[start + t * mels + m] = row[t] }
      }
    }
    available += n
    while (done + batchSize - 1) * hop + frames <= available {
      emit((done..<(done + batchSize)).map { $0 * hop })
      done += batchSize
    }
    // Nothing before the next patch's start is read again.
    let drop = done * hop - base
    if drop > 0 {
      held.removeFirst(min(drop, held.count / mels) * mels)
      base = done * hop
    }
  }

  /// Hands over the remaining patches of a clip of `frameCount` frames (every frame appended)
  /// and returns every patch's start.
  func finish(frameCount: Int) -> [Int] {
    precondition(frameCount == available, "PatchStream.finish: \(frameCount) frames, \(available) appended")
    let starts = Patches.starts(frameCount: frameCount, frames: frames, hop: hop)
    precondition(starts.count >= done && (0..<done).allSatisfy { starts[$0] == $0 * hop },
                 "PatchStream: the regular starts handed over are not the clip's")
    for first in stride(from: done, to: starts.count, by: batchSize) {
      emit(Array(starts[first..<min(first + batchSize, starts.count)]))
    }
    done = starts.count
    return starts
  }

  /// Cuts patches at absolute frames `starts` (frames past the end read `floor`, as `Patches.cut`).
  private func emit(_ starts: [Int]) {
    let out = Tensor(uninitializedShape: [starts.count, 1, frames, mels])  // [P, 1, L, M]
    let dst = out.data
    held.withUnsafeBufferPointer { src in
      for (p, start) in starts.enumerated() {
        let patch = dst + p * frames * mels
        for i in 0..<frames {
          let t = start + i
          if t < available {
            patch.advanced(by: i * mels).update(from: src.baseAddress! + (t - base) * mels, count: mels)
          } else {
            patch.advanced(by: i * mels).update(repeating: floor, count: mels)
          }
        }
      }
    }
    onBatch(out)
  }
}
