import Foundation
import GraftText
import Testing

/// The shared real-data GloVe subset (`../shared/datasets/glove_6B_50d_10k`, see its README):
/// imported and compared with gensim 4.4.0's `load_word2vec_format(no_header=True)` and
/// `most_similar`, whose figures are quoted below. Skipped when the folder is absent.
@Suite struct GloVeRealDataTests {
  static let path = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("../shared/datasets/glove_6B_50d_10k/glove.6B.50d.10k.txt").standardized.path
  static let present = FileManager.default.fileExists(atPath: path)

  @Test(.enabled(if: present, "../shared/datasets/glove_6B_50d_10k is absent: real-data GloVe check skipped"))
  func importsAndFindsKnownNeighbours() throws {
    #expect(try EmbeddingFormat.detect(Self.path) == .glove)
    let table = try EmbeddingTable.load(Self.path)
    #expect(table.count == 10_000 && table.dimension == 50)
    #expect(Array(table.words.prefix(3)) == ["the", ",", "."] && table.words.last == "quinn")
    #expect(Array(try #require(table.vector(for: "the")).prefix(3)) == [0.418, 0.24968, -0.41242])
    // gensim: [('prince', 0.8236179), ('queen', 0.7839043), ('ii', 0.7746230), ('emperor', 0.7736248), ('son', 0.7667194)]
    let king = try #require(table.nearest(to: "king", k: 5))
    #expect(king.map(\.word) == ["prince", "queen", "ii", "emperor", "son"])
    for (n, s) in zip(king, [0.8236179, 0.7839043, 0.7746230, 0.7736248, 0.7667194] as [Float]) {
      #expect(Swift.abs(n.similarity - s) < 1e-5, "\(n.word)")
    }
    #expect(try #require(table.nearest(to: "france", k: 3)).map(\.word) == ["french", "belgium", "paris"])
    // The sum of all values, as gensim's float32 `vectors.sum()` = 1298.4565.
    var sum: Double = 0
    for v in table.vectors.scalars { sum += Double(v) }
    #expect(Swift.abs(sum - 1298.4565) < 0.05)
  }

  @Test(.enabled(if: present, "../shared/datasets/glove_6B_50d_10k is absent: real-data GloVe check skipped"))
  func coversATokenizedSentence() throws {
    let table = try EmbeddingTable.load(Self.path)
    let tokens = Tokenizer().tokenize("The King's speech wasn't boring: 3.5 stars, e.g. at the U.S. premiere!")
    let vocabulary = Vocabulary(counting: [tokens])
    let coverage = table.coverage(of: vocabulary)
    // GloVe 6B is lowercased and PTB-tokenized, so the clitics and punctuation are found;
    // "boring" is one of the sentiment words the 10k subset lacks (see the dataset README).
    #expect(tokens == ["the", "king", "'s", "speech", "was", "n't", "boring", ":", "3.5", "stars", ",",
                       "e.g.", "at", "the", "u.s.", "premiere", "!"])
    #expect(coverage.total == 16 && coverage.found == 15 && coverage.sampleMissing == ["boring"])
  }
}
