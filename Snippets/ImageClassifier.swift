// docs/vision.md, section 5, on generated data: write a tiny PNG folder, train an
// ImageClassifier on a small random ResNet, save the bundle, load it back, predict, report.
import Foundation
import GraftCore
import GraftVision

let root = FileManager.default.temporaryDirectory.appendingPathComponent("graft-snippet-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: root) }
var g = Generator(seed: 1)
for (channel, name) in ["blue", "green", "red"].enumerated() {
  try FileManager.default.createDirectory(atPath: "\(root)/train/\(name)", withIntermediateDirectories: true)
  for i in 0..<6 {
    let samples = (0..<(16 * 16 * 3)).map { UInt8($0 % 3 == 2 - channel ? 200 + g.int(below: 50) : g.int(below: 50)) }
    try PNGEncoder.write(Image(width: 16, height: 16, channels: 3, samples: samples), to: "\(root)/train/\(name)/\(i).png")
  }
}
// A real run: base: .weights("resnet18.pth", architecture: ArchitectureSpec(name: "resnet18")), or a .tflite alone
let training = try ImageClassifier.train(
  base: .scratch(ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 8])), on: "\(root)/train",
  recipe: TransferRecipe(headEpochs: 20, headLearningRate: 0.05, batchSize: 8, quiet: true),
  preprocessing: ImageFolder.Preprocessing(width: 16, height: 16))
print(training.report)
try training.bundle.write(to: "\(root)/colours.graft")
let classifier = try ImageClassifier(bundlePath: "\(root)/colours.graft")
print(try classifier.predict(file: "\(root)/train/red/0.png", top: 2))

// Per-file predictions and the HTML report (docs/vision.md, "The HTML report").
let tested = try classifier.evaluateFolder(on: "\(root)/train")
print(tested.predictions.filter { !$0.isCorrect }.map(\.path))
let page = try HTMLReport(title: "colours.graft", sections: [
  training.reportSection(facts: [ReportFact("data", "\(root)/train")]),
  classifier.reportSection(for: tested, heading: "Train folder"),
]).write(toDirectory: "\(root)/report")
print(page)

// The augmentation sheet of `graft vision preview`.
let folder = try ImageFolder(root: "\(root)/train", preprocessing: .init(width: 16, height: 16))
let sheet = try AugmentationPreview(folder: folder, augmentation: Augmentation([.horizontalFlip(), .rotation(maxDegrees: 15)]),
                                    count: 9, size: 16, seed: 42)
try PNGEncoder.write(sheet.image, to: "\(root)/grid.png")
