// docs/text.md's classifier example: train on pretrained vectors, bundle, reload, predict.
import GraftText

do {
  let data = try TextDataset.load("reviews.tsv")  // or a folder per class
  let glove = try EmbeddingTable.load("glove.6B.50d.txt")
  var options = TextTrainingOptions()
  options.bidirectional = true
  options.pooling = .max
  options.fineTuneEmbeddingsEpochs = 2
  let (classifier, report) = try TextClassifier.train(on: data, embeddings: glove, options: options)
  print(report.coverage, report.validation.accuracy)
  try classifier.write(to: "sentiment.graft")
  let loaded = try TextClassifier(bundlePath: "sentiment.graft")  // needs nothing else
  print(loaded.predict(["what a lovely film"]))
  print(try loaded.evaluate(try TextDataset.load("test.tsv", allowSingleClass: true)).accuracy)
} catch {
  print(error)
}
