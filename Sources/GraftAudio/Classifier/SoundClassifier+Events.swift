import GraftCore

/// A detection in a recording: from `start` to `end` seconds, `label` with peak patch probability `score`.
public struct SoundEvent: Sendable, Equatable, Codable {
  public let start: Double
  public let end: Double
  public let label: String
  public let score: Float

  public init(start: Double, end: Double, label: String, score: Float) {
    self.start = start
    self.end = end
    self.label = label
    self.score = score
  }
}

extension SoundClassifier {
  /// Time-stamped detections in a (long) recording.
  ///
  /// Patches slide over the recording `hopFrames` apart (`eventHopFrames`, a quarter patch, by
  /// default), so they overlap. Each patch speaks for the stretch of time nearer its centre than
  /// any other patch's centre (the first from the start, the last to the end: with a regular hop,
  /// the hop-long stretch around its centre), which puts a detection where the sound is rather
  /// than a whole patch length around it. A patch detects:
  /// * for a binary detector, its positive label when the positive probability is at least
  ///   `threshold` (the bundle's threshold when nil, else 0.5);
  /// * otherwise its most probable label when that probability is at least `threshold` (0.5 when nil).
  /// Consecutive patches that detect the same label merge into one event, whose score is the
  /// highest of their probabilities.
  ///
  /// The file is streamed (`LogMelFrontEnd.logMelBlocks(streamingFile:)`, every front end, mn04's
  /// included) and its patches are cut and classified a batch at a time as the frames arrive
  /// (`PatchStream`), so memory holds a block of audio and a batch's frames, not the signal, its
  /// log-mel or its overlapping patches: the same batches, probabilities and events as
  /// `events(_:threshold:duration:)` of all the patches of the whole decoded file.
  public func events(file path: String, threshold: Float? = nil, hopFrames: Int? = nil) throws(PreprocessingError)
    -> [SoundEvent] {
    try events(hopFrames: hopFrames ?? eventHopFrames, threshold: threshold) { patches throws(PreprocessingError) in
      try frontEnd.logMelBlocks(streamingFile: path, onBlock: patches.append)
    }
  }

  /// The events of a log-mel spectrogram `[M, T]` (`frontEnd`'s) cut into patches `hopFrames`
  /// apart, a batch of `batchSize` patches at a time: the same batches, probabilities and events as
  /// `events(_:threshold:duration:)` of `Patches(logMel:…)`, without holding every patch.
  public func events(logMel: Tensor, hopFrames: Int, threshold: Float? = nil, duration: Double? = nil) -> [SoundEvent] {
    events(hopFrames: hopFrames, threshold: threshold) { patches in
      patches.append(logMel)
      return (logMel.shape[1], duration)
    }
  }

  /// The events of the log-mel frames `feed` appends to a `PatchStream` (returning the number of
  /// frames and the duration to clamp to): its batches classified as they complete, then merged.
  private func events<E: Error>(hopFrames: Int, threshold: Float?,
                                feed: (PatchStream) throws(E) -> (frames: Int, duration: Double?)) throws(E) -> [SoundEvent] {
    var detections: [(label: Int, score: Float)?] = []
    let patches = PatchStream(mels: frontEnd.nMels, frames: frontEnd.patchFrames, hop: hopFrames, batchSize: batchSize,
                              floor: frontEnd.floor) { [self] batch in
      detections += detect(probabilities(batch), threshold: threshold)
    }
    let (total, duration) = try feed(patches)
    let starts = patches.finish(frameCount: total)
    return merge(detections, starts: starts, frames: frontEnd.patchFrames, frameCount: total, duration: duration)
  }

  /// The events of already cut `patches` (see `events(file:threshold:hopFrames:)`); times end at
  /// `duration` seconds when given.
  public func events(_ patches: Patches, threshold: Float? = nil, duration: Double? = nil) -> [SoundEvent] {
    merge(detect(probabilities(patches), threshold: threshold), starts: patches.starts, frames: patches.frames,
          frameCount: patches.frameCount, duration: duration)
  }

  /// The detected label and its probability per row of `probabilities` `[P, C]`, nil where nothing
  /// is detected.
  func detect(_ probabilities: Tensor, threshold: Float?) -> [(label: Int, score: Float)?] {
    let (count, classes, p) = (probabilities.shape[0], labels.count, probabilities.data)
    return (0..<count).map { i in
      let row = (0..<classes).map { p[i * classes + $0] }
      if let positive = positiveIndex {
        let limit = threshold ?? self.threshold ?? 0.5
        return row[positive] >= limit ? (positive, row[positive]) : nil
      }
      let best = row.indices.max { row[$0] < row[$1] }!
      return row[best] >= (threshold ?? 0.5) ? (best, row[best]) : nil
    }
  }

  /// Merges consecutive patches' detections of one label into events (patch `i` starting at frame
  /// `starts[i]`), times clamped to `duration` when given.
  func merge(_ detections: [(label: Int, score: Float)?], starts: [Int], frames: Int, frameCount: Int,
             duration: Double?) -> [SoundEvent] {
    let spans = Self.spans(starts: starts, frames: frames, frameCount: frameCount)
    let seconds = frontEnd.secondsPerFrame
    var events: [SoundEvent] = []
    var open: (label: Int, start: Double, end: Double, score: Float)? = nil
    for (i, detection) in detections.enumerated() {
      let (from, to) = (spans[i].0 * seconds, spans[i].1 * seconds)
      if let d = detection, let current = open, current.label == d.label {
        open = (d.label, current.start, to, max(current.score, d.score))
        continue
      }
      if let current = open { events.append(SoundEvent(start: current.start, end: current.end, label: labels[current.label], score: current.score)) }
      open = detection.map { ($0.label, from, to, $0.score) }
    }
    if let current = open { events.append(SoundEvent(start: current.start, end: current.end, label: labels[current.label], score: current.score)) }
    guard let duration else { return events }
    return events.map { SoundEvent(start: min($0.start, duration), end: min($0.end, duration), label: $0.label, score: $0.score) }
  }

  /// The stretch (in frames) each patch speaks for: from the midpoint with the previous patch's
  /// centre to the midpoint with the next one's; the first from 0, the last to `frameCount`.
  static func spans(starts: [Int], frames: Int, frameCount: Int) -> [(Double, Double)] {
    let centres = starts.map { Double($0) + Double(min(frames, frameCount)) / 2 }
    return centres.indices.map { i in
      (i == 0 ? 0 : (centres[i - 1] + centres[i]) / 2,
       i == centres.count - 1 ? Double(frameCount) : (centres[i] + centres[i + 1]) / 2)
    }
  }
}
