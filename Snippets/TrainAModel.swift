// The README's first example: build, run, differentiate, summarise.
import GraftCore

var g = Generator(seed: 42)
let model = Sequential(Linear(2, 64, using: &g), ReLU(), Linear(64, 3, using: &g))
let x = Tensor.randomNormal([8, 2], using: &g)
let loss = crossEntropy(logits: model(x), labels: [0, 1, 2, 0, 1, 2, 0, 1])
loss.backward()
print(model.parameters().map { $0.grad != nil })
print(model.summary(input: x))
