import Foundation
import GraftText
import Testing

@Suite struct VocabularyTests {
  let streams = [["b", "a", "c", "a"], ["b", "a", "d", "<unk>"], ["é", "e", "e", "é"]]

  @Test func buildOrdersByFrequencyThenToken() {
    let v = Vocabulary(counting: streams)
    // a:3; b, e, é: 2 (UTF-8 order: b, e, é); c, d: 1. Specials first, never counted.
    #expect(v.tokens == ["<pad>", "<unk>", "a", "b", "e", "é", "c", "d"])
    #expect(v.index(of: "a") == 2 && v.index(of: "zzz") == nil)
    #expect(v.count == 8 && v[5] == "é" && v.contains("d"))
  }

  @Test func minFrequencyAndMaxSize() {
    #expect(Vocabulary(counting: streams, minFrequency: 2).tokens == ["<pad>", "<unk>", "a", "b", "e", "é"])
    #expect(Vocabulary(counting: streams, maxSize: 4).tokens == ["<pad>", "<unk>", "a", "b"])
    #expect(Vocabulary(counting: streams, minFrequency: 9).tokens == ["<pad>", "<unk>"])
  }

  @Test func orderDoesNotDependOnInputOrder() {
    let shuffled = [["é", "e", "e", "é"], ["d", "b", "a", "<unk>"], ["a", "c", "a", "b"]]
    #expect(Vocabulary(counting: shuffled) == Vocabulary(counting: streams))
  }

  @Test func encodeDecodePadTruncate() {
    let v = Vocabulary(words: ["the", "cat", "sat"])
    #expect(v.encode(["the", "dog", "sat"]) == [2, 1, 4])
    #expect(v.decode([2, 1, 4, 0, 0]) == ["the", "<unk>", "sat"])
    #expect(v.decode([2, 0], skipPadding: false) == ["the", "<pad>"])
    let ids = ["the", "cat", "sat", "the"]
    #expect(v.encode(ids, length: 6) == [2, 3, 4, 2, 0, 0])
    #expect(v.encode(ids, length: 6, padding: .pre) == [0, 0, 2, 3, 4, 2])
    #expect(v.encode(ids, length: 2) == [2, 3])
    #expect(v.encode(ids, length: 2, truncation: .pre) == [4, 2])
    #expect(v.encode(ids, length: 0) == [])
    #expect(v.encode(ids, length: 4, padding: .pre, truncation: .pre) == [2, 3, 4, 2])
  }

  @Test func codableRoundTripAndValidation() throws {
    let v = Vocabulary(counting: streams)
    let data = try JSONEncoder().encode(v)
    let back = try JSONDecoder().decode(Vocabulary.self, from: data)
    #expect(back == v && back.index(of: "é") == 5)
    for bad in [#"{"tokens": ["<unk>", "<pad>", "a"]}"#, #"{"tokens": ["<pad>", "<unk>", "a", "a"]}"#, #"{"tokens": []}"#] {
      #expect(throws: DecodingError.self) { try JSONDecoder().decode(Vocabulary.self, from: Data(bad.utf8)) }
    }
  }

  @Test func tokenCounterAccumulates() {
    var counter = TokenCounter()
    counter.add(["x", "y"])
    counter.add(["x"])
    #expect(counter.counts == ["x": 2, "y": 1])
    #expect(Vocabulary(counter).tokens == ["<pad>", "<unk>", "x", "y"])
  }
}
