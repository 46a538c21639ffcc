import Foundation
import GraftCore
import GraftText
import Testing
import _GraftTestSupport

@Suite struct EmbeddingTableTests {
  typealias F = EmbeddingFixtures

  /// Every well-formed file loads to exactly what gensim loads, in auto and explicit format.
  @Test(arguments: [
    ("vectors.bin", EmbeddingFormat.word2vecBinary),
    ("newlines.bin", .word2vecBinary),
    ("vectors.txt", .word2vecText),
    ("vectors.vec", .fasttext),
    ("vectors.glove.txt", .glove),
  ])
  func matchesGensim(file: String, format: EmbeddingFormat) throws {
    let expected = try #require(F.gensim(file))
    #expect(try EmbeddingFormat.detect(F.path(file)) == format)
    for chosen in [nil, format] {
      let table = try EmbeddingTable.load(F.path(file), format: chosen)
      #expect(table.words == expected.words)
      #expect(table.count == 8 && table.dimension == 4)
      #expect(table.vectors.scalars == expected.vectors.flatMap { $0 }, "\(file): values differ from gensim's")
    }
  }

  @Test func invalidUTF8PoliciesMatchGensim() throws {
    for file in ["invalid_utf8.txt", "invalid_utf8.bin"] {
      for policy in [EmbeddingLoadOptions.UnicodeErrorPolicy.replace, .ignore] {
        let expected = try #require(F.gensim("\(file):\(policy.rawValue)"))
        let table = try EmbeddingTable.load(F.path(file), options: EmbeddingLoadOptions(unicodeErrors: policy))
        #expect(table.words == expected.words, "\(file) \(policy)")
        #expect(table.vectors.scalars == expected.vectors.flatMap { $0 })
      }
    }
  }

  @Test func limitReadsTheFirstRows() throws {
    let expected = try #require(F.gensim("vectors.txt:limit=3"))
    for file in ["vectors.txt", "vectors.bin", "vectors.glove.txt"] {
      let table = try EmbeddingTable.load(F.path(file), options: EmbeddingLoadOptions(limit: 3))
      #expect(table.words == expected.words && table.vectors.scalars == expected.vectors.flatMap { $0 }, "\(file)")
    }
    // A limit stops reading, so rows past it are not checked (a bad row 4 is never seen).
    #expect(try EmbeddingTable.load(F.path("wrong_dim.txt"), options: EmbeddingLoadOptions(limit: 3)).count == 3)
    #expect(try EmbeddingTable.load(F.path("count_too_small.txt"), options: EmbeddingLoadOptions(limit: 7)).count == 7)
    #expect(try EmbeddingTable.load(F.path("vectors.txt"), options: EmbeddingLoadOptions(limit: 0)).count == 0)
  }

