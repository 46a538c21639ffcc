import Foundation
import GraftCore
@testable import GraftText
import Testing

/// The n-gram regression kept beside the LSTM: its probabilities, the blend weight chosen on
/// validation, the bundle round trip and a malformed bundle.
@Suite struct NgramModelTests {
  /// Texts whose label a word pair decides ("not good" negative, "good not" positive).
  static func pairs(_ count: Int) -> (texts: [String], labels: [Int]) {
    var texts: [String] = [], labels: [Int] = []
    for i in 0..<count {
      let negative = i % 2 == 0
      texts.append((negative ? "not good" : "good not") + " film \(["a", "b", "c", "d"][i % 4])")
      labels.append(negative ? 0 : 1)
    }
    return (texts, labels)
  }

  static func fitted() throws -> NgramModel {
    let (texts, labels) = pairs(40)
    return try #require(TextBaseline.fit(trainTexts: Array(texts[..<30]), trainLabels: Array(labels[..<30]),
                                         validationTexts: Array(texts[30...]), validationLabels: Array(labels[30...]),
                                         labels: ["neg", "pos"], tokenizer: Tokenizer())).model
  }

  @Test func probabilitiesAreTheSoftmaxOfTheRegression() throws {
    let model = try Self.fitted()
    let p = model.probabilities(["not good film a", "good not film b", "", "unseen words only"], tokenizer: Tokenizer())
    #expect(p[0][0] > 0.5 && p[1][1] > 0.5)
    #expect(p.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-5 })
    // No known term: the bias alone.
    let b = model.bias.scalars.map(Double.init), e = b.map { exp($0 - b.max()!) }
    #expect(abs(Double(p[2][0]) - e[0] / e.reduce(0, +)) < 1e-6 && p[2] == p[3])
    // By hand for one text: the unit-length TF-IDF row times the weights.
    let tokens = ["not", "good", "film", "a", "not good", "good film", "film a"]
    let known = tokens.compactMap { t in model.terms.firstIndex(of: t) }
    let norm = known.reduce(Float(0)) { $0 + model.idf[$1] * model.idf[$1] }.squareRoot()
    let z = (0..<2).map { c in Double(model.bias.scalars[c]) + known.reduce(0.0) {
      $0 + Double(model.weight.scalars[c * model.terms.count + $1] * model.idf[$1] / norm)
    } }
    let ez = z.map { exp($0 - z.max()!) }
    #expect(abs(Double(p[0][1]) - ez[1] / ez.reduce(0, +)) < 1e-5)
  }

  @Test func blendWeightIsChosenByValidationLogLoss() {
    let labels = [0, 1, 0, 1]
    let good: [[Float]] = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]]
    let useless: [[Float]] = Array(repeating: [0.5, 0.5], count: 4)
    #expect(NgramModel.blendWeight(lstm: good, ngram: useless, labels: labels).weight == 0)
    #expect(NgramModel.blendWeight(lstm: useless, ngram: good, labels: labels).weight == 1)
    // Each right where the other is unsure: an interior weight, lower loss than either alone.
    let a: [[Float]] = [[0.95, 0.05], [0.05, 0.95], [0.5, 0.5], [0.5, 0.5]]
    let b: [[Float]] = [[0.5, 0.5], [0.5, 0.5], [0.95, 0.05], [0.05, 0.95]]
    let mixed = NgramModel.blendWeight(lstm: a, ngram: b, labels: labels)
    #expect(mixed.weight == 0.5, "\(mixed)")
    #expect(mixed.loss < NgramModel.blendWeight(lstm: a, ngram: a, labels: labels).loss)
    #expect(NgramModel.blended([1, 0], [0, 1], weight: 0.25) == [0.75, 0.25])
  }

  @Test func aTrainedClassifierKeepsItsBlendThroughTheBundle() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try TextClassifierTests.fixture(dir, count: 200)  // 50 validation texts, 25 a class
    let (classifier, report) = try TextClassifier.train(base: table, on: dataset, recipe: TextClassifierTests.recipe(),
                                                        options: TextClassifierTests.options())
    let blend = try #require(report.blend)
    #expect(blend.weight >= 0 && blend.weight <= 1 && blend.metrics.count == report.validationCount)
    #expect((classifier.ngram != nil) == (blend.weight > 0))
    // Force a blend to test the stored form whatever the run chose.
    var ngram = try Self.fitted()
    let pairVocabulary = ngram.terms
    ngram = NgramModel(terms: pairVocabulary, idf: ngram.idf, weight: ngram.weight, bias: ngram.bias, l2: ngram.l2,
                       blend: 0.35)
    classifier.ngram = ngram
    let texts = ["this movie was wonderful", "not good film a", "", "good not"]
    let lstm = classifier.lstmProbabilities(texts), other = ngram.probabilities(texts, tokenizer: classifier.preprocessing.tokenizer)
    let blended = classifier.probabilities(texts)
    #expect(blended == zip(lstm, other).map { NgramModel.blended($0, $1, weight: 0.35) })
    #expect(blended != lstm)
    let path = dir.path("blend.graft")
    try classifier.write(to: path)
    let reloaded = try TextClassifier(bundlePath: path)
    #expect(reloaded.ngram?.blend == 0.35 && reloaded.ngram?.terms == pairVocabulary)
    #expect(reloaded.probabilities(texts) == blended)
    #expect(try ModelBundle.read(from: path).config.training["ngram_blend"]?["weight"] != nil)

    // --no-ngram-blend: no regression kept, no blend considered.
    var options = TextClassifierTests.options()
    options.ngramBlend = false
    let (alone, aloneReport) = try TextClassifier.train(base: table, on: dataset, recipe: TextClassifierTests.recipe(),
                                                        options: options)
    #expect(alone.ngram == nil && aloneReport.blend == nil && aloneReport.baseline != nil)
    // 120 texts: 15 validation texts a class, under `minimumValidationPerClass`: no blend.
    let small = try TextClassifierTests.fixture(dir, count: 120)
    let (_, smallReport) = try TextClassifier.train(base: small.1, on: small.0, recipe: TextClassifierTests.recipe(),
                                                    options: TextClassifierTests.options())
    #expect(smallReport.blend == nil && smallReport.baseline != nil)
  }

  @Test func malformedStoredRegressionsAreBundleErrors() throws {
    let dir = try TemporaryFolder()
    let (dataset, table) = try TextClassifierTests.fixture(dir, count: 40)
    let (classifier, _) = try TextClassifier.train(base: table, on: dataset, recipe: TextClassifierTests.recipe(epochs: 1),
                                                   options: TextClassifierTests.options())
    var ngram = try Self.fitted()
    ngram.blend = 0.5
    classifier.ngram = ngram
    let good = classifier.bundle
    func rejects(_ change: (inout ModelBundle) -> Void, _ why: String) throws {
      var bundle = good
      change(&bundle)
      let path = dir.path("bad-\(why).graft")
      try bundle.write(to: path)
      #expect(throws: BundleError.self, "\(why)") { try TextClassifier(bundlePath: path) }
    }
    try rejects({ $0.config.preprocessing["ngram_model"] = .object(["terms": .array([]), "blend": .number(2), "l2": .number(0)]) },
                "blend 2")
    try rejects({ $0.weights["ngram.weight"] = Tensor.zeros([3, ngram.terms.count]) }, "three classes")
    try rejects({ $0.weights["ngram.idf"] = nil }, "no idf")
    try rejects({ $0.config.preprocessing["ngram_model"] = nil }, "tensors without terms")
    var terms = ngram.terms
    terms[1] = terms[0]
    try rejects({ $0.config.preprocessing["ngram_model"] = .object(["terms": .array(terms.map { .string($0) }),
                                                                    "blend": .number(0.5), "l2": .number(0)]) }, "repeated term")
  }
}
