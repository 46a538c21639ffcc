import Foundation
import GraftCore
import GraftText

/// The text part of `SampleData/`: a small sentiment task (`text/train.tsv`, `text/test.tsv`,
/// sentences generated from templates) and word vectors in word2vec binary format
/// (`text/embeddings.bin`) trained on a larger generated, unlabelled corpus by PPMI + truncated
/// SVD of word co-occurrence counts.
///
/// The training rows use only half of the sentiment words; the test rows also use the other
/// half, which only the corpus (hence the vectors) has seen, next to the same cue words ("loved",
/// "regret") as their seen counterparts. A model on the pretrained vectors can place them; one
/// trained from scratch cannot. `runDemo` measures that.
public enum TextSampleData {
  public static let seenPositive = ["good", "great", "excellent", "wonderful", "enjoyable", "pleasant", "superb", "delightful"]
  public static let unseenPositive = ["fantastic", "brilliant", "lovely", "charming", "marvelous", "terrific", "splendid",
                                      "fabulous"]
  public static let seenNegative = ["bad", "terrible", "awful", "boring", "dreadful", "poor", "horrible", "dull"]
  public static let unseenNegative = ["disappointing", "mediocre", "lousy", "tedious", "atrocious", "abysmal", "miserable",
                                      "pathetic"]
  static let nouns = ["movie", "film", "plot", "acting", "story", "soundtrack", "ending", "cast", "script", "dialogue",
                      "camera", "pacing"]
  static let positiveCues = ["loved", "love", "recommend", "happy", "smiled", "enjoyed", "fun", "beautiful"]
  static let negativeCues = ["hated", "hate", "avoid", "sad", "waste", "regret", "angry", "ugly"]
  static let intensifiers = ["really", "very", "quite", "truly", "so"]
  public static let trainRows = 160
  public static let testRows = 200
  public static let corpusSentences = 30_000
  public static let dimension = 24

  /// One review sentence whose sentiment words come from `adjectives`.
  static func sentence(adjectives: [String], using g: inout Generator) -> [String] {
    func pick(_ a: [String]) -> String { a[g.int(below: a.count)] }
    let a = pick(adjectives), a2 = pick(adjectives), n = pick(nouns), n2 = pick(nouns), i = pick(intensifiers)
    let shapes: [[String]] = [
      ["the", n, "was", a],
      ["what", "a", a, n],
      ["i", "thought", "the", n, "was", i, a],
      ["the", n, "is", a, "and", "the", n2, "is", a2],
      ["a", i, a, n, "with", "a", a2, n2],
      ["the", n, "felt", a, "overall"],
      ["honestly", "the", n, "was", i, a],
    ]
    return shapes[g.int(below: shapes.count)]
  }

  /// Labelled rows: `unseenShare` of them use only the sentiment words the training rows never use.
  static func rows(_ count: Int, unseenShare: Double, using g: inout Generator) -> [(String, String)] {
    (0..<count).map { k in
      let positive = k % 2 == 0
      let unseen = g.nextUnit() < unseenShare
      let words = positive ? (unseen ? unseenPositive : seenPositive) : (unseen ? unseenNegative : seenNegative)
      return (sentence(adjectives: words, using: &g).joined(separator: " "),
              positive ? "positive" : "negative")
    }
  }

  /// The unlabelled corpus: review sentences with any sentiment word, followed by a cue clause of
  /// the same polarity.
  static func corpus(_ count: Int, using g: inout Generator) -> [[String]] {
    (0..<count).map { _ in
      let positive = g.nextUnit() < 0.5
      let words = positive ? seenPositive + unseenPositive : seenNegative + unseenNegative
      let cues = positive ? positiveCues : negativeCues
      var s = sentence(adjectives: words, using: &g)
      let cue = cues[g.int(below: cues.count)]
      switch g.int(below: 3) {
      case 0: s += ["i", cue, "it"]
      case 1: s = [cue] + s
      default: s += ["so", cue, "and", words[g.int(below: words.count)]]
      }
      return s
    }
  }

