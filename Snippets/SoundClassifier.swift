// docs/audio.md's library example: train a binary sound detector on a folder of clips
// (one sub-folder per label), write the bundle, reload it, list detections in a recording.
//   swift run SoundClassifier DATA_DIR RECORDING
import GraftAudio
import GraftCore

let arguments = CommandLine.arguments.dropFirst()
let dataPath = arguments.first ?? "coughs"
let recording = arguments.dropFirst().first ?? "recording.flac"

let data = try SoundDataSource.load(dataPath)  // or a CSV: SoundDataSource.load("labels.csv", filters: [("split", "train")])
let base = BaseSource.scratch(ArchitectureSpec(name: "audio_resnet", hyperparameters: ["base_width": 8]))
let options = SoundTrainingOptions(positiveLabel: data.labels.contains("cough") ? "cough" : nil)
let run = try SoundClassifier.train(base: base, on: data,
                                    recipe: TransferRecipe(headEpochs: 8, headLearningRate: 3e-3, batchSize: 16, quiet: true),
                                    options: options)
for issue in run.skipped { print("skipped", issue) }
if let v = run.validation { print("validation accuracy", v.metrics.accuracy, "ROC-AUC", v.rocAUC ?? .nan) }
try run.bundle.write(to: "detector.graft")

let detector = try SoundClassifier(bundlePath: "detector.graft")
for event in try detector.events(file: recording) {
  print(event.start, event.end, event.label, event.score)
}
