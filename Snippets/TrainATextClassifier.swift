// docs/text.md's classifier example: train on pretrained vectors, bundle, reload, predict,
// evaluate with an HTML report.
import GraftCore
import GraftText

do {
  let data = try TextDataset.load("reviews.tsv")  // or a folder per class
  let glove = try EmbeddingTable.load("glove.6B.50d.txt")
  var options = TextTrainingOptions()
  options.hiddenSize = 64  // defaults: BiLSTM 128, max pooling, word logits
  let recipe = TextClassifier.recipe(fineTuneEmbeddingsEpochs: 2)  // embeddings frozen, then fine-tuned at lr/10
  let (classifier, report) = try TextClassifier.train(base: glove, on: data, recipe: recipe, options: options)
  print(report.coverage, report.validation.accuracy)
  try classifier.write(to: "sentiment.graft")
  let loaded = try TextClassifier(bundlePath: "sentiment.graft")  // needs nothing else
  print(loaded.predict(["what a lovely film"]))
  let test = try TextDataset.load("test.tsv", allowSingleClass: true)
  print(try loaded.evaluate(test).accuracy)
  let evaluation = try loaded.evaluation(of: test)  // + per-text predictions, issues
  let section = TextReport.section(evaluation: evaluation, bundle: "sentiment.graft", data: "test.tsv")
  try HTMLReport(title: "sentiment", sections: [section]).write(toDirectory: "report")
} catch {
  print(error)
}
