import Foundation
import GraftCore

/// The raw-input baseline of text training (`RawInputBaseline`): logistic regression on TF-IDF
/// of words and word pairs, on the run's own training and validation texts.
///
/// Features follow scikit-learn's `TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)`:
/// the run's tokenizer, unigrams and bigrams, term frequency 1 + ln(tf), smooth idf
/// ln((1 + n) / (1 + df)) + 1, each row scaled to unit length — restricted to the `maxFeatures`
/// terms of highest document frequency in the training split seen in at least two texts, so
/// the dense fit stays small. Terms are keyed by their bytes, never by canonical equivalence.
public enum TextBaseline {
  public static let defaultMaxFeatures = 2048

  public static func compare(trainTexts: [String], trainLabels: [Int], validationTexts: [String], validationLabels: [Int],
                             labels: [String], tokenizer: Tokenizer, maxFeatures: Int = defaultMaxFeatures)
    -> BaselineComparison? {
    guard !trainTexts.isEmpty, !validationTexts.isEmpty else { return nil }
    let trainTerms = trainTexts.map { terms($0, tokenizer) }
    let vocabulary = self.vocabulary(trainTerms, maxFeatures: maxFeatures)
    guard !vocabulary.index.isEmpty else { return nil }
    let x = matrix(trainTerms, vocabulary), vx = matrix(validationTexts.map { terms($0, tokenizer) }, vocabulary)
    return RawInputBaseline.fit(name: "logistic regression on TF-IDF of words and word pairs", train: x,
                                trainLabels: trainLabels, validation: vx, validationLabels: validationLabels,
                                classCount: labels.count, labels: labels)
  }

  /// Unigrams and bigrams (the two tokens' bytes joined by a space) of one text, by bytes.
  static func terms(_ text: String, _ tokenizer: Tokenizer) -> [[UInt8]] {
    let tokens = tokenizer.tokenize(text).map { Array($0.utf8) }
    var out = tokens
    if tokens.count > 1 { for i in 1..<tokens.count { out.append(tokens[i - 1] + [0x20] + tokens[i]) } }
    return out
  }

  struct Vocabulary {
    var index: [[UInt8]: Int]
    var idf: [Float]
  }

  /// The `maxFeatures` terms of highest document frequency (at least 2; ties by bytes), with idf.
  static func vocabulary(_ documents: [[[UInt8]]], maxFeatures: Int) -> Vocabulary {
    var df: [[UInt8]: Int] = [:]
    for doc in documents { for term in Set(doc) { df[term, default: 0] += 1 } }
    let kept = df.filter { $0.value >= 2 }.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key) }
      .prefix(maxFeatures)
    let n = Double(documents.count)
    var index: [[UInt8]: Int] = [:]
    var idf: [Float] = []
    for (i, (term, count)) in kept.enumerated() {
      index[term] = i
      idf.append(Float(log((1 + n) / (1 + Double(count))) + 1))
    }
    return Vocabulary(index: index, idf: idf)
  }

  /// [n, V] unit-length TF-IDF rows (a text with no known term is all zeros).
  static func matrix(_ documents: [[[UInt8]]], _ vocabulary: Vocabulary) -> Tensor {
    let width = vocabulary.idf.count
    let out = Tensor.zeros([documents.count, width])
    for (i, doc) in documents.enumerated() {
      var tf: [Int: Int] = [:]
      for term in doc { if let j = vocabulary.index[term] { tf[j, default: 0] += 1 } }
      let row = out.data + i * width
      var norm: Float = 0
      for (j, count) in tf {
        let v = (1 + log(Float(count))) * vocabulary.idf[j]
        row[j] = v
        norm += v * v
      }
      if norm > 0 { let s = 1 / norm.squareRoot(); for j in tf.keys { row[j] *= s } }
    }
    return out
  }
}
