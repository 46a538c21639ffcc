// The README's transfer example, on generated data: freeze a base, train a head on
// cached features, fine-tune the top block, read the metrics.
import GraftCore

var g = Generator(seed: 1)
let base = SmallCNN(inputChannels: 3, widths: [8, 16], using: &g)
// A real run loads pretrained weights: try base.load(SafeTensors.read("base.safetensors").tensors)
func images(_ count: Int, seed: UInt64) -> TensorDataset {
  var g = Generator(seed: seed)
  let x = Tensor.randomNormal([count, 3, 16, 16], using: &g)
  let labels = (0..<count).map { $0 % 2 }
  for i in 0..<count where labels[i] == 1 {  // class 1 is brighter
    for j in 0..<(3 * 16 * 16) { x.data[i * 768 + j] += 1 }
  }
  return TensorDataset(inputs: x, labels: labels)
}
let recipe = TransferRecipe(head: .linear, headEpochs: 40, headLearningRate: 0.05,
                            fineTune: FineTune(topBlocks: 1, epochs: 2), quiet: true)
let result = try recipe.run(base: base, classCount: 2, train: images(64, seed: 2), validation: images(32, seed: 3))
print("head accuracy", result.headEvaluation!.metrics.accuracy,
      "fine-tuned macro-F1", result.fineTuneEvaluation!.metrics.macroF1)