  /// Word vectors for every word of `sentences`: positive pointwise mutual information of
  /// co-occurrence within `window` words, projected on its top `dimension` singular directions
  /// (randomized subspace iteration, seeded), each vector scaled to unit length.
  public static func trainEmbeddings(_ sentences: [[String]], dimension: Int, window: Int = 3, seed: UInt64) -> EmbeddingTable {
    var index: [String: Int] = [:], words: [String] = []
    for s in sentences {
      for w in s where index[w] == nil {
        index[w] = words.count
        words.append(w)
      }
    }
    let v = words.count
    var counts = [Double](repeating: 0, count: v * v)
    for s in sentences {
      let ids = s.map { index[$0]! }
      for (p, a) in ids.enumerated() {
        for q in max(0, p - window)..<min(ids.count, p + window + 1) where q != p { counts[a * v + ids[q]] += 1 }
      }
    }
    let rowSums = (0..<v).map { r in (0..<v).reduce(0.0) { $0 + counts[r * v + $1] } }
    let total = rowSums.reduce(0, +)
    var ppmi = [Double](repeating: 0, count: v * v)
    for r in 0..<v {
      for c in 0..<v where counts[r * v + c] > 0 {
        ppmi[r * v + c] = max(0, log(counts[r * v + c] * total / (rowSums[r] * rowSums[c])))
      }
    }
    // Subspace iteration on the symmetric PPMI matrix: Q ← orth(M Q), a few rounds.
    let k = min(dimension, v)
    var g = Generator(seed: seed)
    var q = (0..<(v * k)).map { _ in Double(g.normalPair().0) }
    func multiply(_ x: [Double]) -> [Double] {
      var y = [Double](repeating: 0, count: v * k)
      for r in 0..<v {
        for c in 0..<v where ppmi[r * v + c] != 0 {
          let m = ppmi[r * v + c]
          for j in 0..<k { y[r * k + j] += m * x[c * k + j] }
        }
      }
      return y
    }
    func orthonormalize(_ x: inout [Double]) {
      for j in 0..<k {
        for p in 0..<j {
          var dot = 0.0
          for r in 0..<v { dot += x[r * k + j] * x[r * k + p] }
          for r in 0..<v { x[r * k + j] -= dot * x[r * k + p] }
        }
        var norm = 0.0
        for r in 0..<v { norm += x[r * k + j] * x[r * k + j] }
        norm = max(norm.squareRoot(), 1e-12)
        for r in 0..<v { x[r * k + j] /= norm }
      }
    }
    orthonormalize(&q)
    for _ in 0..<8 {
      q = multiply(q)
      orthonormalize(&q)
    }
    // Row r of M Q is word r's coordinates in the top singular subspace.
    let projected = multiply(q)
    let vectors = Tensor.zeros([v, k])
    for r in 0..<v {
      var norm = 0.0
      for j in 0..<k { norm += projected[r * k + j] * projected[r * k + j] }
      norm = max(norm.squareRoot(), 1e-12)
      for j in 0..<k { vectors.data[r * k + j] = Float(projected[r * k + j] / norm) }
    }
    return EmbeddingTable(words: words, vectors: vectors)
  }

  static func tsv(_ rows: [(String, String)]) -> [UInt8] {
    Array(("text\tlabel\n" + rows.map { "\($0.0)\t\($0.1)\n" }.joined()).utf8)
  }

  /// Writes `root/text/`: `train.tsv`, `test.tsv` and `embeddings.bin`.
  public static func generate(root: String, seed: UInt64 = 42) throws {
    let out = root + "/text"
    try? FileManager.default.removeItem(atPath: out)
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    var g = Generator(seed: seed)
    try AtomicFile.write(tsv(rows(trainRows, unseenShare: 0, using: &g)), to: out + "/train.tsv")
    try AtomicFile.write(tsv(rows(testRows, unseenShare: 0.5, using: &g)), to: out + "/test.tsv")
    let table = trainEmbeddings(corpus(corpusSentences, using: &g), dimension: dimension, seed: seed)
    try Word2VecBinaryWriter.write(table, to: out + "/embeddings.bin")
  }

