import Foundation
import GraftCore
import GraftDemo
import GraftText
import Testing
import _GraftTestSupport

@Suite struct Word2VecBinaryWriterTests {
  @Test func writesWhatTheBinaryReaderReadsBack() throws {
    let words = ["good", "bad", "naïve"]
    let values: [Float] = [1, -2, 0.5, 3.25, 0, 1e-3, -7, 2, 9, 8, 7, -6]
    let table = EmbeddingTable(words: words, vectors: Tensor(shape: [3, 4], values))
    let bytes = Word2VecBinaryWriter.encode(table)
    #expect(Array(bytes.prefix(4)) == Array("3 4\n".utf8))
    #expect(bytes.count == 4 + (5 + 16 + 1) + (4 + 16 + 1) + ("naïve".utf8.count + 1 + 16 + 1))
    let dir = try TemporaryDirectory("graft-demo")
    defer { dir.remove() }
    let path = dir.file("vectors.bin")
    try Word2VecBinaryWriter.write(table, to: path)
    #expect(try EmbeddingFormat.detect(path) == .word2vecBinary)
    let read = try EmbeddingTable.load(path)
    #expect(read.words == words)
    #expect(read.vectors.scalars == values)
  }
}

@Suite struct TextSampleDataTests {
  /// The vectors place the sentiment words the training rows never use next to the ones they do.
  @Test func unseenSentimentWordsLandNearTheirPolarity() throws {
    let dir = try TemporaryDirectory("graft-demo")
    defer { dir.remove() }
    try TextSampleData.generate(root: dir.file("out"), seed: 5)
    let table = try EmbeddingTable.load(dir.file("out/text/embeddings.bin"), format: .word2vecBinary)
    func cosine(_ a: String, _ b: String) -> Float {
      let (x, y) = (table.vector(for: a)!, table.vector(for: b)!)
      let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
      let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return dot / (nx * ny)
    }
    func mean(_ word: String, _ group: [String]) -> Float { group.map { cosine(word, $0) }.reduce(0, +) / Float(group.count) }
    for w in TextSampleData.unseenPositive {
      #expect(mean(w, TextSampleData.seenPositive) > mean(w, TextSampleData.seenNegative), "\(w)")
    }
    for w in TextSampleData.unseenNegative {
      #expect(mean(w, TextSampleData.seenNegative) > mean(w, TextSampleData.seenPositive), "\(w)")
    }
    let train = try TextDataset.load(dir.file("out/text/train.tsv"))
    #expect(train.count == TextSampleData.trainRows && train.labels == ["negative", "positive"])
    let unseen = Set(TextSampleData.unseenPositive + TextSampleData.unseenNegative)
    #expect(!train.texts.contains { $0.split(separator: " ").contains { unseen.contains(String($0)) } })
  }
}
