import GraftCore

/// A word and its cosine similarity to a query.
public struct Neighbour: Equatable, Sendable, Codable {
  public let word: String
  public let similarity: Float

  public init(word: String, similarity: Float) {
    self.word = word
    self.similarity = similarity
  }
}

/// How much of a vocabulary a table covers (special tokens not counted).
public struct EmbeddingCoverage: Equatable, Sendable, Codable {
  /// Vocabulary entries checked (all but `<pad>` and `<unk>`).
  public let total: Int
  /// Entries the table has a vector for.
  public let found: Int
  /// Entries it has none for (out of vocabulary).
  public var missing: Int { total - found }
  /// `found / total`; 1 for an empty vocabulary.
  public var rate: Double { total == 0 ? 1 : Double(found) / Double(total) }
  /// The first missing entries, in vocabulary order (most frequent first).
  public let sampleMissing: [String]
}

/// How `embeddingMatrix(for:oov:)` fills the rows of words the table lacks.
public enum OOVInitialization: Equatable, Sendable {
  /// Zeros.
  case zero
  /// N(0, std²) from `Generator(seed:)`, drawn row by row in vocabulary order; `std: nil` uses
  /// the standard deviation of all the table's values, so new rows have the same scale.
  case randomNormal(seed: UInt64, std: Float? = nil)
}

extension EmbeddingTable {
  /// The `k` words most similar to `word` by cosine similarity, best first (ties: file
  /// order), `word` itself left out, as gensim's `most_similar(word, topn=k)`; nil when the
  /// table lacks `word`.
  public func nearest(to word: String, k: Int) -> [Neighbour]? {
    guard let row = index(of: word) else { return nil }
    let query = Array(UnsafeBufferPointer(start: vectors.data + row * dimension, count: dimension))
    return nearest(to: query, k: k, excluding: [row])
  }

  /// The `k` rows most similar to `query` by cosine similarity, best first (ties: file order),
  /// rows in `excluding` left out. A zero vector has similarity 0 to everything.
  public func nearest(to query: [Float], k: Int, excluding: Set<Int> = []) -> [Neighbour] {
    precondition(query.count == dimension, "nearest: query of \(query.count) values, table dimension \(dimension)")
    precondition(k >= 0, "nearest: negative k \(k)")
    guard k > 0 else { return [] }
    let d = dimension
    var queryNorm: Float = 0
    for v in query { queryNorm += v * v }
    queryNorm = queryNorm.squareRoot()
    var best: [(row: Int, similarity: Float)] = []
    best.reserveCapacity(k + 1)
    query.withUnsafeBufferPointer { q in
      for row in 0..<count where !excluding.contains(row) {
        let r = vectors.data + row * d
        var dot: Float = 0
        var norm: Float = 0
        for j in 0..<d {
          dot += q[j] * r[j]
          norm += r[j] * r[j]
        }
        let denominator = queryNorm * norm.squareRoot()
        let similarity = denominator > 0 ? dot / denominator : 0
        if best.count == k, let last = best.last, !(similarity > last.similarity) { continue }
        var position = best.count
        while position > 0 && similarity > best[position - 1].similarity { position -= 1 }
        best.insert((row, similarity), at: position)
        if best.count > k { best.removeLast() }
      }
    }
    return best.map { Neighbour(word: words[$0.row], similarity: $0.similarity) }
  }

  /// Which entries of `vocabulary` (special tokens aside) have a vector here, exact match.
  public func coverage(of vocabulary: Vocabulary, sampleSize: Int = 10) -> EmbeddingCoverage {
    var found = 0
    var sample: [String] = []
    let entries = vocabulary.tokens.dropFirst(2)
    for token in entries {
      if contains(token) {
        found += 1
      } else if sample.count < sampleSize {
        sample.append(token)
      }
    }
    return EmbeddingCoverage(total: entries.count, found: found, sampleMissing: sample)
  }

  /// A [vocabulary.count, dimension] matrix for an `Embedding` layer: row `i` is the vector of
  /// `vocabulary[i]` (exact match), the `<pad>` row is zero, and words the table lacks (`<unk>`
  /// included, unless the table has that word) are filled as `oov` says.
  public func embeddingMatrix(for vocabulary: Vocabulary, oov: OOVInitialization) -> Tensor {
    let d = dimension
    let matrix = Tensor.zeros([vocabulary.count, d])
    var generator: Generator?
    var std: Float = 1
    if case .randomNormal(let seed, let given) = oov {
      generator = Generator(seed: seed)
      std = given ?? valueStandardDeviation()
    }
    for (i, token) in vocabulary.tokens.enumerated() where i != Vocabulary.paddingIndex {
      let target = matrix.data + i * d
      if let row = index(of: token) {
        target.update(from: vectors.data + row * d, count: d)
      } else if generator != nil {
        generator!.fillNormal(UnsafeMutableBufferPointer(start: target, count: d), mean: 0, std: std)
      }
    }
    return matrix
  }

  /// Standard deviation of all values (1 for an empty table).
  func valueStandardDeviation() -> Float {
    guard vectors.count > 1 else { return 1 }
    var sum: Double = 0
    var squares: Double = 0
    for i in 0..<vectors.count {
      let v = Double(vectors.data[i])
      sum += v
      squares += v * v
    }
    let n = Double(vectors.count)
    let variance = max(0, squares / n - (sum / n) * (sum / n))
    return variance > 0 ? Float(variance.squareRoot()) : 1
  }
}