  // MARK: Demo

  static var options: TextTrainingOptions {
    var o = TextTrainingOptions()
    o.hiddenSize = 32
    o.maxLength = 16
    o.validationFraction = 0
    o.layerDropout = 0
    o.headDropout = 0.2
    return o
  }

  /// Trains the sentiment task on `root/text/train.tsv` twice — an LSTM over the pretrained
  /// vectors (frozen, then a short fine-tune of the vectors), and the same LSTM over random
  /// vectors trained from scratch — and scores both on `root/text/test.tsv`.
  public static func runDemo(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true) throws
    -> DemoScenarioResult {
    try runDemoScenario(root: root, seed: seed, effort: effort, quiet: quiet).result
  }

  /// `runDemo`, and with `report` the sections of an HTML report: each model's training curves,
  /// test metrics and text grid.
  public static func runDemoScenario(root: String, seed: UInt64 = 42, effort: Double = 1, quiet: Bool = true,
                                     report: Bool = false) throws -> DemoScenarioRun {
    let start = Stopwatch.now()
    let dir = root + "/text"
    let train = try TextDataset.load(dir + "/train.tsv")
    let test = try TextDataset.load(dir + "/test.tsv")
    let pretrained = try EmbeddingTable.load(dir + "/embeddings.bin", format: .word2vecBinary)

    let epochs = max(1, Int((25 * effort).rounded())), fineTuneEpochs = max(1, Int((5 * effort).rounded()))
    var transferOptions = options
    transferOptions.vocabularyIncludesEmbeddingWords = true
    let transferRecipe = TextClassifier.recipe(epochs: epochs, learningRate: 1e-2, batchSize: 16,
                                               fineTuneEmbeddingsEpochs: fineTuneEpochs, seed: seed, quiet: quiet)
    let (transfer, transferTraining) = try TextClassifier.train(base: pretrained, on: train, recipe: transferRecipe,
                                                                options: transferOptions)

    let scratchRecipe = TextClassifier.recipe(epochs: epochs + fineTuneEpochs, learningRate: 1e-2, batchSize: 16,
                                              freezeEmbeddings: false, seed: seed, quiet: quiet)
    var g = Generator(seed: seed &+ 1)
    let random = EmbeddingTable(words: pretrained.words,
                                vectors: Tensor.randomNormal([pretrained.count, pretrained.dimension],
                                                             std: 1 / Float(pretrained.dimension).squareRoot(), using: &g))
    let (scratch, scratchTraining) = try TextClassifier.train(base: random, on: train, recipe: scratchRecipe, options: options)

    let transferTest = try transfer.evaluation(of: test), scratchTest = try scratch.evaluation(of: test)
    let result = DemoScenarioResult(name: "text", trainExamples: train.count, testExamples: test.count,
                                    transfer: .init(transferTest.metrics), scratch: .init(scratchTest.metrics),
                                    seconds: Stopwatch.now() - start)
    guard report else { return DemoScenarioRun(result: result) }
    func section(_ heading: String, _ evaluation: TextEvaluation, _ classifier: TextClassifier,
                 _ training: TextTrainingReport, embeddings: String) -> ReportSection {
      var s = TextReport.section(evaluation: evaluation, bundle: "(in memory)", data: dir + "/test.tsv",
                                 classifier: classifier, heading: heading)
      s.facts.insert(ReportFact("embeddings", embeddings), at: 0)
      s.stages = ReportStage.stages(training.history, named: "train", fineTune: training.fineTuneHistory)
      return s
    }
    return DemoScenarioRun(result: result, sections: [
      section("text: transfer (frozen word2vec embeddings), test split", transferTest, transfer, transferTraining,
              embeddings: dir + "/embeddings.bin"),
      section("text: from scratch (random trainable embeddings), test split", scratchTest, scratch, scratchTraining,
              embeddings: "random"),
    ])
  }

}
