// docs/vision.md, section 5, on generated data: write a tiny PNG folder, train an
// ImageClassifier on a small random ResNet, save the bundle, load it back, predict.
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
// A real run: base: .weights(ArchitectureSpec(name: "resnet18"), path: "resnet18.safetensors")
let training = try ImageClassifier.train(
  base: .scratch(ArchitectureSpec(name: "resnet18", hyperparameters: ["width": 8])), on: "\(root)/train",
  recipe: TransferRecipe(headEpochs: 20, headLearningRate: 0.05, batchSize: 8, quiet: true),
  preprocessing: ImageFolder.Preprocessing(width: 16, height: 16))
print(training.report)
try training.bundle.write(to: "\(root)/colours.graft")
let classifier = try ImageClassifier(bundleAt: "\(root)/colours.graft")
print(try classifier.predict(file: "\(root)/train/red/0.png", top: 2))
