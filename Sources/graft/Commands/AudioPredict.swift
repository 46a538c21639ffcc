import ArgumentParser
import Foundation
import GraftAudio
import GraftCore

/// `m:ss.d`, as event times print: 3.24 s → "0:03.2".
func clockTime(_ seconds: Double) -> String {
  let tenths = Int((max(0, seconds) * 10).rounded())
  return "\(tenths / 600):\(String(format: "%02d", tenths % 600 / 10)).\(tenths % 10)"
}

struct AudioPredict: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Classify audio files with a sound bundle, or list time-stamped detections with --events.",
    discussion: """
      Each file is cut into patches, the patches are classified and their probabilities \
      aggregated (as the bundle says) into the clip's. A binary detector (trained with \
      --positive) applies its stored threshold; --threshold overrides it.

      With --events, patches slide over the recording a quarter patch apart and consecutive \
      detecting patches merge into events, printed as "0:03.2–0:03.7 cough 0.91" (start, end, \
      label, peak probability).

      A file that cannot be read is reported on one line; the others are still predicted, and \
      the exit status is 1.

      Examples:
        graft audio predict cough.graft clip.wav other.flac
        graft audio predict cough.graft recording.flac --events --json

      Zero-shot, with no training: --class NAME on a bare AudioSet network file (EfficientAT mn04's \
      .pt with --arch mn04_as, or yamnet.tflite) detects that one AudioSet class by the network's \
      own classifier (its sigmoid score against --threshold, default 0.5), named verbatim as in \
      --labels (class_labels_indices.csv or yamnet_class_map.csv):

        graft audio predict mn04_as_mAP_432.pt --arch mn04_as --labels class_labels_indices.csv \
          --class Cough recording.flac --events
      """)

  @Argument(help: ArgumentHelp("The sound bundle.", valueName: "name.graft"))
  var bundle: String

  @Argument(help: ArgumentHelp("Audio files.", valueName: "file"))
  var files: [String]

  @Flag(help: "List time-stamped detections instead of one label per file.")
  var events = false

  @Option(help: "Threshold on the positive label's probability (binary bundles; default: the stored one). With --events on other bundles: the least probability of a detected label (default 0.5).")
  var threshold: Float?

  @Flag(help: "Print JSON.")
  var json = false

  @Option(name: .customLong("class"), help: ArgumentHelp("Detect this AudioSet class with a bare network file (zero-shot).", valueName: "name"))
  var className: String?

  @Option(help: ArgumentHelp("With --class: the network's architecture when its file does not name it (mn04_as for EfficientAT's .pt).", valueName: "arch"))
  var arch: String?

  @Option(help: ArgumentHelp("With --class: the AudioSet class list (index,mid,display_name CSV) that names the classes (default: class_labels_indices.csv or yamnet_class_map.csv beside the network file).", valueName: "csv"))
  var labels: String?

  func validate() throws {
    if className == nil && (arch != nil || labels != nil) { throw ValidationError("--arch and --labels go with --class") }
    if files.isEmpty { throw ValidationError("give at least one audio file") }
    if let threshold, !(threshold >= 0 && threshold <= 1) { throw ValidationError("--threshold must lie in [0, 1]") }
  }

  func run() throws {
    let classifier = try className.map { name in
      let tagger = try AudioSetTagger(base: .weights(bundle, architecture: try arch.map { try SoundClassifier.architecture(name: $0) }),
                                      labels: try labels.map(AudioSetTagger.readLabels))
      return try tagger.detector(for: name, threshold: threshold ?? 0.5)
    } ?? SoundClassifier(bundlePath: bundle)
    var results: [JSONValue] = [], errors: [JSONValue] = []
    for file in files {
      do {
        if events {
          let found = try classifier.events(file: file, threshold: threshold)
          results.append(["path": .string(file), "events": .array(found.map {
            ["start": .number($0.start), "end": .number($0.end), "label": .string($0.label), "score": .number(Double($0.score))]
          })])
          if !json {
            Console.writeOutput(files.count > 1 ? "\(file)\n" : "")
            for e in found {
              Console.writeOutput("\(files.count > 1 ? "  " : "")\(clockTime(e.start))–\(clockTime(e.end)) \(e.label) \(fixed(Double(e.score), 2))\n")
            }
          }
        } else {
          let prediction = try classifier.predict(file: file, threshold: threshold)
          var object: [String: JSONValue] = [
            "path": .string(file), "label": .string(prediction.label), "score": .number(Double(prediction.score)),
            "patches": .number(Double(prediction.patches)),
            "probabilities": .object(Dictionary(uniqueKeysWithValues: zip(prediction.labels, prediction.probabilities)
              .map { ($0.0, .number(Double($0.1))) })),
          ]
          if let s = prediction.positiveScore { object["positive_score"] = .number(Double(s)) }
          results.append(.object(object))
          if !json { Console.writeOutput("\(file)  \(prediction.label) \(fixed(Double(prediction.score), 2))\n") }
        }
      } catch {
        errors.append(["path": .string(file), "reason": .string(error.reason.description)])
        if !json { Console.writeError("graft: \(error)\n") }
      }
    }
    if json {
      var object: [String: JSONValue] = ["bundle": .string(bundle), "results": .array(results), "errors": .array(errors)]
      if let t = threshold ?? classifier.threshold { object["threshold"] = .number(Double(t)) }
      try printJSON(JSONValue.object(object))
    }
    if !errors.isEmpty { throw ExitCode(1) }
  }
}
