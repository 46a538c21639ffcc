import GraftCore
@testable import GraftText
import Testing

@Suite struct TextBaselineTests {
  @Test func termsAreWordsAndWordPairsKeyedByBytes() {
    let terms = TextBaseline.terms("Not good", Tokenizer(normalizeNFKC: false))
    #expect(terms == [Array("not".utf8), Array("good".utf8), Array("not good".utf8)])
    // café in NFC and in NFD stay two terms.
    let nfc = TextBaseline.terms("caf\u{E9}", Tokenizer(normalizeNFKC: false))
    let nfd = TextBaseline.terms("cafe\u{301}", Tokenizer(normalizeNFKC: false))
    #expect(nfc != nfd)
    let vocabulary = TextBaseline.vocabulary([nfc, nfd, nfc, nfd], maxFeatures: 10)
    #expect(vocabulary.index.count == 2)
  }

  @Test func rowsAreUnitLengthTFIDF() {
    let docs: [[[UInt8]]] = [[[1], [1], [2]], [[2]], [[3]]]
    let vocabulary = TextBaseline.vocabulary(docs, maxFeatures: 10)
    #expect(vocabulary.index.count == 1 && vocabulary.index[[2]] == 0)  // [1] and [3] appear in one text only
    let x = TextBaseline.rows(docs, vocabulary)
    #expect(x.columns == 1 && x.count == 3 && x.offsets == [0, 1, 2, 2] && x.indices == [0, 0] && x.values == [1, 1])
  }

  /// A word pair decides the label ("not good" is negative, "good" alone positive): words alone
  /// cannot, pairs can.
  @Test func wordPairsCarryNegation() throws {
    var texts: [String] = [], labels: [Int] = []
    for i in 0..<40 {
      let negative = i % 2 == 0
      texts.append((negative ? "not good" : "good not") + " film \(["a", "b", "c", "d"][i % 4])")
      labels.append(negative ? 0 : 1)
    }
    let result = try #require(TextBaseline.compare(trainTexts: Array(texts[..<30]), trainLabels: Array(labels[..<30]),
                                                   validationTexts: Array(texts[30...]), validationLabels: Array(labels[30...]),
                                                   labels: ["neg", "pos"], tokenizer: Tokenizer()))
    #expect(result.accuracy == 1)
  }
}
