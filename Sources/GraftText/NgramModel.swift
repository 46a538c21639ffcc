import Foundation
import GraftCore

/// Logistic regression on TF-IDF of words and word pairs (`TextBaseline`'s model), kept beside a
/// text classifier's LSTM: the classifier's probabilities are `(1 − blend) · LSTM + blend · this`,
/// with `blend` chosen on the validation split (`blendWeight`). Bag-of-words models are strong on
/// short opinionated texts (on sentiment_vader the n-gram regression alone scores about as well as
/// the BiLSTM on frozen GloVe) and make different mistakes, so the average beats both.
///
/// Stored in the bundle: `preprocessing["ngram_model"]` = `{"terms": [...], "blend": b, "l2": λ}`
/// and the tensors `ngram.weight` [classes, terms], `ngram.bias` [classes], `ngram.idf` [terms].
/// Terms are tokens of the classifier's tokenizer, a pair joined by one space, compared by bytes.
public struct NgramModel {
  public let terms: [String]
  /// Smooth idf per term (`TextBaseline.vocabulary`).
  public let idf: [Float]
  /// [classes, terms].
  public let weight: Tensor
  /// [classes].
  public let bias: Tensor
  /// The L2 strength it was fitted with (for the record).
  public let l2: Double
  /// This model's share of the blended probabilities, in [0, 1].
  public var blend: Float
  let vocabulary: TextBaseline.Vocabulary
  /// `weight` then `bias` in Double, the layout `SparseRows.softmaxProbabilities` reads.
  let parameters: [Double]

  public var classCount: Int { bias.count }

  public init(terms: [String], idf: [Float], weight: Tensor, bias: Tensor, l2: Double, blend: Float) {
    precondition(terms.count == idf.count && weight.rank == 2 && weight.shape == [bias.count, terms.count],
                 "NgramModel: \(terms.count) terms, \(idf.count) idf, weight \(weight.shape), bias \(bias.shape)")
    self.terms = terms
    self.idf = idf
    self.weight = weight
    self.bias = bias
    self.l2 = l2
    self.blend = blend
    var index: [[UInt8]: Int] = [:]
    for (i, term) in terms.enumerated() { index[Array(term.utf8)] = i }
    vocabulary = TextBaseline.Vocabulary(index: index, idf: idf)
    parameters = (weight.scalars + bias.scalars).map(Double.init)
  }

  /// The model of `TextBaseline.fit`'s parameters (W [k, d] then b [k]) over `vocabulary`.
  init(vocabulary: TextBaseline.Vocabulary, parameters: [Double], classCount k: Int, l2: Double) {
    let d = vocabulary.idf.count
    precondition(parameters.count == k * d + k, "NgramModel: \(parameters.count) parameters for \(k) × \(d)")
    var terms = [String](repeating: "", count: d)
    for (bytes, j) in vocabulary.index { terms[j] = String(decoding: bytes, as: UTF8.self) }
    self.init(terms: terms, idf: vocabulary.idf, weight: Tensor(shape: [k, d], parameters[0..<(k * d)].map(Float.init)),
              bias: Tensor(shape: [k], parameters[(k * d)...].map(Float.init)), l2: l2, blend: 0)
  }

  /// Class probabilities of each text (softmax of the regression's logits).
  public func probabilities(_ texts: [String], tokenizer: Tokenizer) -> [[Float]] {
    TextBaseline.rows(texts.map { TextBaseline.terms($0, tokenizer) }, vocabulary)
      .softmaxProbabilities(classCount: classCount, parameters: parameters)
  }

  /// `(1 − weight) · a + weight · b`, per class.
  public static func blended(_ a: [Float], _ b: [Float], weight: Float) -> [Float] {
    zip(a, b).map { (1 - weight) * $0 + weight * $1 }
  }

  /// Training considers a blend only when every class has at least this many validation texts:
  /// on fewer, the weight would be chosen on noise.
  public static let minimumValidationPerClass = 20

  /// The blend weights tried, 0 to 1 by 0.05.
  public static let blendGrid: [Float] = (0...20).map { Float($0) / 20 }

  /// The weight of `blendGrid` whose blend of `lstm` and `ngram` (probabilities per text) has the
  /// lowest mean log-loss on `labels`; ties go to the smaller weight (0: the LSTM alone).
  public static func blendWeight(lstm: [[Float]], ngram: [[Float]], labels: [Int]) -> (weight: Float, loss: Double) {
    precondition(lstm.count == ngram.count && lstm.count == labels.count, "NgramModel.blendWeight: row counts differ")
    var best: (weight: Float, loss: Double) = (0, .infinity)
    for w in blendGrid {
      var loss = 0.0
      for i in labels.indices {
        let p = (1 - w) * lstm[i][labels[i]] + w * ngram[i][labels[i]]
        loss -= Foundation.log(max(Double(p), 1e-12))
      }
      loss /= Double(max(labels.count, 1))
      if loss < best.loss { best = (w, loss) }
    }
    return best
  }

  // MARK: Bundle

  static let configKey = "ngram_model"
  static let tensorPrefix = "ngram."

  var json: JSONValue {
    .object(["terms": .array(terms.map { .string($0) }), "blend": .number(Double(blend)), "l2": .number(l2)])
  }

  var tensors: [String: Tensor] {
    ["ngram.weight": weight, "ngram.bias": bias, "ngram.idf": Tensor(shape: [idf.count], idf)]
  }

  /// The model a bundle stores: `settings` (its `preprocessing.ngram_model`) and `tensors`.
  init(settings s: SettingsDecoder, tensors: [String: Tensor], classCount: Int) throws(SettingsError) {
    let terms = try s.strings("terms")
    let blend = try s.double("blend"), l2 = try s.double("l2")
    guard blend >= 0 && blend <= 1 else { throw s.error("blend", "a number from 0 to 1") }
    guard Set(terms.map { Array($0.utf8) }).count == terms.count else { throw s.error("terms", "distinct strings") }
    guard let w = tensors["ngram.weight"], let b = tensors["ngram.bias"], let idf = tensors["ngram.idf"] else {
      throw .rule("ngram_model without the tensors ngram.weight, ngram.bias and ngram.idf")
    }
    guard w.shape == [classCount, terms.count], b.shape == [classCount], idf.shape == [terms.count] else {
      throw .rule("ngram tensors \(w.shape), \(b.shape), \(idf.shape) do not fit \(classCount) classes × \(terms.count) terms")
    }
    guard (w.scalars + b.scalars + idf.scalars).allSatisfy(\.isFinite) else { throw .rule("ngram tensors hold non-finite values") }
    self.init(terms: terms, idf: idf.scalars, weight: w, bias: b, l2: l2, blend: Float(blend))
  }
}
