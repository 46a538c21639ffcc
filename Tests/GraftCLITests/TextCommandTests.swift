import Foundation
import Testing

/// `graft text embeddings …`, run as a built binary on the GraftText gensim fixtures.
@Suite struct TextCommandTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("GraftTextTests/Fixtures/embeddings")

  static func path(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

  func json(_ r: CLIResult) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)")
  }

  @Test(arguments: [
    ("vectors.bin", "word2vec-binary"), ("vectors.txt", "word2vec-text"),
    ("vectors.glove.txt", "glove"), ("vectors.vec", "fasttext"),
  ])
  func infoDetectsTheFormat(file: String, format: String) throws {
    let r = try GraftBinary.run(["text", "embeddings", "info", Self.path(file), "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try json(r)
    #expect(object["format"] as? String == format)
    #expect(object["count"] as? Int == 8 && object["dimension"] as? Int == 4)
    let text = try GraftBinary.run(["text", "embeddings", "info", Self.path(file)])
    #expect(text.stdout == "\(Self.path(file)): \(format), 8 words, 4 dimensions\n")
  }

  /// Issue 16: every byte-distinct word loads, an empty field is an error naming the line (or,
  /// with --lenient, a warning and a count), repeats are warned about and counted.
  @Test func exactWordsLenientAndDuplicates() throws {
    let exact = try GraftBinary.run(["text", "embeddings", "info", Self.path("exact.bin"), "--json"])
    #expect(exact.status == 0 && exact.stderr.isEmpty, "\(exact.stderr)")
    let exactObject = try json(exact)
    #expect(exactObject["count"] as? Int == 5 && exactObject["duplicates"] as? Int == 0)
    let nfd = "cafe\u{301}"
    let lookup = try GraftBinary.run(["text", "embeddings", "lookup", Self.path("exact.txt"), nfd, "caf\u{E9}", "--json"])
    #expect(lookup.status == 0, "\(lookup.stderr)")
    #expect(lookup.stdout == "{\"\(nfd)\":[1,1.125,1.25,1.375],\"caf\u{E9}\":[0.5,0.625,0.75,0.875]}\n")

    let bad = Self.path("empty_field.txt")
    let strict = try GraftBinary.run(["text", "embeddings", "info", bad])
    #expect(strict.status == 1 && strict.stderr.contains("\(bad): line 6: value 1 is empty"), "\(strict.stderr)")
    let lenient = try GraftBinary.run(["text", "embeddings", "info", bad, "--lenient", "--json"])
    #expect(lenient.status == 0 && lenient.stderr.contains("warning: \(bad): line 6: value 1 is empty"), "\(lenient.stderr)")
    let lenientObject = try json(lenient)
    #expect(lenientObject["count"] as? Int == 7 && lenientObject["skipped"] as? Int == 1)

    let twice = Self.path("duplicate.txt")
    let kept = try GraftBinary.run(["text", "embeddings", "info", twice, "--json"])
    let keptObject = try json(kept)
    #expect(kept.status == 0 && keptObject["duplicates"] as? Int == 1)
    #expect(kept.stderr == "warning: \(twice): line 9: duplicate word \"the\" (first at line 2); kept the first vector\n")
    let text = try GraftBinary.run(["text", "embeddings", "info", twice])
    #expect(text.stdout.hasSuffix("7 words, 4 dimensions, 1 duplicate word\n"), "\(text.stdout)")
    let refused = try GraftBinary.run(["text", "embeddings", "info", twice, "--duplicates", "error"])
    #expect(refused.status == 1 && refused.stderr.contains("line 9: duplicate word \"the\" (first at line 2)"), "\(refused.stderr)")
  }

  @Test func infoHonoursFormatAndLimit() throws {
    let r = try GraftBinary.run(["text", "embeddings", "info", Self.path("vectors.txt"), "--format", "word2vec-text", "--limit", "3", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try json(r)["count"] as? Int == 3)
  }

  @Test func lookupPrintsGensimsVectors() throws {
    let r = try GraftBinary.run(["text", "embeddings", "lookup", Self.path("vectors.bin"), "apple", "日本", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try json(r)
    #expect(Set(object.keys) == ["apple", "日本"])
    let expected = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json"))) as? [String: Any])
    let gensim = try #require(expected["vectors.bin"] as? [String: Any])
    let words = try #require(gensim["words"] as? [String]), vectors = try #require(gensim["vectors"] as? [[Double]])
    for word in ["apple", "日本"] {
      let printed = try #require(object[word] as? [Double]).map(Float.init)
      #expect(printed == vectors[try #require(words.firstIndex(of: word))].map(Float.init), "\(word)")
    }
    let text = try GraftBinary.run(["text", "embeddings", "lookup", Self.path("vectors.txt"), "king"])
    #expect(text.stdout == "king 1e-08 -3.5e+12 0.0 123456.79\n")
  }

  @Test func unknownWordExitsOne() throws {
    let r = try GraftBinary.run(["text", "embeddings", "lookup", Self.path("vectors.txt"), "apple", "zebra", "--json"])
    #expect(r.status == 1)
    #expect(r.stdout.isEmpty)
    #expect(r.stderr == "graft: \(Self.path("vectors.txt")): not in the table: \"zebra\"\n")
    let n = try GraftBinary.run(["text", "embeddings", "nearest", Self.path("vectors.txt"), "zebra"])
    #expect(n.status == 1 && n.stderr.contains("\"zebra\""))
  }

  @Test func nearestRanksByCosine() throws {
    let r = try GraftBinary.run(["text", "embeddings", "nearest", Self.path("vectors.glove.txt"), "apple", "-k", "2", "--json"])
    #expect(r.status == 0, "\(r.stderr)")
    let object = try json(r)
    #expect(object["word"] as? String == "apple")
    let neighbours = try #require(object["neighbours"] as? [[String: Any]])
    #expect(neighbours.map { $0["word"] as? String } == ["Apple", "café"])
    let similarities = neighbours.compactMap { $0["similarity"] as? Double }
    #expect(similarities.count == 2 && similarities[0] > 0.98 && similarities[0] > similarities[1])
    let text = try GraftBinary.run(["text", "embeddings", "nearest", Self.path("vectors.bin"), "apple", "-k", "1"])
    #expect(text.stdout == "Apple  0.9805\n")
  }

  @Test func malformedFileExitsOneNamingFileAndReason() throws {
    let r = try GraftBinary.run(["text", "embeddings", "info", Self.path("wrong_dim.txt")])
    #expect(r.status == 1)
    #expect(r.stderr == "graft: \(Self.path("wrong_dim.txt")): line 5: 3 values, expected 4\n")
    let missing = try GraftBinary.run(["text", "embeddings", "info", "/nonexistent.vec"])
    #expect(missing.status == 1 && missing.stderr.contains("/nonexistent.vec: cannot open"))
    let replaced = try GraftBinary.run(["text", "embeddings", "info", Self.path("invalid_utf8.txt"), "--unicode-errors", "replace", "--json"])
    #expect(replaced.status == 0, "\(replaced.stderr)")
    #expect(try json(replaced)["count"] as? Int == 8)
  }

  @Test func usageErrorsExitTwo() throws {
    for arguments in [["text", "embeddings", "nearest", Self.path("vectors.txt"), "apple", "-k", "0"],
                      ["text", "embeddings", "info", Self.path("vectors.txt"), "--format", "csv"],
                      ["text", "embeddings", "lookup", Self.path("vectors.txt")],
                      ["text", "embeddings", "info", Self.path("vectors.txt"), "--limit", "-1"]] {
      let r = try GraftBinary.run(arguments)
      #expect(r.status == 2, "\(arguments): \(r.stderr)")
    }
  }
}