  @Test func duplicatePolicies() throws {
    let path = F.path("duplicate.txt")
    let first = try EmbeddingTable.load(path)
    #expect(first.count == 7 && first.words.last == "😀")
    #expect(first.vector(for: "the") == F.gensim("vectors.txt")?.vectors[0])
    let last = try EmbeddingTable.load(path, options: EmbeddingLoadOptions(duplicates: .keepLast))
    #expect(last.count == 7 && last.index(of: "the") == 0 && last.vector(for: "the") == [9, 9, 9, 9])
    #expect(throws: EmbeddingFormatError(path: path, reason: .duplicateWord("the", at: .line(9), first: .line(2)))) {
      try EmbeddingTable.load(path, options: EmbeddingLoadOptions(duplicates: .error))
    }
  }

  @Test func lowercaseMerge() throws {
    let path = F.path("vectors.txt")
    let exact = try EmbeddingTable.load(path)
    let apple = try #require(exact.vector(for: "apple")), upper = try #require(exact.vector(for: "Apple"))
    let first = try EmbeddingTable.load(path, options: EmbeddingLoadOptions(lowercase: .keepFirst))
    #expect(first.words == ["the", "apple", "café", "naïve", "日本", "😀", "king"])
    #expect(first.vector(for: "apple") == upper)  // "Apple" is the first row of "apple"
    let average = try EmbeddingTable.load(path, options: EmbeddingLoadOptions(lowercase: .average))
    assertClose(try #require(average.vector(for: "apple")), zip(apple, upper).map { ($0 + $1) / 2 }, tolerance: 1e-7)
    #expect(average.vector(for: "the") == exact.vector(for: "the"))
  }

  @Test func lookupAndNearest() throws {
    let table = try EmbeddingTable.load(F.path("vectors.bin"))
    #expect(table.vector(for: "missing") == nil && table.nearest(to: "missing", k: 3) == nil)
    #expect(table.vector(for: "日本")?.count == 4)
    // "Apple" = 2 × "apple" + 0.5, so it is apple's nearest neighbour; brute-force cosine agrees.
    let neighbours = try #require(table.nearest(to: "apple", k: 3))
    #expect(neighbours.count == 3 && neighbours[0].word == "Apple")
    let q = try #require(table.vector(for: "apple"))
    func cosine(_ a: [Float], _ b: [Float]) -> Float {
      let dot = zip(a, b).map(*).reduce(0, +)
      return dot / (a.map { $0 * $0 }.reduce(0, +).squareRoot() * b.map { $0 * $0 }.reduce(0, +).squareRoot())
    }
    let brute = table.words.filter { $0 != "apple" }
      .map { ($0, cosine(q, table.vector(for: $0)!)) }.sorted { $0.1 > $1.1 }
    #expect(neighbours.map(\.word) == brute.prefix(3).map(\.0))
    for (n, b) in zip(neighbours, brute) { #expect(Swift.abs(n.similarity - b.1) < 1e-5) }
    #expect(table.nearest(to: "apple", k: 100)?.count == 7)
    #expect(table.nearest(to: [0, 0, 0, 0], k: 2).map(\.similarity) == [0, 0])
  }

  @Test func coverageAndEmbeddingMatrix() throws {
    let table = try EmbeddingTable.load(F.path("vectors.txt"))
    let vocabulary = Vocabulary(words: ["the", "dog", "apple", "cat", "😀"])
    let coverage = table.coverage(of: vocabulary)
    #expect(coverage.total == 5 && coverage.found == 3 && coverage.missing == 2 && coverage.sampleMissing == ["dog", "cat"])
    #expect(Swift.abs(coverage.rate - 0.6) < 1e-12)
    #expect(table.coverage(of: vocabulary, sampleSize: 1).sampleMissing == ["dog"])

    let zero = table.embeddingMatrix(for: vocabulary, oov: .zero)
    #expect(zero.shape == [7, 4])
    let rows = (0..<7).map { Array(zero.scalars[$0 * 4..<($0 + 1) * 4]) }
    #expect(rows[0] == [0, 0, 0, 0] && rows[1] == [0, 0, 0, 0] && rows[3] == [0, 0, 0, 0])
    #expect(rows[2] == table.vector(for: "the") && rows[4] == table.vector(for: "apple") && rows[6] == table.vector(for: "😀"))

    let random = table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 3, std: 0.5))
    let again = table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 3, std: 0.5))
    #expect(random.scalars == again.scalars)
    let randomRows = (0..<7).map { Array(random.scalars[$0 * 4..<($0 + 1) * 4]) }
    #expect(randomRows[0] == [0, 0, 0, 0] && randomRows[2] == rows[2])
    // <unk>, dog, cat: drawn in vocabulary order from Generator(seed: 3) with std 0.5.
    var generator = Generator(seed: 3)
    var expected = [Float](repeating: 0, count: 12)
    for r in 0..<3 { expected.withUnsafeMutableBufferPointer { generator.fillNormal(.init(rebasing: $0[r * 4..<(r + 1) * 4]), std: 0.5) } }
    #expect(randomRows[1] + randomRows[3] + randomRows[5] == expected)
    #expect(table.embeddingMatrix(for: vocabulary, oov: .randomNormal(seed: 4)).scalars != random.scalars)
  }

  @Test func initFromTensor() {
    let table = EmbeddingTable(words: ["a", "b"], vectors: Tensor(shape: [2, 2], [1, 0, 0, 1]))
    #expect(table.index(of: "b") == 1 && table.vector(for: "a") == [1, 0] && table.dimension == 2)
  }
}
