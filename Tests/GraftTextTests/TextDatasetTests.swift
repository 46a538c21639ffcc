import Foundation
import GraftCore
import GraftText
import Testing

/// A fresh temporary folder per test, removed at deinit.
final class TemporaryFolder {
  let url: URL
  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("graft-text-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  @discardableResult
  func write(_ name: String, _ contents: String) throws -> String {
    try write(name, Array(contents.utf8))
  }

  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let file = url.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: file)
    return file.path
  }
}

@Suite struct TextDatasetTests {
  @Test func csvQuotesHeaderAndMalformedRowsByLine() throws {
    let dir = try TemporaryFolder()
    let path = try dir.write("reviews.csv", """
      id,Text,label\r
      1,"Great, really great",pos\r
      2,"He said ""wow""
      twice",pos\r
      4,plain text,neg
      5,too,many,fields
      6,"bad" stuff,neg
      7,,neg
      8,"ok",
      9,meh,neg
      10,"never closed,neg
      11,after,pos
      """)
    let d = try TextDataset.load(path)
    #expect(d.labels == ["neg", "pos"])
    #expect(d.texts == ["Great, really great", "He said \"wow\"\ntwice", "plain text", "meh", "after"])
    #expect(d.labelIndices == [1, 1, 0, 0, 1])
    #expect(d.issues.map(\.description) == [
      "\(path):6: expected 3 fields, found 4",
      "\(path):7: unexpected character after the closing quote of field 2",
      "\(path):8: empty text",
      "\(path):9: empty label",
      "\(path):11: quoted field is never closed",
    ])
    #expect(d.count == 5 && d.example(at: 1) == TextExample(text: "He said \"wow\"\ntwice", label: 1))
  }

  @Test func tsvOptionalQuotesAndHeaderlessColumns() throws {
    let dir = try TemporaryFolder()
    // No header: the column with fewer distinct values (the second) is the label.
    let path = try dir.write("data.tsv", """
      "quoted ""text""\"\t1
      " unclosed quote is literal\t0
      "Great" he said\t1

      a\tb\tc
      plain\t0
      """)
    let d = try TextDataset.load(path)
    #expect(d.texts == ["quoted \"text\"", "\" unclosed quote is literal", "\"Great\" he said", "plain"])
    #expect(d.labels == ["0", "1"] && d.labelIndices == [1, 0, 1, 0])
    #expect(d.issues == [DataIssue(path: path, line: 5, reason: "expected 2 fields, found 3")])
    // Label first: still found by distinct counts.
    let swapped = try dir.write("swapped.txt", "pos\tnice one\nneg\tawful thing\npos\tlovely day\n")
    let s = try TextDataset.load(swapped)
    #expect(s.texts == ["nice one", "awful thing", "lovely day"] && s.labels == ["neg", "pos"])
  }

  @Test func namedColumnsAndBOM() throws {
    let dir = try TemporaryFolder()
    let path = try dir.write("x.csv", [0xEF, 0xBB, 0xBF] + Array("body,y\nhello,a\nbye,b\n".utf8))
    let d = try TextDataset.load(path, textColumn: "body", labelColumn: "y")
    #expect(d.texts == ["hello", "bye"] && d.labels == ["a", "b"])
    #expect(throws: TextDatasetError(path: path, reason: .noColumn(kind: "label", header: ["body", "y"]))) {
      try TextDataset.load(path, textColumn: "body")
    }
  }

  @Test func folderPerClass() throws {
    let dir = try TemporaryFolder()
    try dir.write("root/pos/a.txt", "  good film \n")
    try dir.write("root/pos/b.txt", "great")
    try dir.write("root/neg/c.txt", "awful")
    try dir.write("root/neg/bad.txt", [0xFF, 0xFE])
    try dir.write("root/neg/empty.txt", " \n")
    try dir.write("root/.hidden/x.txt", "ignored")
    try dir.write("root/stray.txt", "not a class")
    let d = try TextDataset.load(dir.path("root"))
    #expect(d.labels == ["neg", "pos"])
    #expect(d.texts == ["awful", "good film", "great"] && d.labelIndices == [0, 1, 1])
    #expect(d.issues.map(\.description) == [
      "\(dir.path("root/neg/bad.txt")): not valid UTF-8", "\(dir.path("root/neg/empty.txt")): empty text",
    ])
  }

  @Test func errorsNameThePath() throws {
    let dir = try TemporaryFolder()
    let missing = dir.path("nope.tsv")
    #expect(throws: TextDatasetError(path: missing, reason: .missing)) { try TextDataset.load(missing) }
    let one = try dir.write("one.tsv", "text\tlabel\na\tx\nb\tx\n")
    #expect(throws: TextDatasetError(path: one, reason: .singleClass("x"))) { try TextDataset.load(one) }
    #expect(try TextDataset.load(one, allowSingleClass: true).labels == ["x"])
    let empty = try dir.write("empty.csv", "")
    #expect(throws: TextDatasetError(path: empty, reason: .noExamples)) { try TextDataset.load(empty) }
    let headerOnly = try dir.write("h.csv", "text,label\n")
    #expect(throws: TextDatasetError(path: headerOnly, reason: .noExamples)) { try TextDataset.load(headerOnly) }
    let three = try dir.write("three.csv", "a,b,c\nd,e,f\n")
    #expect(throws: TextDatasetError(path: three, reason: .ambiguousColumns(3))) { try TextDataset.load(three) }
    #expect(throws: TextDatasetError.self) { try TextDataset.load(one, format: .folder) }
    #expect(throws: TextDatasetError.self) { try TextDataset.load(dir.url.path, format: .csv) }
    #expect(TextDatasetError(path: one, reason: .singleClass("x")).description
      == "\(one): every example has the label \"x\"; at least two classes are needed")
  }
}
